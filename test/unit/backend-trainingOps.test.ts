// The fused training ops (src/core/backend/trainingOps) against tfjs's own composites: the same
// forward values, batch statistics, moving-average updates and gradients, on cpu (plain loops)
// and wasm (SIMD loops on its heap, and the plain loops where channels are not a multiple of 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../../src/core/backend/select';
import { batchNormTraining, relu6, trainingOpsActive } from '../../src/core/backend/trainingOps';
import { useFastTrainingOps } from '../../src/core/model/batchNormMode';

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const [x, y] = [a.dataSync(), b.dataSync()];
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]!));
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / scale);
  return worst;
}

/** tfjs-layers' training-mode normalization: moments, then batchNormalization. */
function compositeBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor[] {
  const axes = [...Array(x.rank - 1).keys()];
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, beta, gamma, eps), mean, variance];
}

for (const backend of ['cpu', 'wasm'] as const) {
  for (const channels of [8, 6]) {
    test(`${backend}: fused BatchNorm (${channels} channels) matches the composite in values, statistics and gradients`, async () => {
      await selectBackend(backend);
      assert.ok(trainingOpsActive());
      const before = tf.memory().numTensors;
      // Offset and scaled per channel, so the mean is far from zero (the shifted sums must hold).
      const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([3, 7, 5, channels], 0, 1, 'float32', 1), tf.linspace(0.5, 2, channels)), 20));
      const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', 2);
      const beta = tf.randomUniform([channels], -1, 1, 'float32', 3);
      const upstream = tf.randomNormal(x.shape, 0, 1, 'float32', 4);
      const loss = (f: typeof compositeBatchNorm) => (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xi, g, b, 1e-3)[0]!, upstream));
      const fused = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => batchNormTraining(xi, g, b, eps);
      const ours = fused(x, gamma, beta, 1e-3);
      const ref = compositeBatchNorm(x, gamma, beta, 1e-3);
      for (let k = 0; k < 3; k++) assert.ok(maxRelDiff(ours[k]!, ref[k]!) < 1e-4, `output ${k}: ${maxRelDiff(ours[k]!, ref[k]!)}`);
      const gOurs = tf.grads(loss(fused))([x, gamma, beta]);
      const gRef = tf.grads(loss(compositeBatchNorm))([x, gamma, beta]);
      for (const k of [0, 1, 2]) assert.ok(maxRelDiff(gOurs[k]!, gRef[k]!) < 1e-3, `gradient ${['x', 'gamma', 'beta'][k]}: ${maxRelDiff(gOurs[k]!, gRef[k]!)}`);
      // Gradients are not all zero (a check that could not fail otherwise).
      assert.ok(tf.tidy(() => tf.max(tf.abs(gOurs[0]!)).dataSync()[0]!) > 1e-3);
      tf.dispose([x, gamma, beta, upstream, ...ours, ...ref, ...gOurs, ...gRef]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }

  test(`${backend}: fused relu6 matches minimum(6, relu(x)) forward and backward, ties at 0 and 6 included`, async () => {
    await selectBackend(backend);
    const values = [-1, 0, 0.5, 3, 5.999, 6, 6.5, 100, -0.001, 2, 1e-30];
    const x = tf.tensor(values, [values.length]);
    const dy = tf.tensor(values.map((_, i) => i + 1), [values.length]);
    const ref = (t: tf.Tensor) => tf.minimum(6, tf.relu(t));
    assert.deepEqual(Array.from(relu6(x).dataSync()), Array.from(ref(x).dataSync()));
    const gOurs = tf.grad((t: tf.Tensor) => relu6(t))(x, dy);
    const gRef = tf.grad(ref)(x, dy);
    assert.deepEqual(Array.from(gOurs.dataSync()), Array.from(gRef.dataSync()));
    assert.deepEqual(Array.from(gOurs.dataSync()), [0, 0, 3, 4, 5, 0, 0, 0, 0, 10, 11]);
    // Long enough for the SIMD loop and its scalar tail.
    const big = tf.randomUniform([1003], -2, 8, 'float32', 5);
    const dyBig = tf.randomNormal([1003], 0, 1, 'float32', 6);
    assert.equal(maxRelDiff(tf.grad((t: tf.Tensor) => relu6(t))(big, dyBig), tf.grad(ref)(big, dyBig)), 0);
  });

  test(`${backend}: a model with the fused layers trains like tfjs-layers' own (loss, gradients, moving statistics, no input gradient)`, async () => {
    await selectBackend(backend);
    const build = (): tfl.LayersModel => {
      const input = tfl.input({ shape: [9, 9, 3] });
      let h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.activation({ activation: 'relu6' }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({}).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.reLU({ maxValue: 6 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.globalAveragePooling2d({}).apply(h) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: out });
    };
    const x = tf.randomUniform([5, 9, 9, 3], -1, 3, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], 'int32'), 4);
    const step = (fast: boolean) => {
      const model = build();
      if (fast) useFastTrainingOps(model);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      return { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!), weights: model.getWeights(), names: model.weights.map((w) => w.originalName) };
    };
    const ours = step(true);
    const ref = step(false);
    // The fast model really ran the fused kernels (both relu6 layer kinds included).
    const probe = build();
    useFastTrainingOps(probe);
    const probeVars = probe.trainableWeights.map((w) => w.read() as tf.Variable);
    const lossOf = (m: tfl.LayersModel) => () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const info = await tf.profile(() => tf.dispose(Object.values(tf.variableGrads(lossOf(probe), probeVars).grads)));
    const count = (name: string) => info.kernels.filter((k) => k.name === name).length;
    assert.deepEqual([count('TransferLabBatchNormTraining'), count('TransferLabRelu6'), count('TransferLabRelu6Grad')], [2, 2, 2]);
    // The first convolution's input is the batch: no gradient for it is computed (stock: one).
    assert.equal(count('Conv2DBackpropInput'), 0);
    const stock = build();
    const stockInfo = await tf.profile(() => tf.dispose(Object.values(tf.variableGrads(lossOf(stock), stock.trainableWeights.map((w) => w.read() as tf.Variable)).grads)));
    assert.equal(stockInfo.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length, 1);
    assert.ok(Math.abs(ours.loss - ref.loss) < 1e-5, `loss ${ours.loss} vs ${ref.loss}`);
    ours.grads.forEach((g, k) => assert.ok(maxRelDiff(g, ref.grads[k]!) < 1e-3, `gradient ${k}: ${maxRelDiff(g, ref.grads[k]!)}`));
    // getWeights includes the moving mean and variance, which the forward pass updated.
    assert.equal(ours.weights.length, ref.weights.length);
    ours.weights.forEach((w, k) => assert.ok(maxRelDiff(w, ref.weights[k]!) < 1e-5, `weight ${k}`));
    const named = (suffix: string) => ours.weights.filter((_, k) => ours.names[k]!.endsWith(suffix));
    assert.equal(named('moving_mean').length, 2);
    for (const m of named('moving_mean')) assert.ok(m.dataSync().some((v) => v !== 0), 'the moving mean moved');
    for (const v of named('moving_variance')) assert.ok(v.dataSync().some((e) => e !== 1), 'the moving variance moved');
  });
}

test('a frozen BatchNormalization layer stays in inference mode with the fused ops installed', async () => {
  await selectBackend('wasm');
  const input = tfl.input({ shape: [4, 4, 4] });
  const bnLayer = tfl.layers.batchNormalization({});
  const model = tfl.model({ inputs: input, outputs: bnLayer.apply(input) as tfl.SymbolicTensor });
  bnLayer.trainable = false;
  useFastTrainingOps(model);
  const x = tf.randomUniform([2, 4, 4, 4], 5, 6, 'float32', 8);
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  const out = model.apply(x, { training: true }) as tf.Tensor;
  // Inference mode with the initial statistics (mean 0, variance 1): y = x / sqrt(1 + eps).
  assert.ok(maxRelDiff(out, tf.div(x, Math.sqrt(1 + 1e-3))) < 1e-6);
  assert.deepEqual(model.getWeights().map((w) => Array.from(w.dataSync())), before);
});

test('the committed WebAssembly is the assembly of trainingOps.wat', async () => {
  const { assembledSource, OUT } = await import('../../scripts/assembleWat.mjs');
  assert.equal(readFileSync(OUT, 'utf8'), await assembledSource());
});
