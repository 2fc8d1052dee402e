// Minimum/Maximum/Greater against a scalar and FusedBatchNorm are replaced on wasm by
// compositions of faster kernels (elementwise.ts): same values as the cpu backend, exactly
// where the operation is exact, stock kernels for every other shape, no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The op gradients are registered by tfjs-layers' Node bundle, as in training.
import '@tensorflow/tfjs-layers';
import { registerWasmGradients } from '../../src/core/backend/wasmGradients';
import { handlesScalarOperand } from '../../src/core/backend/wasmGradients/elementwise';

/** Runs f on cpu and on wasm (checking for leaks there) and returns both results. */
async function both<T>(f: () => T): Promise<{ cpu: T; wasm: T }> {
  registerWasmGradients();
  await tf.setBackend('cpu');
  const cpu = f();
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const wasm = f();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked on wasm');
  return { cpu, wasm };
}

function read(t: tf.Tensor): { shape: number[]; dtype: string; values: number[] } {
  const out = { shape: t.shape, dtype: t.dtype, values: [...t.dataSync()] };
  t.dispose();
  return out;
}

// Special values: ties with 6, signed zeros, a subnormal, infinities, values far apart.
const SPECIAL = [6, -6, 0, -0, 1e-45, -1e-45, 5.9999995, 6.0000005, Infinity, -Infinity, 3e38, -3e38, 0.5, 7];
const ramp = Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => Math.sin(i * 1.7) * 9);

for (const [name, op] of [
  ['minimum', tf.minimum],
  ['maximum', tf.maximum],
  ['greater', tf.greater],
] as const) {
  test(`${name} with a scalar operand on either side matches cpu exactly (ties, zeros, subnormals, infinities)`, async () => {
    const cases: [tf.Tensor, tf.Tensor][] = [];
    const make = (): [tf.Tensor, tf.Tensor][] => [
      [tf.scalar(6), tf.tensor1d(SPECIAL)],
      [tf.tensor1d(SPECIAL), tf.scalar(6)],
      [tf.tensor4d([6], [1, 1, 1, 1]), tf.tensor4d(ramp, [2, 5, 4, 3])],
      [tf.tensor4d(ramp, [2, 5, 4, 3]), tf.tensor1d([0])],
      [tf.scalar(-Infinity), tf.tensor1d(SPECIAL)],
      // NaN compares false (for minimum/maximum NaN already differs between cpu and stock wasm).
      ...(name === 'greater' ? ([[tf.scalar(6), tf.tensor1d([NaN, 1])], [tf.tensor1d([NaN, 7]), tf.scalar(Infinity)], [tf.scalar(NaN), tf.tensor1d([1, 2])]] as [tf.Tensor, tf.Tensor][]) : []),
    ];
    const { cpu, wasm } = await both(() =>
      make().map(([a, b]) => {
        cases.push([a, b]);
        const out = read(op(a, b));
        tf.dispose([a, b]);
        return out;
      }),
    );
    for (const [k, c] of cpu.entries()) {
      assert.deepEqual(wasm[k]!.shape, c.shape, `case ${k} shape`);
      assert.equal(wasm[k]!.dtype, c.dtype, `case ${k} dtype`);
      assert.deepEqual(wasm[k]!.values, c.values, `case ${k} values`);
    }
  });
}

test('the scalar-operand replacements take only float32 pairs with one single-element side', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
  const handles = (a: tf.TensorInfo, b: tf.TensorInfo): boolean => handlesScalarOperand({ inputs: { a, b }, attrs: {}, backend: tf.backend() });
  assert.equal(handles(info([]), info([2, 3])), true);
  assert.equal(handles(info([2, 3]), info([1, 1])), true);
  assert.equal(handles(info([2, 3]), info([2, 3])), false); // same shape: stock
  assert.equal(handles(info([2, 3]), info([3])), false); // per-channel broadcast: stock
  assert.equal(handles(info([3]), info([1, 1, 1])), false); // the scalar side has the higher rank
  assert.equal(handles(info([2, 3], 'int32'), info([], 'int32')), false);
  assert.equal(handles(info([]), info([])), false);
});

