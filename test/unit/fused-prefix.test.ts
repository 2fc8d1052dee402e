// compilePrefix on small MobileNet-style graphs, on the cpu and wasm backends: BatchNorm folded
// into the convolutions (with non-trivial statistics), ZeroPadding2D merged into a 'valid'
// convolution, fused relu/relu6, depth multiplier 2, pass-through Dropout/Reshape: the compiled
// forward equals predict in inference mode. Graphs it does not understand compile to null, no
// tensor leaks, and computeFeatures uses the compiled forward.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { compilePrefix, compileOrThrow, NotCompilable } from '../../src/core/model/fusedPrefix';
import { computeFeatures, syncSource, type InputSource } from '../../src/core/train/sources';

type ST = tfl.SymbolicTensor;

before(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic values in [lo, hi). */
const values = (n: number, seed: number, lo: number, hi: number) => Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * (0.5 + 0.5 * Math.sin(seed * 12.9898 + i * 78.233)));

/** Gives a BatchNormalization layer moving statistics far from the identity. */
function randomizeBatchNorm(layer: tfl.layers.Layer, seed: number): void {
  const c = (layer.getWeights()[0]!.shape[0])!;
  layer.setWeights([
    tf.tensor1d(values(c, seed, 0.5, 2)), // gamma
    tf.tensor1d(values(c, seed + 1, -1, 1)), // beta
    tf.tensor1d(values(c, seed + 2, -0.5, 0.5)), // moving mean
    tf.tensor1d(values(c, seed + 3, 0.1, 3)), // moving variance
  ]);
}

/**
 * input 16x16x3 -> conv 3x3/2 same (no bias) + BN + relu6 -> pad ((0,1),(0,1)) + depthwise 3x3/2
 * valid x2 + BN + ReLU(6) -> conv 1x1 with bias + BN + Activation(relu) -> Dropout -> Reshape
 * (same shape) -> depthwise 3x3/1 same with its own relu activation.
 */
function mobileNetLike(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [16, 16, 3], name: 'input' });
  let x: ST = tfl.layers.conv2d({ name: 'conv1', filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as ST;
  const bns: tfl.layers.Layer[] = [];
  const bn = (name: string) => {
    const l = tfl.layers.batchNormalization({ name, epsilon: 1e-3 });
    bns.push(l);
    return l;
  };
  x = bn('conv1_bn').apply(x) as ST;
  x = tfl.layers.activation({ name: 'conv1_relu', activation: 'relu6' }).apply(x) as ST;
  x = tfl.layers.zeroPadding2d({ name: 'conv_pad_2', padding: [[0, 1], [0, 1]] }).apply(x) as ST;
  x = tfl.layers.depthwiseConv2d({ name: 'conv_dw_2', kernelSize: 3, strides: 2, padding: 'valid', depthMultiplier: 2, useBias: false, depthwiseInitializer: init(2) }).apply(x) as ST;
  x = bn('conv_dw_2_bn').apply(x) as ST;
  x = tfl.layers.reLU({ name: 'conv_dw_2_relu', maxValue: 6 }).apply(x) as ST;
  x = tfl.layers.conv2d({ name: 'conv_pw_2', filters: 12, kernelSize: 1, useBias: true, kernelInitializer: init(3), biasInitializer: 'ones' }).apply(x) as ST;
  x = bn('conv_pw_2_bn').apply(x) as ST;
  x = tfl.layers.activation({ name: 'conv_pw_2_relu', activation: 'relu' }).apply(x) as ST;
  x = tfl.layers.dropout({ name: 'dropout', rate: 0.5 }).apply(x) as ST;
  x = tfl.layers.reshape({ name: 'reshape', targetShape: [4, 4, 12] }).apply(x) as ST;
  x = tfl.layers.depthwiseConv2d({ name: 'conv_dw_3', kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init(4) }).apply(x) as ST;
  const model = tfl.model({ inputs: input, outputs: x, name: 'mobilenet_like' });
  bns.forEach((l, i) => randomizeBatchNorm(l, 10 * i + 1));
  return model;
}

function batch(n: number): tf.Tensor4D {
  return tf.tensor4d(values(n * 16 * 16 * 3, 5, -1, 1), [n, 16, 16, 3]);
}

/** Max |a - b| divided by max |a|. */
function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(a)).dataSync()[0]!);
}

