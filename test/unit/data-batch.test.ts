import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { BatchPrefetcher, decodeImage, epochOrder, fillBatch, flipHorizontal, makeBatch, preprocessPixels, type Dataset, type Split } from '../../src/core/data';
import { createRng } from '../../src/core/util/random';

before(async () => {
  await tf.setBackend('cpu');
});

const H = 4;
const W = 6;
const C = 3;

function split(count: number, seed: number): Split {
  const rng = createRng(seed, 'pixels');
  const images = Uint8Array.from({ length: count * H * W * C }, () => rng.int(256));
  // Make 0 and 255 appear so the range check sees both ends.
  images[0] = 0;
  images[1] = 255;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
  const keys = Array.from({ length: count }, (_, i) => `k${i}`);
  return { count, images, labels, keys, files: keys };
}

function dataset(): Dataset {
  return { classes: ['a', 'b', 'c'], imageShape: [H, W, C], preprocess: 'mobilenet', train: split(50, 1), validation: split(10, 2), test: split(10, 3), skipped: [] };
}

test('preprocessPixels: mobilenet -1..1, unit 0..1, none raw', () => {
  const px = Uint8Array.from([0, 51, 255]);
  assert.deepEqual(Array.from(preprocessPixels(px, 'mobilenet')), [-1, Math.fround(51 / 127.5 - 1), 1]);
  assert.deepEqual(Array.from(preprocessPixels(px, 'unit')), [0, Math.fround(0.2), 1]);
  assert.deepEqual(Array.from(preprocessPixels(px, 'none')), [0, 51, 255]);
  assert.throws(() => preprocessPixels(px, 'unit', new Float32Array(2)), /need 3/);
});

test('makeBatch: shapes, one-hot labels, mobilenet range; no tensors leak', () => {
  const ds = dataset();
  const before = tf.memory().numTensors;
  const { x, y } = makeBatch(ds, ds.train, [0, 4, 8, 49]);
  assert.deepEqual(x.shape, [4, H, W, C]);
  assert.deepEqual(y.shape, [4, 3]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(y.arraySync(), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 1, 0],
  ]);
  const xs = x.dataSync();
  assert.equal(Math.min(...xs), -1);
  assert.equal(Math.max(...xs), 1);
  // Example 8's pixels, preprocessed.
  const size = H * W * C;
  assert.deepEqual(xs.subarray(2 * size, 3 * size), preprocessPixels(ds.train.images.subarray(8 * size, 9 * size), 'mobilenet'));
  tf.dispose([x, y]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => makeBatch(ds, ds.train, [50]), /example index 50 out of range 0..49/);
});

test('flipHorizontal mirrors a real photo exactly as libvips does', async () => {
  const file = path.resolve(__dirname, '../../../shared/assets/datasets/rock-paper-scissors/paper');
  const first = (await import('node:fs')).readdirSync(file).sort()[0]!;
  const { pixels } = await decodeImage(path.join(file, first), [24, 32]);
  const expected = await sharp(pixels, { raw: { width: 32, height: 24, channels: 3 } }).flop().raw().toBuffer();
  const mirrored = flipHorizontal(pixels, [24, 32, 3]);
  assert.deepEqual(mirrored, new Uint8Array(expected));
  assert.notDeepEqual(mirrored, pixels);
  assert.deepEqual(flipHorizontal(mirrored, [24, 32, 3]), pixels);
});

