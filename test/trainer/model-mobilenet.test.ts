import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { layerStates, UnknownLayerError } from '../../src/shared/freezePlan';
import type { FreezePlanSpec } from '../../src/shared/model';
import { loadBaseModel, inspectModel, buildTransferModel, applyPhase, isCached, DownloadError, type TransferModel } from '../../src/core/model';
import { sharedModelsDir, startModelServer } from '../helpers/modelServer';

const MODEL_DIR = path.join(sharedModelsDir, 'mobilenet_v1_0.25_224');
let tmp = '';

before(async () => {
  await tf.setBackend('cpu');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-mobilenet-'));
  process.on('exit', () => void fs.rm(tmp, { recursive: true, force: true }));
});

test('the shared MobileNet v1 0.25 loads from disk and inspects as published', async () => {
  const info = await inspectModel(MODEL_DIR, { baseDir: '/' });
  assert.equal(info.layers.length, 88);
  assert.equal(info.totalParams, 475_544);
  assert.equal(info.source, path.join(MODEL_DIR, 'model.json'));
  assert.deepEqual(info.inputShape, [null, 224, 224, 3]);
  assert.deepEqual(info.outputShape, [null, 1000]);
  const cut = info.layers.find((l) => l.name === 'conv_pw_13_relu')!;
  assert.deepEqual(cut.outputShape, [null, 7, 7, 256]);
  assert.deepEqual(cut.inbound, ['conv_pw_13_bn']);
  const bn = info.layers.find((l) => l.name === 'conv_pw_13_bn')!;
  assert.equal(bn.isBatchNorm, true);
  // gamma, beta, moving mean, moving variance of 256 channels; the last two never train.
  assert.equal(bn.params, 1024);
  assert.equal(bn.nonTrainableParams, 512);
  assert.equal(info.layers.filter((l) => l.isBatchNorm).length, 27);
});

test('a model folder with a missing shard or an escaping shard path fails naming the file', async () => {
  const copy = path.join(tmp, 'broken');
  await fs.cp(MODEL_DIR, copy, { recursive: true });
  await fs.rm(path.join(copy, 'group7-shard1of1'));
  await assert.rejects(loadBaseModel(copy, { baseDir: '/' }), {
    name: 'ModelFileError',
    message: `${path.join(copy, 'model.json')}: weight shard "group7-shard1of1" is missing (expected ${path.join(copy, 'group7-shard1of1')})`,
  });
  const json = JSON.parse(await fs.readFile(path.join(MODEL_DIR, 'model.json'), 'utf8'));
  json.weightsManifest[3].paths = ['../mobilenet_v1_0.25_224/group4-shard1of1'];
  const escaping = path.join(tmp, 'escaping');
  await fs.mkdir(escaping);
  await fs.writeFile(path.join(escaping, 'model.json'), JSON.stringify(json));
  await assert.rejects(loadBaseModel(escaping, { baseDir: '/' }), {
    message: `${path.join(escaping, 'model.json')}: weight shard path "../mobilenet_v1_0.25_224/group4-shard1of1" goes up a folder (".."); shards must be files inside the model's folder`,
  });
});

