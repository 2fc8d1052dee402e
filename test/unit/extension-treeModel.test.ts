import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestValAccuracy, catalogView, experimentView, formatDuration, formatShape, layerViews, liveProgress, runView, sortRuns, statusIcon } from '../../src/extension/explorer/treeModel';
import { parseExperiment } from '../../src/core/experiment/load';
import { renderTemplate } from '../../src/core/templates/index';
import type { RunEvent, RunSummary } from '../../src/shared/events';
import type { LayerInfo, ModelInspection } from '../../src/shared/model';

function summary(status: RunSummary['status'], best: number | null, seconds = 125): RunSummary {
  return {
    schemaVersion: 1, runId: 'r', experiment: 'rps', status, backend: 'wasm', startedAt: '', endedAt: null, durationSeconds: seconds,
    classes: [], counts: { train: 0, validation: 0, test: 0 }, skippedImages: [], phases: [],
    transfer: { final: { loss: 1, accuracy: 0.5, val_accuracy: 0.5 }, best: best === null ? null : { epoch: 3, val_accuracy: best, val_loss: 0.2 }, test: null, epochsRun: 3, seconds },
  };
}

test('runs sort newest first and show status icon, best val accuracy and duration', () => {
  const runs = sortRuns([
    { runId: '2026-01-02T10-00-00-000Z', runDir: '/r/2', summary: summary('stopped', 0.6667, 42) },
    { runId: '2026-01-03T09-00-00-000Z', runDir: '/r/3', summary: summary('completed', 0.98765) },
    { runId: '2026-01-01T11-00-00-000Z', runDir: '/r/1', summary: null },
  ]);
  assert.deepEqual(runs.map((r) => r.runDir), ['/r/3', '/r/2', '/r/1']);
  const [a, b, c] = runs.map((r) => runView(r));
  assert.equal(a!.label, '2026-01-03 09:00:00');
  assert.equal(a!.description, 'completed · best val 98.8% · 2 m 05 s');
  assert.deepEqual(a!.icon, { id: 'pass', color: 'testing.iconPassed' });
  assert.equal(b!.description, 'stopped · best val 66.7% · 42 s');
  assert.equal(b!.icon!.id, 'debug-stop');
  assert.equal(c!.description, 'no summary');
  assert.equal(c!.icon!.id, 'question');
  assert.equal(a!.contextValue, 'run');
});

test('a failed run shows its error in the tooltip; an active run shows live epoch and val accuracy', () => {
  const failed = runView({ runId: 'x', runDir: '/r/x', summary: { ...summary('failed', null), error: 'the trainer process was killed (SIGKILL; out of memory?)' } });
  assert.deepEqual(failed.icon, { id: 'error', color: 'testing.iconFailed' });
  assert.match(failed.tooltip!, /Error: the trainer process was killed/);
  assert.equal(failed.description, 'failed · best val 50.0% · 2 m 05 s', 'falls back to the last val accuracy');
  const live = runView({ runId: 'y', runDir: '/r/y', summary: summary('running', null) }, { epoch: 2, epochs: 5, valAccuracy: 0.8 });
  assert.equal(live.description, 'epoch 2/5 · val 80.0%');
  assert.equal(live.icon!.id, 'sync~spin');
  assert.equal(live.contextValue, 'run.active');
  // Before the first epoch the feature/download task is what is happening, not "epoch 0/5".
  const features = runView({ runId: 'z', runDir: '/r/z', summary: null }, { epoch: 0, epochs: 5, task: 'features 10/600' });
  assert.equal(features.description, 'features 10/600');
});

test('helpers: durations, best accuracy, status icons, shapes', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(59.6), '1 m 00 s');
  assert.equal(formatDuration(3725), '1 h 02 m');
  assert.equal(bestValAccuracy(null), null);
  assert.equal(bestValAccuracy(summary('completed', 0.9)), 0.9);
  assert.equal(statusIcon('running').id, 'sync~spin');
  assert.equal(formatShape([null, 7, 7, 256]), '[?,7,7,256]');
  assert.equal(formatShape([[null, 2], [null, 3]]), '[?,2] [?,3]');
});