test('random flips: seeded, about half, train split only', () => {
  const ds = dataset();
  const all = Array.from({ length: 50 }, (_, i) => i);
  const a = fillBatch(ds, ds.train, all, { flipHorizontal: true, rng: createRng(9, 'augment') });
  const b = fillBatch(ds, ds.train, all, { flipHorizontal: true, rng: createRng(9, 'augment') });
  assert.deepEqual(a.flipped, b.flipped);
  assert.deepEqual(a.x, b.x);
  const n = a.flipped.filter(Boolean).length;
  assert.ok(n > 12 && n < 38, `${n} of 50 flipped`);
  // A flipped example's input is the mirrored image, an unflipped one the image itself.
  const size = H * W * C;
  const i = a.flipped.indexOf(true);
  const j = a.flipped.indexOf(false);
  const img = (k: number) => ds.train.images.subarray(k * size, (k + 1) * size);
  assert.deepEqual(a.x.subarray(i * size, (i + 1) * size), preprocessPixels(flipHorizontal(img(i), ds.imageShape), 'mobilenet'));
  assert.deepEqual(a.x.subarray(j * size, (j + 1) * size), preprocessPixels(img(j), 'mobilenet'));
  const v = fillBatch(ds, ds.validation, [0, 1, 2, 3], { flipHorizontal: true, rng: createRng(9, 'augment') });
  assert.deepEqual(v.flipped, [false, false, false, false]);
  assert.throws(() => fillBatch(ds, ds.train, [0], { flipHorizontal: true }), /needs a seeded rng/);
  // Explicit flips apply to any split.
  assert.deepEqual(fillBatch(ds, ds.test, [0, 1], { flip: [true, false] }).flipped, [true, false]);
});

test('the prefetcher yields the same batches as makeBatch, and leaks nothing', async () => {
  const ds = dataset();
  const order = epochOrder(ds.train.count, createRng(4, 'shuffle'));
  assert.deepEqual(Array.from(order).sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  const before = tf.memory().numTensors;

  const direct: { x: number[]; y: number[] }[] = [];
  const rngA = createRng(4, 'augment');
  for (let s = 0; s < 50; s += 16) {
    const { x, y } = makeBatch(ds, ds.train, order.subarray(s, s + 16), { flipHorizontal: true, rng: rngA });
    direct.push({ x: Array.from(x.dataSync()), y: Array.from(y.dataSync()) });
    tf.dispose([x, y]);
  }

  const pre = new BatchPrefetcher(ds, ds.train, { batchSize: 16, order, flipHorizontal: true, rng: createRng(4, 'augment') });
  assert.equal(pre.batches, 4);
  const sizes: number[] = [];
  let b = 0;
  for await (const { x, y, indices } of pre) {
    sizes.push(indices.length);
    assert.deepEqual(Array.from(x.dataSync()), direct[b]!.x);
    assert.deepEqual(Array.from(y.dataSync()), direct[b]!.y);
    tf.dispose([x, y]);
    // Give the prefetch its turn, as training's awaits would.
    await new Promise((r) => setImmediate(r));
    b++;
  }
  assert.deepEqual(sizes, [16, 16, 16, 2]);
  assert.equal(tf.memory().numTensors, before);

  // Stopping early: the batch prepared ahead holds no tensors.
  const early = new BatchPrefetcher(ds, ds.train, { batchSize: 8 });
  for await (const { x, y } of early) {
    tf.dispose([x, y]);
    break;
  }
  assert.deepEqual(await early.next(), { done: true, value: undefined });
  assert.equal(tf.memory().numTensors, before);
});

test('the prefetcher prepares the next batch while the caller awaits', async () => {
  const ds = dataset();
  const inner = createRng(5, 'augment');
  let draws = 0;
  const rng = { ...inner, next: () => (draws++, inner.next()) };
  const pre = new BatchPrefetcher(ds, ds.train, { batchSize: 10, flipHorizontal: true, rng });
  const first = await pre.next();
  assert.equal(draws, 10, 'only the first batch is built before it is returned');
  await new Promise((r) => setImmediate(r));
  assert.equal(draws, 20, 'the second batch was built during the await');
  if (!first.done) tf.dispose([first.value.x, first.value.y]);
  await pre.return();
  await new Promise((r) => setImmediate(r));
  assert.equal(draws, 20, 'nothing more is built after return()');
});