test('a catalog id downloads into the cache once, then loads with the server stopped', async () => {
  const server = await startModelServer();
  const cacheDir = path.join(tmp, 'cache');
  const progress: [number, number][] = [];
  // A temporary folder a killed download left two hours ago is cleaned up.
  const stale = path.join(cacheDir, '.download-mobilenet_v1_0.25_224-0123456789ab');
  await fs.mkdir(stale, { recursive: true });
  await fs.writeFile(path.join(stale, 'model.json'), '{');
  const old = new Date(Date.now() - 2 * 3600_000);
  await fs.utimes(stale, old, old);
  try {
    const first = await loadBaseModel('mobilenet_v1_0.25_224', { baseDir: '/', cacheDir, catalogBaseUrl: server.baseUrl, onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(first.source, `${server.baseUrl}/mobilenet_v1_0.25_224/model.json`);
    assert.equal(first.catalog?.cutAt, 'conv_pw_13_relu');
    assert.equal(first.model.countParams(), 475_544);
    first.model.dispose();
    assert.equal(progress.length, 56);
    assert.deepEqual(progress.at(-1), [56, 56]);
    assert.equal(server.requests.length, 56);
    assert.equal(isCached('mobilenet_v1_0.25_224', cacheDir), true);
    assert.deepEqual(await fs.readdir(cacheDir), ['mobilenet_v1_0.25_224']);
  } finally {
    await server.close();
  }
  const again = await loadBaseModel('mobilenet_v1_0.25_224', { baseDir: '/', cacheDir, catalogBaseUrl: server.baseUrl });
  const local = await loadBaseModel(MODEL_DIR, { baseDir: '/' });
  const w = (m: tfl.LayersModel) => m.getLayer('conv_pw_13').getWeights()[0]!.dataSync();
  assert.deepEqual(w(again.model), w(local.model));
  again.model.dispose();
  local.model.dispose();
  assert.equal(server.requests.length, 56);
});

test('a failed download names the URL and leaves no cache entry', async () => {
  const server = await startModelServer();
  const cacheDir = path.join(tmp, 'cache-404');
  try {
    server.fail('/mobilenet_v1_0.25_224/group7-shard1of1');
    const url = `${server.baseUrl}/mobilenet_v1_0.25_224/model.json`;
    await assert.rejects(loadBaseModel(url, { baseDir: '/', cacheDir }), (err: Error) => {
      assert.ok(err instanceof DownloadError);
      assert.equal(err.message, `could not download ${server.baseUrl}/mobilenet_v1_0.25_224/group7-shard1of1: HTTP 404 Not Found`);
      return true;
    });
    assert.deepEqual(await fs.readdir(cacheDir), []);
    assert.equal(isCached(url, cacheDir), false);
    // A manifest that points outside the model folder is refused before any shard is fetched.
    const evil = path.join(tmp, 'served');
    await fs.mkdir(path.join(evil, 'm'), { recursive: true });
    await fs.writeFile(path.join(evil, 'm', 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../../secret'], weights: [] }] }));
    const other = await startModelServer(evil);
    try {
      await assert.rejects(loadBaseModel(`${other.baseUrl}/m/model.json`, { baseDir: '/', cacheDir }), {
        message: `${other.baseUrl}/m/model.json: weight shard path "../../secret" goes up a folder (".."); shards must be files inside the model's folder`,
      });
      assert.deepEqual(other.requests, ['/m/model.json']);
    } finally {
      await other.close();
    }
  } finally {
    await server.close();
  }
  // A truncated shard on the server is caught before the download is renamed into the cache.
  const truncated = path.join(tmp, 'served-truncated', 'm');
  await fs.cp(MODEL_DIR, truncated, { recursive: true });
  await fs.truncate(path.join(truncated, 'group2-shard1of1'), 10);
  const trServer = await startModelServer(path.dirname(truncated));
  try {
    await assert.rejects(loadBaseModel(`${trServer.baseUrl}/m/model.json`, { baseDir: '/', cacheDir }), {
      message: `${trServer.baseUrl}/m/model.json: weight shard "group2-shard1of1" holds 10 bytes, but the tensors listed for it (conv1_bn/gamma, conv1_bn/beta, conv1_bn/moving_mean, conv1_bn/moving_variance) need 128 bytes`,
    });
  } finally {
    await trServer.close();
  }
  assert.deepEqual(await fs.readdir(cacheDir), []);
  await assert.rejects(loadBaseModel(`${server.baseUrl}/x/model.json`, { baseDir: '/', cacheDir }), { message: `could not download ${server.baseUrl}/x/model.json: ECONNREFUSED` });
  assert.deepEqual(await fs.readdir(cacheDir), []);
});

// Every weight of the base layers, by layer and weight name, as exact float arrays.
function baseWeights(tm: TransferModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const l of tm.model.layers) {
    if (l.name.startsWith('head_')) continue;
    for (const w of l.weights) out.set(`${l.name}/${w.originalName.split('/').pop()}`, w.read().dataSync() as Float32Array);
  }
  return out;
}
const headKernel = (tm: TransferModel) => tm.model.getLayer('head_predictions').getWeights()[0]!.dataSync() as Float32Array;
const changed = (a: Float32Array, b: Float32Array) => a.some((v, i) => v !== b[i]);

test('frozen BatchNorm layers keep their moving statistics under training, unfrozen ones do not', async () => {
  const { model: base } = await loadBaseModel(MODEL_DIR, { baseDir: '/' });
  const cutAt = 'conv_pw_2_relu';
  const tm = buildTransferModel(base, { cutAt, head: { pooling: 'avg', hidden: [], dropout: 0 } }, 3, 1);
  assert.throws(() => buildTransferModel(base, { cutAt: 'conv_pw_2_rel', head: { pooling: 'avg', hidden: [], dropout: 0 } }, 3, 1), (err: Error) => {
    assert.ok(err instanceof UnknownLayerError);
    assert.equal(err.suggestions[0], 'conv_pw_2_relu');
    return true;
  });
  const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  const train = (freeze: FreezePlanSpec, viaFullModel: boolean, steps = 2) => {
    const a = applyPhase(tm, layerStates(tm.baseLayerNames, tm.isBatchNorm, { cutAt, freeze }));
    const input = viaFullModel || !a.prefix ? x : (a.prefix.predict(x) as tf.Tensor);
    const model = viaFullModel ? tm.model : a.suffix;
    const vars = viaFullModel ? tm.model.trainableWeights.map((w) => w.read() as tf.Variable) : a.trainableWeights;
    const opt = tf.train.sgd(0.1);
    for (let i = 0; i < steps; i++) opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(input, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
    opt.dispose();
    if (input !== x) input.dispose();
    return a;
  };

  // freeze "all": whether through the cached prefix or the whole model in training mode,
  // every base weight (BatchNorm moving mean and variance included) stays bit-identical.
  for (const viaFull of [false, true]) {
    const before = baseWeights(tm);
    const head0 = headKernel(tm);
    const a = train('all', viaFull);
    assert.equal(a.boundary, cutAt);
    const after = baseWeights(tm);
    assert.ok(before.has('conv1_bn/moving_mean') && before.has('conv_pw_2_bn/moving_variance'));
    for (const [name, v] of before) assert.equal(changed(v, after.get(name)!), false, `${name} changed (via ${viaFull ? 'model' : 'suffix'})`);
    assert.ok(changed(head0, headKernel(tm)), 'head weights should train');
  }

  // A frozen BN layer after trainable ones sits in the trained part and still keeps its statistics.
  const beforeMixed = baseWeights(tm);
  train({ layers: ['conv_pw_1_bn', 'conv_dw_2_bn'] }, false, 1);
  const afterMixed = baseWeights(tm);
  for (const n of ['conv_pw_1_bn', 'conv_dw_2_bn']) for (const s of ['moving_mean', 'moving_variance', 'gamma', 'beta']) assert.equal(changed(beforeMixed.get(`${n}/${s}`)!, afterMixed.get(`${n}/${s}`)!), false, `${n}/${s}`);
  assert.ok(changed(beforeMixed.get('conv1_bn/moving_mean')!, afterMixed.get('conv1_bn/moving_mean')!));

  // freeze "none" (after frozen phases: the inference patch is undone): statistics move.
  const beforeNone = baseWeights(tm);
  train('none', false, 1);
  const afterNone = baseWeights(tm);
  for (const n of ['conv1_bn', 'conv_pw_1_bn', 'conv_pw_2_bn']) {
    assert.ok(changed(beforeNone.get(`${n}/moving_mean`)!, afterNone.get(`${n}/moving_mean`)!), `${n}/moving_mean should change`);
    assert.ok(changed(beforeNone.get(`${n}/moving_variance`)!, afterNone.get(`${n}/moving_variance`)!), `${n}/moving_variance should change`);
  }
  assert.ok(changed(beforeNone.get('conv1/kernel')!, afterNone.get('conv1/kernel')!));
  tf.dispose([x, y]);
  tm.model.dispose();
  base.dispose();
});
