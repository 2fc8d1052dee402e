// Kernels written as plain loops over Float32Arrays, for the two backends whose tensors live in
// this process's memory: wasm (views into its heap) and cpu (the backend's own arrays). Outputs
// are allocated before any input view is taken, because allocating may grow the wasm heap and
// detach views taken earlier.
import * as tf from '@tensorflow/tfjs-core';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** The backends these kernels are registered for. */
const ARRAY_BACKENDS = ['wasm', 'cpu'] as const;

/** Registers a kernel family on every array backend (once) and its gradient. Idempotent. */
export function registerOnArrayBackends(kernels: (backendName: string) => tf.KernelConfig[], gradient: tf.GradConfig): void {
  for (const b of ARRAY_BACKENDS) for (const k of kernels(b)) if (!tf.getKernel(k.kernelName, b)) tf.registerKernel(k);
  if (!tf.getGradient(gradient.kernelName)) tf.registerGradient(gradient);
}

export type ArrayCompute = (inputs: Float32Array[], outputs: Float32Array[]) => void;

/** Runs `compute` on float32 views of `inputs` and of freshly allocated outputs of `outShapes`. */
export function runOnArrays(backendName: string, backend: unknown, inputs: tf.TensorInfo[], outShapes: number[][], compute: ArrayCompute): tf.TensorInfo[] {
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`expected float32 input, got ${t.dtype}`);
  if (backendName === 'wasm') {
    const b = backend as WasmLike;
    const outs = outShapes.map((s) => b.makeOutput(s, 'float32'));
    compute(
      inputs.map((t) => b.typedArrayFromHeap(t)),
      outs.map((t) => b.typedArrayFromHeap(t)),
    );
    return outs;
  }
  const b = backend as CpuLike;
  const outArrays = outShapes.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
  compute(
    inputs.map((t) => b.data.get(t.dataId).values as Float32Array),
    outArrays,
  );
  return outArrays.map((values, i) => b.makeTensorInfo(outShapes[i]!, 'float32', values));
}