test('live progress follows run-start, progress and transfer epochs (not the baseline)', () => {
  const events: RunEvent[] = [
    { kind: 'run-start', runId: 'r', experiment: 'e', runDir: '/r', backend: 'wasm', classes: [], counts: { train: 1, validation: 1, test: 1 }, baseline: true,
      phases: [{ index: 0, name: 'head', epochs: 3, learningRate: 1e-3, trainableLayers: [], trainableParams: 0, frozenParams: 0, cacheBoundary: null }, { index: 1, name: 'ft', epochs: 2, learningRate: 1e-5, trainableLayers: [], trainableParams: 0, frozenParams: 0, cacheBoundary: null }] },
    { kind: 'progress', task: 'features', done: 10, total: 600 },
  ];
  assert.deepEqual(liveProgress(events), { epochs: 5, epoch: 0, task: 'features 10/600' });
  const epoch = (model: 'transfer' | 'baseline', n: number, val: number): RunEvent => ({ kind: 'epoch', model, phase: 0, epoch: n, epochs: 5, step: n, learningRate: 1e-3, imagesPerSecond: 1, seconds: 1, etaSeconds: 1, loss: 1, accuracy: 1, val_accuracy: val });
  events.push(epoch('transfer', 1, 0.7), epoch('baseline', 1, 0.3));
  assert.deepEqual(liveProgress(events), { epochs: 5, epoch: 1, task: undefined, valAccuracy: 0.7 });
});

test('experiments and catalog entries', () => {
  const x = parseExperiment(renderTemplate('image-feature-extraction', { name: 'rps' }), 'rps.experiment.json');
  const v = experimentView({ file: '/ws/rps.experiment.json', relativePath: 'rps.experiment.json', experiment: x }, false);
  assert.equal(v.label, 'rps');
  assert.equal(v.description, 'mobilenet_v1_0.25_224');
  assert.equal(experimentView({ file: '/ws/a', relativePath: 'a', experiment: x }, true).contextValue, 'experiment.running');
  const bad = experimentView({ file: '/ws/b', relativePath: 'b.experiment.json', experiment: null, error: 'b.experiment.json:1:1: invalid JSON' }, false);
  assert.equal(bad.description, 'invalid');
  assert.equal(bad.tooltip, 'b.experiment.json:1:1: invalid JSON');
  assert.equal(catalogView({ id: 'm', description: 'd' }, true).description, 'cached');
  assert.equal(catalogView({ id: 'm', description: 'd' }, false).icon!.id, 'cloud-download');
});

test('layers show type, shape, params and their state under the experiment\'s freeze plan', () => {
  const layer = (name: string, className: string, params: number, isBatchNorm = false): LayerInfo => ({ name, className, outputShape: [null, 4], params, nonTrainableParams: isBatchNorm ? params / 2 : 0, isBatchNorm, inbound: [] });
  const inspection: ModelInspection = {
    ref: 'm', source: '/m/model.json', inputShape: [null, 4], outputShape: [null, 2], totalParams: 100,
    layers: [layer('input', 'InputLayer', 0), layer('conv', 'Conv2D', 20), layer('bn', 'BatchNormalization', 8, true), layer('feat', 'ReLU', 0), layer('pred', 'Dense', 10)],
  };
  const text = JSON.stringify({ name: 'x', model: { base: 'm', cutAt: 'feat', freeze: { upTo: 'bn' } }, data: { type: 'mnist' }, training: { phases: [{ name: 'h', epochs: 1, learningRate: 0.1 }] } });
  const rows = layerViews(inspection, parseExperiment(text, 'x'));
  assert.deepEqual(rows.map((r) => r.description), [
    'InputLayer [?,4] · 0 params · frozen',
    'Conv2D [?,4] · 20 params · frozen',
    'BatchNormalization [?,4] · 8 params · frozen (BatchNorm in inference mode)',
    'ReLU [?,4] · 0 params · trainable',
    'Dense [?,4] · 10 params · cut (not used)',
  ]);
  assert.match(rows[2]!.tooltip!, /4 non-trainable/);
  const unknown = JSON.parse(text);
  unknown.model.cutAt = 'nope';
  assert.equal(layerViews(inspection, parseExperiment(JSON.stringify(unknown), 'x'))[1]!.description, 'Conv2D [?,4] · 20 params', 'no state for an unknown cut layer');
  assert.equal(layerViews(inspection)[4]!.description, 'Dense [?,4] · 10 params');
});
