import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { decodeImage, fillBatch, flipHorizontal, makeBatch, preprocessPixels, type Dataset, type Split } from '../../src/core/data';
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