for (const backend of ['cpu', 'wasm']) {
  test(`${backend}: the compiled forward equals predict (BN folded, padding merged, activations fused)`, async () => {
    await tf.setBackend(backend);
    const model = mobileNetLike();
    const compiled = compileOrThrow(model);
    assert.deepEqual(compiled.plan, [
      'conv1+conv1_bn+conv1_relu: conv2d 3x3/2 same relu6',
      'conv_pad_2+conv_dw_2+conv_dw_2_bn+conv_dw_2_relu: depthwiseConv2d 3x3/2 pad [[0,1],[0,1]] relu6',
      'conv_pw_2+conv_pw_2_bn+conv_pw_2_relu: conv2d 1x1/1 valid relu',
      'reshape: reshape [-1,4,4,12]',
      'conv_dw_3: depthwiseConv2d 3x3/1 same relu',
    ]);
    const x = batch(3);
    const expected = model.predict(x) as tf.Tensor;
    const got = compiled.run(x);
    assert.deepEqual(got.shape, [3, 4, 4, 12]);
    assert.deepEqual(expected.shape, [3, 4, 4, 12]);
    const rel = relativeDiff(expected, got);
    assert.ok(rel < 1e-5, `relative difference ${rel}`);
    // The BatchNorm statistics matter: the same graph without BN folding would be far off.
    assert.ok(tf.tidy(() => tf.max(expected).dataSync()[0]!) > 0.1, 'activations are not all zero');
    tf.dispose([x, expected, got]);
    compiled.dispose();
    model.dispose();
  });

  test(`${backend}: ZeroPadding2D kept as a pad op gives the same output`, async () => {
    await tf.setBackend(backend);
    const model = mobileNetLike();
    const merged = compileOrThrow(model, { mergePadding: true });
    const separate = compileOrThrow(model, { mergePadding: false });
    assert.equal(separate.plan[1], 'conv_pad_2: pad [[0,1],[0,1]]');
    assert.equal(separate.plan[2], 'conv_dw_2+conv_dw_2_bn+conv_dw_2_relu: depthwiseConv2d 3x3/2 valid relu6');
    const x = batch(2);
    const a = merged.run(x);
    const b = separate.run(x);
    assert.ok(relativeDiff(a, b) < 1e-6);
    tf.dispose([x, a, b]);
    merged.dispose();
    separate.dispose();
    model.dispose();
  });
}

test('no tensor outlives compile, run and dispose', async () => {
  await tf.setBackend('cpu');
  const model = mobileNetLike();
  const x = batch(2);
  const before = tf.memory().numTensors;
  const compiled = compilePrefix(model)!;
  // Kernel and bias of each of the 4 convolutions.
  assert.equal(tf.memory().numTensors, before + 8);
  const y = compiled.run(x);
  assert.equal(tf.memory().numTensors, before + 9, 'only the output stays');
  y.dispose();
  compiled.dispose();
  compiled.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => compiled.run(x), /compiled prefix of "mobilenet_like" was disposed/);
  x.dispose();
  model.dispose();
});

function chain(build: (input: ST) => ST): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3], name: 'input' });
  return tfl.model({ inputs: input, outputs: build(input), name: 'probe' });
}
const conv = (name: string, opts: Partial<Parameters<typeof tfl.layers.conv2d>[0]> = {}) => tfl.layers.conv2d({ name, filters: 4, kernelSize: 3, padding: 'same', ...opts });

