import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExperimentFileError } from '../../src/core/experiment/load';
import { errorLine, fmtDuration, formatBackendReport, formatEpochLine, formatEventLine, formatRunSummary, runResultJson } from '../../src/cli/format';
import { baselineResult, epoch, summary } from './cli-fixtures';

test('the epoch line has every metric, the speed and the ETA', () => {
  assert.equal(formatEpochLine(epoch()), 'transfer epoch  3/10  loss 0.1235  acc 0.9600  val_loss 0.2000  val_acc 0.9412  1,234 img/s  2.3s  ETA 1m15s');
  // The last epoch has no ETA; missing validation metrics show as "-".
  assert.equal(
    formatEpochLine(epoch({ model: 'baseline', epoch: 10, val_loss: undefined, val_accuracy: undefined })),
    'baseline epoch 10/10  loss 0.1235  acc 0.9600  val_loss -  val_acc -  1,234 img/s  2.3s',
  );
});

test('durations read naturally', () => {
  assert.equal(fmtDuration(0.42), '0.4s');
  assert.equal(fmtDuration(42.4), '42s');
  assert.equal(fmtDuration(75), '1m15s');
  assert.equal(fmtDuration(3725), '1h02m');
  assert.equal(fmtDuration(Number.NaN), '-');
});

test('the --json object carries status, backend, runDir, metrics and the transfer gain', () => {
  const s = summary({ baseline: baselineResult, transferGain: 0.948 - 0.79, negativeTransfer: false });
  const j = runResultJson(s, '/w/runs/mnist-transfer/20250101-120000-000');
  assert.equal(j.status, 'completed');
  assert.equal(j.backend, 'wasm');
  assert.equal(j.runDir, '/w/runs/mnist-transfer/20250101-120000-000');
  assert.deepEqual(j.metrics, { epochsRun: 10, loss: 0.1, accuracy: 0.99, val_loss: 0.2, val_accuracy: 0.95, test_loss: 0.21, test_accuracy: 0.948 });
  assert.equal(j.baseline?.test_accuracy, 0.79);
  assert.equal(j.baseline?.val_accuracy, 0.8);
  assert.ok(Math.abs(j.transferGain! - 0.158) < 1e-12);
  assert.equal(j.negativeTransfer, false);
  // It survives a JSON round trip unchanged (no undefined-only fields, no functions).
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);

  const plain = runResultJson(summary(), '/r');
  assert.equal('baseline' in plain, false);
  assert.equal('transferGain' in plain, false);
  const failed = runResultJson(summary({ status: 'failed', error: 'out of memory', transfer: { final: null, best: null, test: null, epochsRun: 0, seconds: 0 } }), '/r');
  assert.equal(failed.error, 'out of memory');
  assert.equal(failed.metrics?.test_accuracy, null);
});

test('the human summary shows both models and flags negative transfer', () => {
  const text = formatRunSummary(summary({ baseline: baselineResult, transferGain: -0.05, negativeTransfer: true, skippedImages: ['a.png'] }), '/r/x');
  assert.equal(
    text,
    [
      'completed: mnist-transfer run 20250101-120000-000 on wasm in 1m05s',
      '  transfer  val_acc 0.9500  test_acc 0.9480  (10 epochs, 20s)',
      '  baseline  val_acc 0.8000  test_acc 0.7900  (10 epochs, 30s)',
      '  transfer gain -0.0500  NEGATIVE TRANSFER: the pre-trained base hurt',
      '  1 unreadable image(s) skipped',
      '  saved in /r/x',
    ].join('\n'),
  );
});

test('non-batch events become lines; batches and progress do not', () => {
  assert.equal(formatEventLine({ kind: 'warning', message: 'skipped 2 images:\n a.png\n b.png' }), 'warning: skipped 2 images:; a.png; b.png');
  assert.equal(
    formatEventLine({ kind: 'early-stop', model: 'baseline', phase: 0, epoch: 6, monitor: 'val_loss', best: 0.31 }),
    'baseline early stop after epoch 6: val_loss stopped improving (best 0.3100)',
  );
  assert.equal(formatEventLine({ kind: 'batch', model: 'transfer', phase: 0, epoch: 1, batch: 1, batches: 8, step: 1, loss: 1, accuracy: 0.5, imagesPerSecond: 10 }), null);
  assert.equal(formatEventLine({ kind: 'progress', task: 'loading images', done: 1, total: 2 }), null);
  const start = formatEventLine({
    kind: 'run-start',
    runId: 'r1',
    experiment: 'rps',
    runDir: '/r',
    backend: 'cpu',
    classes: ['paper', 'rock', 'scissors'],
    counts: { train: 420, validation: 90, test: 90 },
    phases: [],
    baseline: true,
  });
  assert.equal(start, 'run r1 of "rps" on cpu: 3 classes (paper, rock, scissors), 420 train / 90 validation / 90 test images, with a from-scratch baseline');
});

test('errors become one line; experiment file issues keep file:line:col', () => {
  const err = new ExperimentFileError('/ws/a.experiment.json', [
    { path: 'model.cutAt', message: 'Required', line: 4, column: 3, offset: 0, length: 0 },
    { path: 'training.phases[0].epochs', message: 'Too small', line: 9, column: 20, offset: 0, length: 0 },
  ]);
  assert.equal(errorLine(err), 'error: /ws/a.experiment.json:4:3: model.cutAt: Required; /ws/a.experiment.json:9:20: training.phases[0].epochs: Too small');
  assert.equal(errorLine(new Error('')), 'error: Error');
  assert.equal(errorLine('plain'), 'error: plain');
});

test('the backend report lists every candidate', () => {
  const text = formatBackendReport({
    chosen: 'wasm',
    candidates: [
      { name: 'tensorflow', available: false, reason: 'install @tensorflow/tfjs-node' },
      { name: 'wasm', available: true, reason: 'SIMD' },
      { name: 'cpu', available: true, reason: 'always' },
    ],
  });
  assert.equal(text, ['chosen: wasm', '  no   tensorflow  install @tensorflow/tfjs-node', '  yes  wasm        SIMD', '  yes  cpu         always'].join('\n'));
});
