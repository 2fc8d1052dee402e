// Training every layer of the real MobileNet v1 0.25 on wasm goes through the fused training ops
// (src/core/backend/trainingOps, src/core/model/fastLayers.ts). Its gradients must equal those
// of tfjs-layers' own layers, and a `freeze: "none"` run through the engine must train every
// layer: all weights and every BatchNorm's moving statistics move, and the training loss falls.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../../src/core/backend/select';
import { fsLoadHandler } from '../../src/core/model/fsHandler';
import { loadBaseModel, useFastTrainingOps } from '../../src/core/model';
import { runExperiment } from '../../src/core/run/runExperiment';
import type { RunEvent } from '../../src/shared/events';
import { mobilenet025, rpsExperiment, smallRps, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace('tl-train-all-');
after(() => ws.dispose());

test('MobileNet 0.25: the fused training ops give the stock layers\' gradients for all 83 weights', async () => {
  await selectBackend('wasm');
  const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([3, 700], 'int32'), 1000);
  const gradients = async (fast: boolean) => {
    const m = await tfl.loadLayersModel(fsLoadHandler(mobilenet025));
    // MobileNet's Dropout (rate 0.001) draws a fresh mask in every training-mode call: off here,
    // so both computations see the same network.
    for (const l of m.layers) if (l.getClassName() === 'Dropout') (l as unknown as { rate: number }).rate = 0;
    if (fast) useFastTrainingOps(m);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    const out = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    m.dispose();
    return out;
  };
  const fast = await gradients(true);
  const stock = await gradients(false);
  assert.equal(fast.length, 83);
  fast.forEach((g, k) => {
    let scale = 1e-12;
    let diff = 0;
    for (let i = 0; i < g.length; i++) {
      scale = Math.max(scale, Math.abs(stock[k]![i]!));
      diff = Math.max(diff, Math.abs(g[i]! - stock[k]![i]!));
    }
    // Measured worst 5.2e-4: float rounding through 27 BatchNorms.
    assert.ok(diff / scale < 5e-3, `weight ${k}: relative difference ${diff / scale}`);
    assert.ok(scale > 1e-9, `weight ${k} has a gradient`);
  });
  tf.dispose([x, y]);
});

test('freeze "none" through the engine trains every layer on wasm and the training loss falls', async () => {
  const e = rpsExperiment({ name: 'all', data: smallRps(ws.dir, 8), freeze: 'none', epochs: 3 });
  e.training.batchSize = 8;
  e.training.phases = [{ name: 'all', epochs: 3, learningRate: 0.0005 }];
  const events: RunEvent[] = [];
  const summary = await runExperiment(ws.write('all', e), { onEvent: (ev) => events.push(ev), backend: 'wasm' });
  assert.equal(summary.status, 'completed', summary.error);
  const losses = events.flatMap((ev) => (ev.kind === 'epoch' ? [ev.loss] : []));
  assert.equal(losses.length, 3);
  assert.ok(losses[2]! < losses[0]!, `training loss ${losses.join(' -> ')}`);

  const before = (await loadBaseModel(mobilenet025, { baseDir: ws.dir })).model;
  const trained = (await loadBaseModel(path.join(ws.dir, 'runs/all', summary.runId, 'model/model.json'), { baseDir: ws.dir })).model;
  let layersWithWeights = 0;
  for (const l of before.layers) {
    const w0 = l.getWeights();
    if (!w0.length || !trained.layers.some((t) => t.name === l.name)) continue;
    layersWithWeights++;
    trained.getLayer(l.name).getWeights().forEach((w, i) => {
      const a = w.dataSync();
      const b = w0[i]!.dataSync();
      assert.ok(a.some((v, j) => v !== b[j]), `${l.name} weight ${i} (${w0[i]!.shape.join('x')}) unchanged`);
    });
  }
  // conv1 .. conv_pw_13: 14 convolutions, 13 depthwise, 27 BatchNorms.
  assert.equal(layersWithWeights, 54);
  before.dispose();
  trained.dispose();
});