test('graphs it does not understand are not compiled, and say why', async () => {
  await tf.setBackend('cpu');
  const cases: { model: tfl.LayersModel; why: RegExp }[] = [
    { model: chain((x) => tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(conv('c').apply(x)) as ST), why: /layer "pool" of class MaxPooling2D/ },
    { model: chain((x) => tfl.layers.batchNormalization({ name: 'bn_first' }).apply(x) as ST), why: /"bn_first": BatchNormalization does not directly follow a convolution/ },
    { model: chain((x) => tfl.layers.batchNormalization({ name: 'bn_after_relu' }).apply(conv('c', { activation: 'relu' }).apply(x)) as ST), why: /"bn_after_relu": BatchNormalization does not/ },
    {
      model: chain((x) => tfl.layers.batchNormalization({ name: 'bn_twice' }).apply(tfl.layers.batchNormalization({ name: 'bn_once' }).apply(conv('c').apply(x))) as ST),
      why: /"bn_twice": BatchNormalization does not/,
    },
    { model: chain((x) => tfl.layers.activation({ name: 'soft', activation: 'sigmoid' }).apply(conv('c').apply(x)) as ST), why: /"soft": activation sigmoid/ },
    { model: chain((x) => tfl.layers.reLU({ name: 'relu4', maxValue: 4 }).apply(conv('c').apply(x)) as ST), why: /"relu4": activation/ },
    { model: chain((x) => conv('causal_like', { activation: 'elu' }).apply(x) as ST), why: /"causal_like": activation elu/ },
    {
      // A residual branch: the add layer has two inputs.
      model: chain((x) => {
        const a = conv('a').apply(x) as ST;
        const b = conv('b').apply(a) as ST;
        return tfl.layers.add({ name: 'sum' }).apply([a, b]) as ST;
      }),
      why: /layer "sum" does not have exactly one input and one output/,
    },
    { model: chain((x) => tfl.layers.flatten({ name: 'flat' }).apply(conv('c').apply(x)) as ST), why: /output \[null,256\] is not rank 4/ },
  ];
  for (const { model, why } of cases) {
    const before = tf.memory().numTensors;
    assert.equal(compilePrefix(model), null, model.layers.map((l) => l.name).join(','));
    assert.throws(() => compileOrThrow(model), (e: unknown) => e instanceof NotCompilable && why.test(e.message));
    assert.equal(tf.memory().numTensors, before, 'nothing left behind by a failed compile');
    model.dispose();
  }
});

test('computeFeatures runs the compiled forward', async () => {
  await tf.setBackend('cpu');
  const model = mobileNetLike();
  const N = 5;
  const pixels = values(N * 16 * 16 * 3, 9, -1, 1);
  const images: InputSource = syncSource(N, (idx) => tf.tensor4d(Float32Array.from(idx.flatMap((i) => [...pixels.subarray(i * 768, (i + 1) * 768)])), [idx.length, 16, 16, 3]));
  const before = tf.memory().numTensors;
  const table = (await computeFeatures(model, images, false, 2))!;
  assert.equal(tf.memory().numTensors, before, 'the folded weights are disposed after the pass');
  const got = new Float32Array(N * 192);
  for (let i = 0; i < N; i++) table.read(i, false, got, i * 192);
  const x = tf.tensor4d(pixels, [N, 16, 16, 3]);
  const compiled = compilePrefix(model)!;
  const viaCompiled = compiled.run(x);
  const viaPredict = model.predict(x) as tf.Tensor;
  // Bit-identical to the compiled forward, which float rounding sets apart from predict's.
  assert.deepEqual(got, viaCompiled.dataSync());
  assert.notDeepEqual(got, viaPredict.dataSync());
  assert.ok(relativeDiff(viaPredict, viaCompiled) < 1e-5);
  tf.dispose([x, viaCompiled, viaPredict]);
  compiled.dispose();
  model.dispose();
});
