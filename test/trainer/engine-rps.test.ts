// Feature extraction on real data with the real pre-trained MobileNet: the run reaches a high test
// accuracy, the frozen base (BatchNorm statistics included) is bit-identical afterwards, and no
// tensors leak.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { runExperiment } from '../../src/core/run/runExperiment';
import { readRunEvents } from '../../src/core/run/store';
import { loadBaseModel } from '../../src/core/model';
import type { RunEvent } from '../../src/shared/events';
import { mobilenet025, rpsExperiment, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace();
after(() => ws.dispose());

test('RPS feature extraction: >= 0.9 test accuracy, frozen base bit-identical, no tensor leak', async () => {
  const file = ws.write('rps', rpsExperiment({ epochs: 3 }));
  const events: RunEvent[] = [];
  const summary = await runExperiment(file, { onEvent: (e) => events.push(e) });
  assert.equal(summary.status, 'completed', summary.error);
  assert.ok(summary.transfer.test, 'test metrics');
  assert.ok(summary.transfer.test.accuracy >= 0.9, `test accuracy ${summary.transfer.test.accuracy}`);
  assert.deepEqual(summary.classes, ['paper', 'rock', 'scissors']);
  assert.deepEqual(summary.counts, { train: 420, validation: 90, test: 90 });
  assert.equal(summary.transfer.test.confusion.flat().reduce((a, b) => a + b, 0), 90);

  // Events: one per batch and per epoch, in order, with metrics.
  const epochs = events.filter((e) => e.kind === 'epoch');
  assert.equal(epochs.length, 3);
  assert.ok(epochs.every((e) => e.kind === 'epoch' && Number.isFinite(e.loss) && e.val_accuracy !== undefined && e.imagesPerSecond > 0));
  assert.equal(events.filter((e) => e.kind === 'batch').length, 3 * Math.ceil(420 / 32));
  assert.equal(events.at(-1)!.kind, 'run-end');

  // The run folder holds what a reader needs.
  const runDir = path.join(ws.dir, 'runs', 'rps', summary.runId);
  const recorded = await readRunEvents(runDir);
  assert.equal(recorded.filter((e) => e.kind === 'epoch').length, 3);
  assert.equal(JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')).status, 'completed');
  assert.ok(existsSync(path.join(runDir, 'model', 'model.json')));

  // Every weight of the frozen base, BatchNorm moving mean/variance included, is unchanged.
  const before = await loadBaseModel(mobilenet025, { baseDir: ws.dir });
  const trained = await loadBaseModel(path.join(runDir, 'model', 'model.json'), { baseDir: ws.dir });
  let compared = 0;
  let bnStats = 0;
  for (const layer of before.model.layers) {
    if (layer.name === 'conv_pw_13_relu') break;
    const a = layer.getWeights();
    if (!a.length) continue;
    const b = trained.model.getLayer(layer.name).getWeights();
    assert.equal(b.length, a.length, layer.name);
    for (let i = 0; i < a.length; i++) {
      assert.deepEqual(b[i]!.dataSync(), a[i]!.dataSync(), `${layer.name} weight ${i} changed`);
      compared++;
    }
    if (layer.getClassName() === 'BatchNormalization') bnStats += 2;
  }
  assert.ok(compared > 100 && bnStats >= 52, `compared ${compared} weights, ${bnStats} BN statistics`);
  // The head did train.
  const head = trained.model.layers.at(-1)!;
  assert.ok(head.getWeights()[0]!.dataSync().some((v) => v !== 0));
  before.model.dispose();
  trained.model.dispose();
});

test('a run leaks no tensors, and a base model of another input size is a clear error', async () => {
  const wrongSize = ws.write('rps-96', rpsExperiment({ name: 'rps-96', imageSize: [96, 96] }));
  await assert.rejects(runExperiment(wrongSize), /takes images of 224x224x3, but the data gives 96x96x3: set data.imageSize to \[224, 224\]/);
  const file = ws.write('rps-small', rpsExperiment({ name: 'rps-small', epochs: 2 }));
  await runExperiment(file); // warm-up: backend kernels and caches allocate once
  const beforeTensors = tf.memory().numTensors;
  const summary = await runExperiment(file);
  assert.equal(summary.status, 'completed', summary.error);
  assert.equal(tf.memory().numTensors, beforeTensors);
});