test('FusedBatchNorm matches cpu: per-channel or broadcast parameters, with and without offset and scale', async () => {
  const c = 6;
  const x = Array.from({ length: 3 * 4 * 5 * c }, (_, i) => Math.cos(i * 0.91) * 4 + 2);
  const p = (seed: number, lo: number): number[] => Array.from({ length: c }, (_, i) => lo + Math.abs(Math.sin(i + seed)) * 2);
  const { cpu, wasm } = await both(() => tf.tidy(() => {
    const x4 = tf.tensor4d(x, [3, 4, 5, c]);
    const [mean, variance, offset, scale] = [p(1, -1), p(2, 0.1), p(3, -1), p(4, 0.5)].map((v) => tf.tensor1d(v));
    const as4 = (t: tf.Tensor): tf.Tensor4D => tf.reshape(t, [1, 1, 1, c]);
    const outs = [
      tf.batchNorm(x4, mean!, variance!, offset, scale, 1e-3),
      tf.batchNorm(x4, as4(mean!), as4(variance!), as4(offset!), as4(scale!), 1e-3),
      tf.batchNorm(x4, mean!, variance!, undefined, undefined, 1e-5),
      tf.batchNorm(tf.reshape(x4, [60, c]), mean!, variance!, offset, scale, 1e-3),
    ].map(read);
    return outs;
  }));
  for (const [k, ref] of cpu.entries()) {
    assert.deepEqual(wasm[k]!.shape, ref.shape);
    const scale = Math.max(...ref.values.map(Math.abs));
    const err = Math.max(...ref.values.map((v, i) => Math.abs(wasm[k]!.values[i]! - v)));
    assert.ok(err <= 1e-6 * scale, `case ${k}: max error ${err} against scale ${scale}`);
  }
});

test('Identity and same-dtype Cast share data on wasm: values survive disposing the source, memory returns to baseline', async () => {
  registerWasmGradients();
  await tf.setBackend('wasm');
  const base = tf.memory();
  const x = tf.tensor2d([1.5, -2, 3, 4e-40], [2, 2]);
  const copy = tf.clone(x); // Identity
  const same = tf.cast(x, 'float32');
  const ints = tf.tensor1d([7, -3], 'int32');
  const intsSame = tf.cast(ints, 'int32');
  const asFloat = tf.cast(ints, 'float32'); // a real conversion keeps the stock kernel
  // Three buffers: x's (shared by its two views), ints' (shared by its int view), the conversion's.
  assert.equal(tf.memory().numDataBuffers - base.numDataBuffers, 3);
  x.dispose();
  ints.dispose();
  assert.deepEqual([...copy.dataSync()], [1.5, -2, 3, 4e-40].map((v) => Math.fround(v)));
  assert.deepEqual([...same.dataSync()], [...copy.dataSync()]);
  assert.deepEqual([...intsSame.dataSync()], [7, -3]);
  assert.equal(asFloat.dtype, 'float32');
  assert.deepEqual([...asFloat.dataSync()], [7, -3]);
  tf.dispose([copy, same, intsSame, asFloat]);
  assert.equal(tf.memory().numTensors, base.numTensors);
  assert.equal(tf.memory().numDataBuffers, base.numDataBuffers);
});

test('a gradient through saved tensors is unchanged by the shared Identity (square, relu, relu6)', async () => {
  const xs = [-7, -1, -0.5, 0, 0.25, 1, 3, 5.5, 6, 6.5, 9];
  const { cpu, wasm } = await both(() =>
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.square(t), tf.minimum(6, tf.relu(tf.mul(t, 2))))))(x);
      return [...g.dataSync()];
    }),
  );
  assert.deepEqual(wasm, cpu);
});
