// computeFeatures with the disk cache on a tiny convolutional prefix: what it stores equals what
// the prefix computes, a second pass is all hits, and a changed image, weight, boundary or
// preprocessing is a miss that is recomputed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FeatureCache } from '../../src/core/cache';
import { computeFeatures, featureSource, syncSource, type InputSource } from '../../src/core/train/sources';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 7;
const SHAPE = [8, 8, 3];
const PIX = 8 * 8 * 3;

function network(seed: number) {
  const input = tfl.input({ shape: SHAPE, name: 'input' });
  const c1 = tfl.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(input) as tfl.SymbolicTensor;
  const c2 = tfl.layers.conv2d({ name: 'conv2', filters: 2, kernelSize: 3, strides: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(c1) as tfl.SymbolicTensor;
  return { conv1: tfl.model({ inputs: input, outputs: c1 }), conv2: tfl.model({ inputs: input, outputs: c2 }) };
}

function images(pixels: Float32Array): InputSource {
  return syncSource(pixels.length / PIX, (indices, flip) => {
    const x = tf.tensor4d(Float32Array.from(indices.flatMap((ex) => [...pixels.subarray(ex * PIX, (ex + 1) * PIX)])), [indices.length, 8, 8, 3]);
    if (!flip?.some(Boolean)) return x;
    const out = tf.reverse(x, 2);
    x.dispose();
    return out;
  });
}

const pixels = Float32Array.from({ length: N * PIX }, (_, i) => Math.sin(i * 0.37));
const keys = Array.from({ length: N }, (_, i) => `sha1-of-image-${i}`);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-feat-'));

async function pass(cache: FeatureCache, prefix: tfl.LayersModel, boundary: string, opts: { px?: Float32Array; k?: string[]; mirrored?: boolean; preprocess?: string } = {}) {
  const pack = (await cache.packFor({ prefix, boundary, preprocess: opts.preprocess ?? 'unit', imageShape: SHAPE }))!;
  const table = await computeFeatures(prefix, images(opts.px ?? pixels), opts.mirrored ?? false, 3, undefined, undefined, { cache, pack, keys: opts.k ?? keys });
  return { table: table!, pack };
}

function expected(prefix: tfl.LayersModel, px: Float32Array, ex: number, mirrored = false): Float32Array {
  return tf.tidy(() => {
    const y = prefix.predict(images(px).batch([ex], [mirrored])) as tf.Tensor;
    return y.dataSync() as Float32Array;
  });
}

function readAll(table: { read: (ex: number, m: boolean, out: Float32Array, o: number) => void; shape: number[] }, ex: number, mirrored = false) {
  const out = new Float32Array(table.shape.reduce((a, b) => a * b, 1));
  table.read(ex, mirrored, out, 0);
  return out;
}

const close = (a: Float32Array, b: Float32Array) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `value ${i}: ${a[i]} vs ${b[i]}`);
};

test('first pass misses every example and stores what the prefix computes; second pass hits all', async () => {
  const cache = new FeatureCache({ dir: tmp() });
  const { conv1 } = network(1);
  const first = await pass(cache, conv1, 'conv1');
  assert.deepEqual([first.table.hits, first.table.misses], [0, N]);
  assert.deepEqual(first.table.shape, [8, 8, 4]);
  for (const ex of [0, 3, 6]) close(readAll(first.table, ex), expected(conv1, pixels, ex));
  cache.close();

  const again = new FeatureCache({ dir: cache.dir });
  const second = await pass(again, conv1, 'conv1');
  assert.deepEqual([second.table.hits, second.table.misses], [N, 0]);
  assert.equal(second.pack.entries, N);
  // Batches built from the cache equal the prefix's output for those examples.
  const x = featureSource(second.table, N).batch([5, 1]);
  assert.deepEqual(x.shape, [2, 8, 8, 4]);
  close((x.dataSync() as Float32Array).subarray(0, 256), expected(conv1, pixels, 5));
  // load() reads the same entries in the thread pool (the prefetch path of the training loop).
  const loaded = await featureSource(second.table, N).load([5, 1]);
  assert.deepEqual(Array.from(loaded.dataSync()), Array.from(x.dataSync()));
  tf.dispose([x, loaded]);
  again.close();
});

