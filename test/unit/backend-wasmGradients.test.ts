// The gradient kernels added for wasm must agree with the cpu backend's reference kernels.
// Each case computes both sides from the same numbers, then compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The op gradients (Conv2D_grad etc.) are registered by tfjs-layers' Node bundle, as in training.
import '@tensorflow/tfjs-layers';
import { registerWasmGradients, WASM_GRADIENT_KERNELS, WASM_REPLACED_KERNELS } from '../../src/core/backend/wasmGradients';

function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** max |a - b| / max |b| */
function relError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  assert.ok(scale > 0, 'reference gradient is all zeros');
  return diff / scale;
}

type Conv = 'conv2d' | 'depthwise';
interface Case { kind: Conv; x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'same' | 'valid' }

const CASES: Case[] = [
  { kind: 'conv2d', x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { kind: 'conv2d', x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { kind: 'conv2d', x: [1, 8, 8, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { kind: 'conv2d', x: [2, 9, 6, 2], f: [3, 3, 2, 3], stride: 2, pad: 'valid' },
  { kind: 'conv2d', x: [2, 5, 5, 4], f: [1, 1, 4, 6], stride: 1, pad: 'same' },
  { kind: 'conv2d', x: [3, 6, 5, 4], f: [1, 1, 4, 2], stride: 1, pad: 'valid' },
  { kind: 'conv2d', x: [1, 6, 6, 2], f: [5, 5, 2, 3], stride: 1, pad: 'valid' },
  { kind: 'depthwise', x: [2, 7, 7, 3], f: [3, 3, 3, 1], stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [2, 7, 7, 3], f: [3, 3, 3, 1], stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [1, 8, 8, 4], f: [3, 3, 4, 1], stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 9, 6, 2], f: [3, 3, 2, 1], stride: 2, pad: 'valid' },
  { kind: 'depthwise', x: [2, 5, 7, 3], f: [3, 3, 3, 1], stride: 1, pad: 'valid' },
  { kind: 'depthwise', x: [1, 7, 7, 2], f: [3, 3, 2, 2], stride: 2, pad: 'same' },
  // MobileNet's shapes in small: conv1 (3x3 stride 2 'same' on an even size, 3 input channels),
  // pointwise 1x1 over a batch, stride-2 depthwise on an even size.
  { kind: 'conv2d', x: [3, 16, 16, 3], f: [3, 3, 3, 8], stride: 2, pad: 'same' },
  { kind: 'conv2d', x: [8, 6, 6, 16], f: [1, 1, 16, 24], stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [4, 12, 12, 8], f: [3, 3, 8, 1], stride: 2, pad: 'same' },
  // 1x1 stride 2 on an odd size: the spread gradient is longer than the correlation reads.
  { kind: 'conv2d', x: [2, 7, 7, 4], f: [1, 1, 4, 3], stride: 2, pad: 'same' },
  { kind: 'conv2d', x: [2, 7, 6, 3], f: [2, 2, 3, 2], stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 9, 8, 3], f: [5, 5, 3, 1], stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 6, 7, 2], f: [3, 3, 2, 3], stride: 1, pad: 'valid' },
  // Channels a multiple of 4, multiplier 1: the SIMD filter gradient (trainingOps.wat), with
  // 'valid' cuts, a 5x5 filter, stride 2 on odd sizes and more than one vector of channels.
  { kind: 'depthwise', x: [2, 9, 7, 4], f: [3, 3, 4, 1], stride: 2, pad: 'valid' },
  { kind: 'depthwise', x: [1, 9, 8, 8], f: [5, 5, 8, 1], stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [3, 7, 9, 12], f: [3, 3, 12, 1], stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 6, 5, 4], f: [5, 5, 4, 1], stride: 1, pad: 'valid' },
];

/** dL/dx and dL/dW of sum(conv(x, W) * r) for a fixed random r, on the current backend. */
function convGrads(c: Case, seed: number): [Float32Array, Float32Array] {
  const x = tf.tensor4d(randomArray(c.x.reduce((a, b) => a * b), seed), c.x);
  const w = tf.tensor4d(randomArray(c.f.reduce((a, b) => a * b), seed + 1), c.f);
  const fwd = (xx: tf.Tensor4D, ww: tf.Tensor4D): tf.Tensor4D =>
    c.kind === 'conv2d' ? tf.conv2d(xx, ww, c.stride, c.pad) : tf.depthwiseConv2d(xx, ww, c.stride, c.pad);
  const outShape = tf.tidy(() => fwd(x, w).shape);
  const r = tf.tensor(randomArray(outShape.reduce((a, b) => a * b), seed + 2), outShape);
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(fwd(xx as tf.Tensor4D, ww as tf.Tensor4D), r)))([x, w]);
  const out: [Float32Array, Float32Array] = [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  tf.dispose([x, w, r, dx!, dw!]);
  return out;
}

test('stock wasm lacks the convolution gradient kernels; registerWasmGradients adds them once', async () => {
  await tf.setBackend('wasm');
  for (const name of WASM_GRADIENT_KERNELS) assert.equal(tf.getKernel(name, 'wasm'), undefined, `${name} already on wasm`);
  const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
  const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
  assert.throws(() => tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same')))(w), /Conv2DBackpropFilter/);
  registerWasmGradients();
  registerWasmGradients();
  for (const name of WASM_GRADIENT_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), `${name} missing after registration`);
  assert.deepEqual([...WASM_GRADIENT_KERNELS].sort(), ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']);
  // Replaced stock kernels: registering twice wraps them once (same config object afterwards).
  const replaced = WASM_REPLACED_KERNELS.map((n) => tf.getKernel(n, 'wasm'));
  registerWasmGradients();
  assert.deepEqual(WASM_REPLACED_KERNELS.map((n) => tf.getKernel(n, 'wasm')), replaced);
  tf.dispose([x, w]);
});

for (const [k, c] of CASES.entries()) {
  const name = `${c.kind} x=${c.x.join('x')} f=${c.f.join('x')} stride ${c.stride} ${c.pad}: wasm gradients match cpu`;
  test(name, async () => {
    registerWasmGradients();
    await tf.setBackend('cpu');
    const [dxCpu, dwCpu] = convGrads(c, 100 + k);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const [dxWasm, dwWasm] = convGrads(c, 100 + k);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.ok(relError(dwWasm, dwCpu) < 1e-4, `dW relative error ${relError(dwWasm, dwCpu)}`);
    assert.ok(relError(dxWasm, dxCpu) < 1e-4, `dx relative error ${relError(dxWasm, dxCpu)}`);
  });
}
