// Image batches assembled on the batch worker thread must equal the ones built on the training
// thread (same pixels, flips and preprocessing), and a bad request must fail clearly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeBatch, type Dataset, type Split } from '../../src/core/data';
import { prefetchCounts, prefetchMode, stopBatchWorker } from '../../src/core/data/prefetch';
import { imageSource } from '../../src/core/train/sources';
import { createRng } from '../../src/core/util/random';

before(async () => {
  await tf.setBackend('cpu');
});
after(async () => {
  await stopBatchWorker();
});

const SHAPE: [number, number, number] = [5, 7, 3];

function split(count: number, seed: number, shared: boolean): Split {
  const rng = createRng(seed, 'pixels');
  const size = count * SHAPE[0] * SHAPE[1] * SHAPE[2];
  // A view that does not start at its buffer's first byte, as a split could be.
  const images = shared ? new Uint8Array(new SharedArrayBuffer(size + 16), 16, size) : new Uint8Array(size);
  for (let i = 0; i < size; i++) images[i] = rng.int(256);
  const keys = Array.from({ length: count }, (_, i) => `k${i}`);
  return { count, images, labels: Int32Array.from(keys, (_, i) => i % 2), keys, files: keys };
}

function dataset(shared: boolean): Dataset {
  return { classes: ['a', 'b'], imageShape: SHAPE, preprocess: 'mobilenet', train: split(12, 1, shared), validation: split(3, 2, shared), test: split(3, 3, shared), skipped: [] };
}

for (const shared of [true, false]) {
  test(`the batch worker builds the same batches as the training thread (${shared ? 'shared' : 'copied'} pixels)`, async () => {
    assert.equal(prefetchMode(), 'worker', 'npm test builds dist/batchWorker.js first');
    const ds = dataset(shared);
    const src = imageSource(ds, ds.train);
    const indices = [11, 0, 5, 5, 3];
    const flips = [true, false, true, false, false];
    const before = prefetchCounts().worker;
    const [viaWorker, reference] = [await src.load(indices, flips), makeBatch(ds, ds.train, indices, { flip: flips })];
    assert.equal(prefetchCounts().worker, before + 1, 'assembled on the worker');
    assert.deepEqual(viaWorker.shape, [5, ...SHAPE]);
    assert.deepEqual(Array.from(viaWorker.dataSync()), Array.from(reference.x.dataSync()));
    // The flip really happened: example 5 plain and mirrored differ.
    const per = SHAPE[0] * SHAPE[1] * SHAPE[2];
    assert.notDeepEqual(Array.from(viaWorker.dataSync().slice(2 * per, 3 * per)), Array.from(viaWorker.dataSync().slice(3 * per, 4 * per)));
    // Several requests in flight come back to their own callers.
    const many = await Promise.all([[1], [2, 3], [4]].map((idx) => src.load(idx)));
    for (const [k, idx] of [[1], [2, 3], [4]].entries()) {
      const ref = makeBatch(ds, ds.train, idx);
      assert.deepEqual(Array.from(many[k]!.dataSync()), Array.from(ref.x.dataSync()));
      tf.dispose([ref.x, ref.y]);
    }
    src.dispose();
    tf.dispose([viaWorker, reference.x, reference.y, ...many]);
  });
}

test('a batch of an example outside the split fails with a message that says so', async () => {
  const ds = dataset(true);
  const src = imageSource(ds, ds.validation);
  await assert.rejects(src.load([0, 3]), /example index 3 out of range 0\.\.2/);
  src.dispose();
});

test('after dispose, the source registers its pixels again on the next load', async () => {
  const ds = dataset(true);
  const src = imageSource(ds, ds.test);
  const a = await src.load([2]);
  src.dispose();
  const b = await src.load([2]);
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  src.dispose();
  tf.dispose([a, b]);
});

test('a process that used the batch worker exits on its own, and not before its batch arrives', () => {
  const script = `
    const { SplitAssembler } = require('./src/core/data/prefetch.ts');
    const images = new Uint8Array(new SharedArrayBuffer(2 * 2 * 2 * 3)).fill(255);
    const train = { count: 2, images, labels: new Int32Array(2), keys: ['a', 'b'], files: ['a', 'b'] };
    const a = new SplitAssembler({ classes: ['a'], imageShape: [2, 2, 3], preprocess: 'unit', train }, train);
    a.pixels([1, 0]).then((p) => console.log('pixels', p.length, p[0]));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'exited by itself (not killed at the timeout)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pixels 24 1');
});