test('a changed image is a miss and only it is recomputed', async () => {
  const cache = new FeatureCache({ dir: tmp() });
  const { conv1 } = network(1);
  await pass(cache, conv1, 'conv1');
  const px = pixels.slice();
  for (let i = 2 * PIX; i < 3 * PIX; i++) px[i] = 1 - px[i]!;
  const k = keys.slice();
  k[2] = 'sha1-of-edited-image-2';
  const { table, pack } = await pass(cache, conv1, 'conv1', { px, k });
  assert.deepEqual([table.hits, table.misses], [N - 1, 1]);
  assert.equal(pack.entries, N + 1);
  close(readAll(table, 2), expected(conv1, px, 2));
  close(readAll(table, 4), expected(conv1, pixels, 4));
  cache.close();
});

test('changed weights, boundary or preprocessing open another namespace: all misses', async () => {
  const cache = new FeatureCache({ dir: tmp() });
  const { conv1, conv2 } = network(1);
  const a = await pass(cache, conv1, 'conv1');
  const other = await pass(cache, network(2).conv1, 'conv1');
  assert.notEqual(other.pack.dir, a.pack.dir);
  assert.deepEqual([other.table.hits, other.table.misses], [0, N]);

  // The same architecture with one weight nudged.
  const nudged = network(1).conv1;
  const [kernel, bias] = nudged.getLayer('conv1').getWeights();
  nudged.getLayer('conv1').setWeights([kernel!, tf.add(bias!, tf.tensor1d([0, 0, 1e-3, 0]))]);
  const n = await pass(cache, nudged, 'conv1');
  assert.deepEqual([n.table.hits, n.table.misses], [0, N]);
  close(readAll(n.table, 1), expected(nudged, pixels, 1));

  const b = await pass(cache, conv2, 'conv2');
  assert.deepEqual([b.table.hits, b.table.misses], [0, N]);
  assert.deepEqual(b.table.shape, [3, 3, 2]);

  const p = await pass(cache, conv1, 'conv1', { preprocess: 'mobilenet' });
  assert.deepEqual([p.table.hits, p.table.misses], [0, N]);
  assert.equal(new Set([a, other, n, b, p].map((r) => r.pack.dir)).size, 5);

  // The original namespace is untouched by all of that.
  const back = await pass(cache, conv1, 'conv1');
  assert.deepEqual([back.table.hits, back.table.misses], [N, 0]);
  cache.close();
});

test('with flipping, both orientations are cached and read back', async () => {
  const cache = new FeatureCache({ dir: tmp() });
  const { conv1 } = network(1);
  const first = await pass(cache, conv1, 'conv1', { mirrored: true });
  assert.deepEqual([first.table.hits, first.table.misses], [0, 2 * N]);
  close(readAll(first.table, 3, true), expected(conv1, pixels, 3, true));
  close(readAll(first.table, 3, false), expected(conv1, pixels, 3, false));
  const src = featureSource(first.table, N);
  const [sync, loaded] = [src.batch([3, 3], [true, false]), await src.load([3, 3], [true, false])];
  assert.deepEqual(Array.from(loaded.dataSync()), Array.from(sync.dataSync()));
  close((loaded.dataSync() as Float32Array).subarray(0, 256), expected(conv1, pixels, 3, true));
  tf.dispose([sync, loaded]);
  const second = await pass(cache, conv1, 'conv1', { mirrored: true });
  assert.deepEqual([second.table.hits, second.table.misses], [2 * N, 0]);
  // Validation/test splits of the same images need only the plain orientation: already there.
  const plain = await pass(cache, conv1, 'conv1');
  assert.deepEqual([plain.table.hits, plain.table.misses], [N, 0]);
  cache.close();
});

test('without room under the size bound, features are computed in memory and nothing is written', async () => {
  const cache = new FeatureCache({ dir: tmp(), maxBytes: 1024 });
  const { conv1 } = network(1);
  const { table, pack } = await pass(cache, conv1, 'conv1');
  assert.deepEqual([table.hits, table.misses], [0, N]);
  assert.equal(pack.entries, 0);
  close(readAll(table, 6), expected(conv1, pixels, 6));
  const loaded = await featureSource(table, N).load([6]);
  close(loaded.dataSync() as Float32Array, expected(conv1, pixels, 6));
  loaded.dispose();
  cache.close();
});
