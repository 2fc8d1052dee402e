import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MnistDataSchema } from '../../src/core/experiment/schema';
import { loadDataset } from '../../src/core/data';
import { mnistDataDir } from '../../src/core/data/mnist';

const spec = (extra: Record<string, unknown> = {}) => MnistDataSchema.parse({ type: 'mnist', digits: [5, 6, 7, 8, 9], trainPerClass: 50, ...extra });
// Read the IDX files independently of the loader to check what it returns.
const raw = {
  trainLabels: readFileSync(path.join(mnistDataDir(), 'train-labels-idx1-ubyte')).subarray(8),
  testLabels: readFileSync(path.join(mnistDataDir(), 't10k-labels-idx1-ubyte')).subarray(8),
  testImages: readFileSync(path.join(mnistDataDir(), 't10k-images-idx3-ubyte')).subarray(16),
};
const indexOf = (id: string) => Number(id.split(':')[2]);

test('MNIST digits 5..9: 50 train per digit, disjoint validation, test from the test set', async () => {
  const ds = await loadDataset(spec(), { baseDir: '/unused', seed: 42 });
  assert.deepEqual(ds.classes, ['5', '6', '7', '8', '9']);
  assert.deepEqual(ds.imageShape, [28, 28, 1]);
  assert.equal(ds.preprocess, 'unit');
  assert.equal(ds.train.count, 250);
  assert.equal(ds.validation.count, 500);
  // Every test image of digits 5..9 (892 + 958 + 1028 + 974 + 1009).
  assert.equal(ds.test.count, 4861);
  for (let label = 0; label < 5; label++) assert.equal(ds.train.labels.filter((l) => l === label).length, 50);

  assert.ok(ds.train.keys.every((k) => k.startsWith('mnist:train:')));
  assert.ok(ds.validation.keys.every((k) => k.startsWith('mnist:train:')));
  assert.ok(ds.test.keys.every((k) => k.startsWith('mnist:test:')));
  const train = new Set(ds.train.keys);
  assert.equal(train.size, 250);
  assert.ok(ds.validation.keys.every((k) => !train.has(k)), 'validation overlaps train');

  // Labels map to the right digit, in every split.
  for (const [s, labels] of [[ds.train, raw.trainLabels], [ds.validation, raw.trainLabels], [ds.test, raw.testLabels]] as const) {
    s.keys.forEach((k, i) => assert.equal(labels[indexOf(k)], 5 + s.labels[i]!, k));
  }
  // Pixels are the image's own bytes, and not blank.
  for (const i of [0, 1000, 4860]) {
    const idx = indexOf(ds.test.keys[i]!);
    const mine = ds.test.images.subarray(i * 784, (i + 1) * 784);
    assert.deepEqual(mine, new Uint8Array(raw.testImages.subarray(idx * 784, (idx + 1) * 784)));
    assert.ok(mine.reduce((a, b) => a + b, 0) > 10000, `image ${ds.test.keys[i]} is blank`);
  }
});

test('MNIST choices follow the seed; validation does not move with trainPerClass', async () => {
  const load = (seed: number, extra?: Record<string, unknown>) => loadDataset(spec({ testPerClass: 20, ...extra }), { baseDir: '/unused', seed });
  const a = await load(1);
  const b = await load(1);
  const c = await load(2);
  assert.deepEqual(a.train.keys, b.train.keys);
  assert.deepEqual(a.test.keys, b.test.keys);
  assert.equal(a.test.count, 100);
  assert.notDeepEqual(a.train.keys, c.train.keys);
  assert.notDeepEqual(a.test.keys, c.test.keys);
  const more = await load(1, { trainPerClass: 80 });
  assert.deepEqual(more.validation.keys, a.validation.keys);
  assert.equal(more.train.count, 400);
  assert.ok(a.train.keys.every((k) => more.train.keys.includes(k)), 'a larger train set contains the smaller one');
});

test('MNIST spec errors are clear', async () => {
  await assert.rejects(loadDataset(spec({ digits: [1, 1, 2] }), { baseDir: '/', seed: 1 }), { message: 'data.digits lists 1 twice; each digit is one class' });
  await assert.rejects(loadDataset(spec({ digits: [5, 6], trainPerClass: 6000 }), { baseDir: '/', seed: 1 }), /MNIST has 5421 training images of digit 5: too few for validationPerClass 100 \+ trainPerClass 6000/);
  await assert.rejects(loadDataset(spec({ digits: [5, 6], testPerClass: 5000 }), { baseDir: '/', seed: 1 }), /MNIST has 892 test images of digit 5: too few for testPerClass 5000/);
});
