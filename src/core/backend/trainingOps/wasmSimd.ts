// The fused training ops on tfjs-backend-wasm's heap through trainingOps.wat's SIMD loops. The
// module is instantiated once per wasm memory, importing it, so kernels pass tensors' byte
// offsets and nothing is copied. Per-channel scratch (shift, running totals, factors) is one
// temporary tensor per call. Null where it cannot work (threaded wasm's shared memory, no SIMD).
import * as tf from '@tensorflow/tfjs-core';
import { TRAINING_OPS_WASM } from './trainingOpsWasm';
import { backwardFactors, forwardFactors } from './batchNormFactors';

interface Exports {
  sums(u: number, w: number, rows: number, c: number, shift: number, square: number, s1: number, s2: number, b1: number, b2: number): void;
  affine(u: number, w: number, out: number, rows: number, c: number, p: number, q: number, r: number): void;
  relu6Grad(dy: number, x: number, dx: number, n: number): void;
  depthwiseFilterGrad(
    x: number, dy: number, dw: number, acc: number, blk: number, n: number, h: number, w: number, c: number,
    oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, padT: number, padL: number,
  ): void;
}

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(id: tf.DataId): boolean;
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, Exports | null>();

function exportsFor(memory: WebAssembly.Memory): Exports | null {
  if (instances.has(memory)) return instances.get(memory)!;
  let ex: Exports | null = null;
  try {
    compiled ??= new WebAssembly.Module(Buffer.from(TRAINING_OPS_WASM, 'base64'));
    ex = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Exports;
  } catch {
    compiled ??= null;
  }
  instances.set(memory, ex);
  return ex;
}

/** Per-channel vectors a kernel reads and writes in the heap: f32 (c floats) or f64 (c doubles). */
class Scratch {
  readonly info: tf.TensorInfo;
  readonly base: number;
  private next = 0;
  constructor(
    private readonly b: WasmBackendLike,
    private readonly c: number,
    floats: number,
  ) {
    this.info = b.makeOutput([floats * c], 'float32');
    this.base = b.dataIdMap.get(this.info.dataId)!.memoryOffset;
  }
  /** Byte offset of the next region of `floats` * c float32 slots. */
  take(floats: number): number {
    const at = this.base + this.next * 4 * this.c;
    this.next += floats;
    return at;
  }
  f32(at: number): Float32Array {
    return new Float32Array(this.b.wasm.HEAPU8.buffer, at, this.c);
  }
  f64(at: number): Float64Array {
    return new Float64Array(this.b.wasm.HEAPU8.buffer, at, this.c);
  }
  dispose(): void {
    this.b.disposeData(this.info.dataId);
  }
}

export interface SimdOps {
  batchNormForward(x: tf.TensorInfo, gamma: tf.TensorInfo, beta: tf.TensorInfo, epsilon: number): tf.TensorInfo[];
  batchNormBackward(dy: tf.TensorInfo, x: tf.TensorInfo, gamma: tf.TensorInfo, mean: tf.TensorInfo, variance: tf.TensorInfo, epsilon: number): tf.TensorInfo[];
  relu6Backward(dy: tf.TensorInfo, x: tf.TensorInfo): tf.TensorInfo;
  /** dW of a depthwise convolution with multiplier 1 and no dilation; channels a multiple of 4. */
  depthwiseFilterGrad(x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo;
}

const opsByBackend = new WeakMap<object, SimdOps | null>();

/** The SIMD ops for this wasm backend, or null (the caller keeps its plain loops). Built once per backend. */
export function simdOps(backend: unknown): SimdOps | null {
  const key = backend as object;
  if (!opsByBackend.has(key)) opsByBackend.set(key, buildOps(backend as WasmBackendLike));
  return opsByBackend.get(key)!;
}

function buildOps(b: WasmBackendLike): SimdOps | null {
  const memory = b.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const ex = exportsFor(memory);
  if (!ex) return null;
  const ptr = (t: tf.TensorInfo): number => b.dataIdMap.get(t.dataId)!.memoryOffset;
  const heapF32 = (t: tf.TensorInfo, n: number): Float32Array => new Float32Array(b.wasm.HEAPU8.buffer, ptr(t), n);
  return {
    batchNormForward(x, gamma, beta, epsilon) {
      const c = gamma.shape[0]!;
      const rows = tf.util.sizeFromShape(x.shape) / c;
      const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32')];
      const s = new Scratch(b, c, 9);
      const [shift, s1, s2, b1, b2] = [s.take(1), s.take(2), s.take(2), s.take(1), s.take(1)];
      try {
        // Sums of x - (first row): the shift keeps float32 block sums accurate when |mean| >> std.
        s.f32(shift).set(heapF32(x, c));
        s.f64(s1).fill(0);
        s.f64(s2).fill(0);
        ex.sums(ptr(x), ptr(x), rows, c, shift, 1, s1, s2, b1, b2);
        const [t1, t2, k0] = [s.f64(s1).slice(), s.f64(s2).slice(), s.f32(shift).slice()];
        s.f32(s1).fill(0); // reused as the zero q of affine below
        forwardFactors(rows, epsilon, t1, t2, k0, heapF32(gamma, c), heapF32(beta, c), {
          mean: heapF32(outs[1]!, c), variance: heapF32(outs[2]!, c), scale: s.f32(b1), offset: s.f32(b2),
        });
        ex.affine(ptr(x), ptr(x), ptr(outs[0]!), rows, c, b1, s1, b2);
      } finally {
        s.dispose();
      }
      return outs;
    },
    batchNormBackward(dy, x, gamma, mean, variance, epsilon) {
      const c = gamma.shape[0]!;
      const rows = tf.util.sizeFromShape(x.shape) / c;
      const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32')];
      const s = new Scratch(b, c, 9);
      const [s1, s2, b1, b2, p, q, r] = [s.take(2), s.take(2), s.take(1), s.take(1), s.take(1), s.take(1), s.take(1)];
      try {
        s.f64(s1).fill(0);
        s.f64(s2).fill(0);
        // s1 = sum(dy), s2 = sum(dy * (x - mean)) per channel.
        ex.sums(ptr(dy), ptr(x), rows, c, ptr(mean), 0, s1, s2, b1, b2);
        backwardFactors(rows, epsilon, s.f64(s1), s.f64(s2), heapF32(mean, c), heapF32(variance, c), heapF32(gamma, c), {
          dgamma: heapF32(outs[1]!, c), dbeta: heapF32(outs[2]!, c), p: s.f32(p), q: s.f32(q), r: s.f32(r),
        });
        ex.affine(ptr(dy), ptr(x), ptr(outs[0]!), rows, c, p, q, r);
      } finally {
        s.dispose();
      }
      return outs;
    },
    relu6Backward(dy, x) {
      const out = b.makeOutput(x.shape, 'float32');
      ex.relu6Grad(ptr(dy), ptr(x), ptr(out), tf.util.sizeFromShape(x.shape));
      return out;
    },
    depthwiseFilterGrad(x, dy, info) {
      const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
      const out = b.makeOutput([kh, kw, c, 1], 'float32');
      // f64 totals (2 floats a tap) and one output row's f32 block (1 float a tap).
      const s = new Scratch(b, kh * kw * c, 3);
      try {
        const [acc, blk] = [s.take(2), s.take(1)];
        ex.depthwiseFilterGrad(ptr(x), ptr(dy), ptr(out), acc, blk, n, h, w, c, oh, ow, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
      } finally {
        s.dispose();
      }
      return out;
    },
  };
}
