import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunReporter } from '../../src/cli/reporter';
import { epoch } from './cli-fixtures';

/** A stream that says it is a terminal, as cli-progress draws only to one. */
function sink() {
  const chunks: string[] = [];
  return { chunks, isTTY: true, columns: 160, write: (c: string) => chunks.push(c) > 0, text: () => chunks.join('') };
}

const batch = (b: number) => ({ kind: 'batch' as const, model: 'transfer' as const, phase: 0, epoch: 1, batch: b, batches: 4, step: b, loss: 1 / b, accuracy: 0.2 * b, imagesPerSecond: 500 });

test('without a terminal: one line per epoch and per notable event, nothing per batch', () => {
  const out = sink();
  const r = createRunReporter(out, false);
  r.onEvent({ kind: 'progress', task: 'loading images', done: 10, total: 600 });
  r.onEvent({ kind: 'progress', task: 'loading images', done: 600, total: 600 });
  for (let b = 1; b <= 4; b++) r.onEvent(batch(b));
  r.onEvent(epoch({ epoch: 1, epochs: 2 }));
  r.onEvent({ kind: 'warning', message: 'skipped 1 unreadable image(s): x.png (corrupt)' });
  r.log('stopping after the current batch');
  r.close();
  assert.deepEqual(out.text().split('\n'), [
    'loading images: done (600)',
    'transfer epoch 1/2  loss 0.1235  acc 0.9600  val_loss 0.2000  val_acc 0.9412  1,234 img/s  2.3s  ETA 1m15s',
    'warning: skipped 1 unreadable image(s): x.png (corrupt)',
    'stopping after the current batch',
    '',
  ]);
});

test('at a terminal: a bar with batches, loss, acc, img/s and ETA, then the epoch line', () => {
  const out = sink();
  const r = createRunReporter(out, true);
  r.onEvent({ kind: 'run-start', runId: 'r', experiment: 'e', runDir: '/r', backend: 'cpu', classes: ['a', 'b'], counts: { train: 4, validation: 2, test: 2 }, phases: [{ index: 0, name: 'head', epochs: 2, learningRate: 0.01, trainableLayers: [], trainableParams: 10, frozenParams: 0, cacheBoundary: null }], baseline: false });
  for (let b = 1; b <= 4; b++) r.onEvent(batch(b));
  r.onEvent(epoch({ epoch: 1, epochs: 2 }));
  r.close();
  const text = out.text();
  // cli-progress renders at least the first frame synchronously.
  assert.match(text, /transfer epoch 1\/2 [\u2588\u2591]{14} \d\/4 loss \d\.\d{3} acc \d\.\d{3} 500 img\/s ETA /);
  assert.ok(text.includes('transfer epoch 1/2  loss 0.1235  acc 0.9600  val_loss 0.2000'), text);
  // The bar is cleared before the epoch line, which stays.
  assert.ok(text.lastIndexOf('\u2591') < text.indexOf('transfer epoch 1/2  loss'), text);
  assert.ok(text.endsWith('ETA 1m15s\n'));
});
