// One full training step of a small MobileNet-like network (every layer type MobileNet v1 and the
// MNIST CNN train through) on wasm must give the cpu backend's loss, gradients and updated weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../../src/core/backend/select';

function build(): tfl.LayersModel {
  const input = tfl.input({ shape: [15, 15, 3] });
  const layers: tfl.layers.Layer[] = [
    tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }),
    tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }),
    tfl.layers.batchNormalization({}),
    // Before any ReLU, so no ties (where backends may pick different maxima).
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
    tfl.layers.reLU({ maxValue: 6 }),
    tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }),
    tfl.layers.batchNormalization({}),
    tfl.layers.reLU({ maxValue: 6 }),
    tfl.layers.conv2d({ filters: 12, kernelSize: 1, padding: 'same', useBias: false }),
    tfl.layers.batchNormalization({}),
    tfl.layers.activation({ activation: 'relu' }),
    tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: true }),
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.reshape({ targetShape: [1, 1, 12] }),
    tfl.layers.dropout({ rate: 0 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 5, activation: 'softmax' }),
  ];
  let x: tfl.SymbolicTensor = input;
  for (const l of layers) x = l.apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

interface StepResult { loss: number; grads: Float32Array[]; updated: Float32Array[] }

function trainStep(weights: Float32Array[], xs: Float32Array, labels: number[]): StepResult {
  const model = build();
  model.setWeights(model.getWeights().map((w, k) => tf.tensor(weights[k]!, w.shape)));
  const x = tf.tensor4d(xs, [4, 15, 15, 3]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 5);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  const result: StepResult = {
    loss: value.dataSync()[0]!,
    grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array),
    updated: [],
  };
  tf.train.sgd(0.5).applyGradients(grads);
  result.updated = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return result;
}

function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

test('a training step on wasm matches cpu: loss, every gradient, updated weights', async () => {
  await selectBackend('cpu');
  const proto = build();
  const weights = proto.getWeights().map((w) => w.dataSync() as Float32Array);
  proto.dispose();
  const xs = Float32Array.from({ length: 4 * 15 * 15 * 3 }, (_, i) => Math.sin(i * 0.37) * 0.9);
  const labels = [0, 3, 1, 4];

  const cpu = trainStep(weights, xs, labels);
  await selectBackend('wasm');
  const wasm = trainStep(weights, xs, labels);

  assert.ok(Number.isFinite(cpu.loss) && cpu.loss > 0);
  assert.ok(Math.abs(wasm.loss - cpu.loss) / cpu.loss < 1e-5, `loss ${wasm.loss} vs ${cpu.loss}`);
  // 4 conv/depthwise kernels, 3 BN (gamma, beta), 1 depthwise bias, dense kernel + bias
  assert.equal(cpu.grads.length, 4 + 6 + 1 + 2);
  // Each kernel alone agrees to 1e-4 (backend-wasmGradients); through the whole network, float32
  // sums in a different order (BatchNorm's reductions over the batch) drift to ~2e-4.
  const tolerance = 1e-3;
  for (const [k, g] of cpu.grads.entries()) {
    assert.ok(g.some((v) => v !== 0), `gradient ${k} is all zeros on cpu`);
    assert.ok(relError(wasm.grads[k]!, g) < tolerance, `gradient ${k}: relative error ${relError(wasm.grads[k]!, g)}`);
  }
  for (const [k, w] of cpu.updated.entries()) {
    assert.ok(relError(wasm.updated[k]!, w) < tolerance, `updated weight ${k}: relative error ${relError(wasm.updated[k]!, w)}`);
  }
  // The step moved the weights: not a no-op on either side.
  assert.ok(relError(cpu.updated[0]!, weights[0]!) > 1e-3, "the step left the first kernel unchanged");
});
