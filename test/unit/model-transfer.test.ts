import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerStates, UnknownLayerError, type PlanPhase } from '../../src/shared/freezePlan';
import type { FreezePlanSpec } from '../../src/shared/model';
import { buildBuiltin } from '../../src/core/model/builtinModels';
import { loadBaseModel } from '../../src/core/model/load';
import { buildTransferModel, applyPhase, type TransferModel } from '../../src/core/model/transfer';
import { freshCopy } from '../../src/core/model/freshCopy';
import { saveModel, loadSavedModel } from '../../src/core/model/save';
import { describeModel, formatLayerTable } from '../../src/core/model/inspect';

before(async () => {
  await tf.setBackend('cpu');
});

// Keyed "<layer>/<weight>": variable names get unique suffixes when models are built repeatedly.
const weightsOf = (m: tfl.LayersModel) =>
  new Map(m.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.originalName.split('/').pop()}`, Array.from(w.read().dataSync())] as const)));
const head = { pooling: 'avg' as const, hidden: [8], dropout: 0 };

test('builtin:mnist-cnn has the documented named layers and seeded weights', async () => {
  const { model, source } = await loadBaseModel('builtin:mnist-cnn', { baseDir: '/', seed: 7 });
  assert.equal(source, 'builtin:mnist-cnn');
  const info = describeModel(model, 'builtin:mnist-cnn', source);
  assert.deepEqual(
    info.layers.map((l) => [l.name, l.className, l.outputShape, l.params]),
    [
      ['input', 'InputLayer', [null, 28, 28, 1], 0],
      ['conv1', 'Conv2D', [null, 26, 26, 16], 160],
      ['pool1', 'MaxPooling2D', [null, 13, 13, 16], 0],
      ['conv2', 'Conv2D', [null, 11, 11, 32], 4640],
      ['pool2', 'MaxPooling2D', [null, 5, 5, 32], 0],
      ['features', 'Flatten', [null, 800], 0],
      ['fc1', 'Dense', [null, 64], 51264],
      ['predictions', 'Dense', [null, 10], 650],
    ],
  );
  assert.equal(info.totalParams, 56714);
  assert.deepEqual(info.layers[3]!.inbound, ['pool1']);
  const table = formatLayerTable(info);
  assert.match(table, /^7 {2}fc1 +Dense +\[null,64\] +51,264 +features$/m);
  assert.match(table, /Total params: 56,714/);
  const again = buildBuiltin('mnist-cnn', 7);
  const other = buildBuiltin('mnist-cnn', 8);
  assert.deepEqual(weightsOf(again).get('conv1/kernel'), weightsOf(model).get('conv1/kernel'));
  assert.notDeepEqual(weightsOf(other).get('conv1/kernel'), weightsOf(model).get('conv1/kernel'));
  // Different layers of one model get different seeds.
  assert.notDeepEqual(weightsOf(model).get('fc1/kernel')!.slice(0, 20), weightsOf(model).get('conv2/kernel')!.slice(0, 20));
  for (const m of [model, again, other]) m.dispose();
});

test('the transfer model cuts the base and adds a head_ named head', () => {
  const base = buildBuiltin('mnist-cnn', 1);
  const tm = buildTransferModel(base, { cutAt: 'features', head: { pooling: 'avg', hidden: [16, 8], dropout: 0.25 } }, 3, 1);
  assert.deepEqual(tm.model.layers.map((l) => l.name), [
    'input', 'conv1', 'pool1', 'conv2', 'pool2', 'features',
    'head_dropout_1', 'head_dense_1', 'head_dropout_2', 'head_dense_2', 'head_dropout', 'head_predictions',
  ]);
  assert.deepEqual(tm.model.outputs[0]!.shape, [null, 3]);
  assert.deepEqual(tm.baseLayerNames, ['input', 'conv1', 'pool1', 'conv2', 'pool2', 'features', 'fc1', 'predictions']);
  // The base's weights are shared, not copied.
  assert.equal(tm.model.getLayer('conv1').getWeights()[0], base.getLayer('conv1').getWeights()[0]);
  const pooled = buildTransferModel(buildBuiltin('mnist-cnn', 1), { cutAt: 'conv2', head: { pooling: 'max', hidden: [], dropout: 0 } }, 2, 1);
  assert.deepEqual(pooled.headLayerNames, ['head_pool', 'head_predictions']);
  assert.equal(pooled.model.getLayer('head_pool').getClassName(), 'GlobalMaxPooling2D');
  assert.throws(() => buildTransferModel(base, { cutAt: 'featurs', head }, 3, 1), (err: Error) => {
    assert.ok(err instanceof UnknownLayerError);
    assert.deepEqual(err.suggestions, ['features']);
    assert.equal(err.message, 'model.cutAt: no layer named "featurs" in the base model (did you mean "features"?)');
    return true;
  });
});

function phase(tm: TransferModel, freeze: FreezePlanSpec, p: PlanPhase = {}) {
  return applyPhase(tm, layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'fc1', freeze }, p));
}

test('every freeze form trains the expected layers and splits at the frozen prefix', () => {
  const tm = buildTransferModel(buildBuiltin('mnist-cnn', 3), { cutAt: 'fc1', head }, 4, 3);
  const trainable = (a: ReturnType<typeof applyPhase>) => [...new Set(a.trainableWeights.map((v) => v.name.split('/')[0]))];
  const cases: [FreezePlanSpec, PlanPhase, string[], string | null][] = [
    ['all', {}, ['head_dense_1', 'head_predictions'], 'fc1'],
    ['none', {}, ['conv1', 'conv2', 'fc1', 'head_dense_1', 'head_predictions'], null],
    [{ upTo: 'pool1' }, {}, ['conv2', 'fc1', 'head_dense_1', 'head_predictions'], 'pool1'],
    [{ layers: ['conv2', 'fc1'] }, {}, ['conv1', 'head_dense_1', 'head_predictions'], null],
    ['all', { unfreezeFrom: 'conv2' }, ['conv2', 'fc1', 'head_dense_1', 'head_predictions'], 'pool1'],
  ];
  for (const [freeze, p, expected, boundary] of cases) {
    const states = layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'fc1', freeze }, p);
    const a = applyPhase(tm, states);
    const label = JSON.stringify([freeze, p]);
    assert.deepEqual(trainable(a), expected, label);
    assert.equal(a.boundary, boundary, label);
    assert.equal(tm.boundaryFor(states), boundary, label);
    assert.equal(a.prefix === null, boundary === null, label);
    const counts = tm.paramCounts(states);
    assert.equal(counts.trainable + counts.frozen, tm.model.countParams(), label);
    assert.equal(counts.trainable, a.trainableWeights.reduce((s, v) => s + v.size, 0), label);
    assert.deepEqual(tm.model.layers.filter((l) => l.trainable && tm.baseLayerNames.includes(l.name) && l.weights.length).map((l) => l.name), expected.filter((n) => !n.startsWith('head_')), label);
  }
});

test('prefix then suffix computes the full model, and training the suffix trains the shared head', () => {
  const tm = buildTransferModel(buildBuiltin('mnist-cnn', 5), { cutAt: 'fc1', head }, 3, 5);
  const a = phase(tm, { upTo: 'pool2' });
  assert.equal(a.boundary, 'pool2');
  assert.deepEqual(a.suffix.inputs[0]!.shape, [null, 5, 5, 32]);
  const x = tf.randomUniform([6, 28, 28, 1], 0, 1, 'float32', 11);
  const full = tm.model.predict(x) as tf.Tensor;
  const feats = a.prefix!.predict(x) as tf.Tensor;
  const split = a.suffix.apply(feats, { training: true }) as tf.Tensor;
  assert.deepEqual(split.shape, [6, 3]);
  const diff = tf.max(tf.abs(tf.sub(full, split))).dataSync()[0]!;
  assert.ok(diff < 1e-6, `max difference ${diff}`);

  const before = weightsOf(tm.model);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
  const opt = tf.train.adam(0.01);
  for (let i = 0; i < 3; i++) opt.minimize(() => tf.losses.softmaxCrossEntropy(y, a.suffix.apply(feats, { training: true }) as tf.Tensor) as tf.Scalar, false, a.trainableWeights);
  const after = weightsOf(tm.model);
  for (const [name, values] of before) {
    const changed = values.some((v, i) => v !== after.get(name)![i]);
    const shouldChange = /^(fc1|head_dense_1|head_predictions)\/kernel$/.test(name);
    if (name.endsWith('kernel')) assert.equal(changed, shouldChange, name);
    if (/^(conv1|conv2)\//.test(name)) assert.equal(changed, false, name);
  }
  tf.dispose([x, full, feats, split, y]);
});

test('a prefix that a later layer reads past falls back to the latest closed boundary', () => {
  const input = tfl.input({ shape: [8], name: 'in' });
  const a = tfl.layers.dense({ units: 4, name: 'a' }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.dense({ units: 4, name: 'b' }).apply(a) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
  const c = tfl.layers.dense({ units: 4, name: 'c' }).apply(sum) as tfl.SymbolicTensor;
  const base = tfl.model({ inputs: input, outputs: c });
  const tm = buildTransferModel(base, { cutAt: 'c', head }, 2, 1);
  const states = layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'c', freeze: { upTo: 'b' } });
  const ap = applyPhase(tm, states);
  assert.equal(ap.boundary, 'a');
  const x = tf.randomNormal([3, 8], 0, 1, 'float32', 2);
  const diff = tf.max(tf.abs(tf.sub(tm.model.predict(x) as tf.Tensor, ap.suffix.apply(ap.prefix!.predict(x) as tf.Tensor) as tf.Tensor))).dataSync()[0]!;
  assert.ok(diff < 1e-6);
  const none = applyPhase(tm, layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'c', freeze: { layers: ['b'] } }));
  assert.equal(none.boundary, null);
  assert.equal(none.suffix, tm.model);
});

test('saveModel writes a model that loads back bit-identical, with its metadata', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-save-'));
  try {
    const tm = buildTransferModel(buildBuiltin('mnist-cnn', 9), { cutAt: 'fc1', head }, 3, 9);
    const meta = { labels: ['a', 'b', 'c'], preprocess: 'unit' as const, imageSize: [28, 28] as [number, number] };
    await saveModel(tm.model, path.join(tmp, 'model'), meta);
    assert.deepEqual((await fs.readdir(path.join(tmp, 'model'))).sort(), ['model.json', 'transfer-lab.json', 'weights.bin']);
    const loaded = await loadSavedModel(path.join(tmp, 'model'));
    assert.deepEqual(loaded.meta, meta);
    assert.deepEqual(weightsOf(loaded.model), weightsOf(tm.model));
    assert.deepEqual(loaded.model.layers.map((l) => l.name), tm.model.layers.map((l) => l.name));
    // A saved run model is a base for a later experiment (run:<name> resolves to this folder).
    const again = await loadBaseModel(path.join(tmp, 'model'), { baseDir: tmp });
    assert.deepEqual(again.meta, meta);
    assert.equal(again.source, path.join(tmp, 'model', 'model.json'));
    await fs.writeFile(path.join(tmp, 'model', 'transfer-lab.json'), '{"labels":[]}');
    await assert.rejects(loadSavedModel(path.join(tmp, 'model')), /transfer-lab.json: expected \{"labels"/);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('freshCopy keeps the architecture and draws new, seeded weights', () => {
  const base = buildBuiltin('mnist-cnn', 1);
  const a = freshCopy(base, 5);
  const b = freshCopy(base, 5);
  const c = freshCopy(base, 6);
  assert.deepEqual(a.layers.map((l) => [l.name, l.getClassName()]), base.layers.map((l) => [l.name, l.getClassName()]));
  assert.equal(a.countParams(), base.countParams());
  const k = (m: tfl.LayersModel) => weightsOf(m).get('conv2/kernel');
  assert.deepEqual(k(a), k(b));
  assert.notDeepEqual(k(a), k(c));
  assert.notDeepEqual(k(a), k(base));
});

test('disposing the transfer model and its base frees every tensor, after any number of phases', () => {
  const before = tf.memory().numTensors;
  const base = buildBuiltin('mnist-cnn', 4);
  const tm = buildTransferModel(base, { cutAt: 'fc1', head }, 3, 4);
  for (const freeze of ['all', 'none', { upTo: 'conv2' }, 'all'] as FreezePlanSpec[]) {
    const a = phase(tm, freeze);
    if (a.prefix) tf.dispose(tf.tidy(() => a.prefix!.predict(tf.zeros([1, 28, 28, 1]))));
  }
  assert.ok(tf.memory().numTensors > before);
  tm.model.dispose();
  base.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('a nested model is described with its layers as children', () => {
  const innerIn = tfl.input({ shape: [4], name: 'inner_in' });
  const innerOut = tfl.layers.dense({ units: 3, name: 'inner_dense' }).apply(innerIn) as tfl.SymbolicTensor;
  const inner = tfl.model({ inputs: innerIn, outputs: innerOut, name: 'inner' });
  const input = tfl.input({ shape: [4], name: 'outer_in' });
  const out = tfl.layers.dense({ units: 2, name: 'outer_dense' }).apply(inner.apply(input) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const info = describeModel(tfl.model({ inputs: input, outputs: out }), 'nested', 'memory');
  assert.deepEqual(info.layers.map((l) => [l.name, l.className, l.params, l.inbound]), [
    ['outer_in', 'InputLayer', 0, []],
    ['inner', 'Model', 15, ['outer_in']],
    ['outer_dense', 'Dense', 8, ['inner']],
  ]);
  assert.deepEqual(info.layers[1]!.children!.map((l) => [l.name, l.outputShape, l.params]), [
    ['inner_in', [null, 4], 0],
    ['inner_dense', [null, 3], 15],
  ]);
  assert.equal(info.totalParams, 23);
  const table = formatLayerTable(info);
  assert.match(table, /^4 {4}inner_dense +Dense +\[null,3\] +15 +inner_in$/m);
  assert.match(table, /^Layers: 3 \(5 counting those inside nested models\)$/m);
  // A nested model in the base is one layer of the transfer model; freezing it freezes its layers.
  const base = tfl.model({ inputs: input, outputs: out });
  const tm = buildTransferModel(base, { cutAt: 'inner', head }, 2, 1);
  assert.deepEqual(tm.model.layers.map((l) => l.name), ['outer_in', 'inner', 'head_dense_1', 'head_predictions']);
  const all = applyPhase(tm, layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'inner', freeze: 'all' }));
  assert.equal(all.boundary, 'inner');
  assert.deepEqual(all.trainableWeights.map((v) => v.size), [24, 8, 16, 2]);
  const none = applyPhase(tm, layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt: 'inner', freeze: 'none' }));
  assert.equal(none.trainableWeights.length, 6);
  assert.deepEqual(describeModel(tm.model, 't', 'm').layers.map((l) => l.inbound), [[], ['outer_in'], ['inner'], ['head_dense_1']]);
});
