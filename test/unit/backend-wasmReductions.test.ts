// Sum and Mean over leading axes run as an average pooling on wasm (leadingReduce.ts); they must
// give the cpu backend's values, keep the stock kernels for every other reduction, and not leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWasmGradients } from '../../src/core/backend/wasmGradients';
import { handlesLeadingReduce } from '../../src/core/backend/wasmGradients/leadingReduce';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.731 + seed) * 3 + 0.5;
  return out;
}

interface Case { shape: number[]; axis: number | number[]; keepDims: boolean; handled: boolean }

const CASES: Case[] = [
  { shape: [8, 7, 7, 16], axis: [0, 1, 2], keepDims: false, handled: true }, // BatchNorm statistics
  { shape: [8, 7, 7, 16], axis: [2, 0, 1], keepDims: true, handled: true }, // any order, kept dims
  { shape: [5, 3], axis: 0, keepDims: false, handled: true }, // a dense layer's bias gradient
  { shape: [4, 3, 2], axis: [0, 1], keepDims: true, handled: true },
  { shape: [6], axis: 0, keepDims: false, handled: true }, // to a scalar
  { shape: [3, 4], axis: [0, 1], keepDims: false, handled: true },
  { shape: [2, 3, 4], axis: 1, keepDims: false, handled: false }, // not leading: stock
  { shape: [2, 3, 4], axis: -1, keepDims: true, handled: false },
  { shape: [1, 5], axis: 0, keepDims: false, handled: false }, // one row: stock (1-element window)
];

for (const op of ['sum', 'mean'] as const) {
  for (const [k, c] of CASES.entries()) {
    test(`${op} of ${c.shape.join('x')} over ${JSON.stringify(c.axis)}${c.keepDims ? ' (keepDims)' : ''}: wasm matches cpu`, async () => {
      registerWasmGradients();
      const data = values(c.shape.reduce((a, b) => a * b, 1), k);
      const run = (): { shape: number[]; data: Float32Array } => {
        const x = tf.tensor(data, c.shape);
        const y = op === 'sum' ? tf.sum(x, c.axis, c.keepDims) : tf.mean(x, c.axis, c.keepDims);
        const out = { shape: y.shape, data: y.dataSync() as Float32Array };
        tf.dispose([x, y]);
        return out;
      };
      await tf.setBackend('cpu');
      const cpu = run();
      await tf.setBackend('wasm');
      const info: tf.TensorInfo = { dataId: {}, shape: c.shape, dtype: 'float32' };
      assert.equal(handlesLeadingReduce({ inputs: { x: info }, attrs: { axis: c.axis, keepDims: c.keepDims }, backend: tf.backend() }), c.handled);
      const before = tf.memory().numTensors;
      const wasm = run();
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.deepEqual(wasm.shape, cpu.shape);
      // Float32 sums in another order: compare against the inputs' magnitude (a sum near zero
      // from cancelling terms has no meaningful relative error of its own).
      const scale = Math.max(...data.map(Math.abs), ...cpu.data.map(Math.abs));
      for (let i = 0; i < cpu.data.length; i++) {
        assert.ok(Math.abs(wasm.data[i]! - cpu.data[i]!) <= 1e-5 * scale, `element ${i}: ${wasm.data[i]} vs ${cpu.data[i]}`);
      }
    });
  }
}

test('integer sums keep the stock kernel and stay exact', async () => {
  registerWasmGradients();
  await tf.setBackend('wasm');
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 2 ** 24 + 1]], [3, 2], 'int32');
  const y = tf.sum(x, 0);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual([...y.dataSync()], [9, 2 ** 24 + 7]);
  tf.dispose([x, y]);
});
