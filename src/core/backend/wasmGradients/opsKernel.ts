// Turns a function of tensors into a wasm kernel. Wrapping the kernel's inputs as tensors lets the
// body use ordinary ops (which run as nested wasm kernels, never on the gradient tape), and `tidy`
// frees every intermediate as soon as the kernel returns.
import * as tf from '@tensorflow/tfjs-core';

interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

/** A tensor over the kernel input's data that the kernel may dispose without freeing the input. */
function asTensor(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  // Ops pass their input tensors through as they are; those belong to the caller.
  if (info instanceof tf.Tensor) return info;
  // A bare TensorInfo: the wrapper's dispose drops a backend reference, so take one first.
  const t = tf.engine().makeTensorFromTensorInfo(info, backend);
  (backend as unknown as RefCounted).incRef(info.dataId);
  return t;
}

export function opsKernel<A, N extends string, O extends string = never>(
  kernelName: string,
  inputNames: readonly N[],
  body: (inputs: Record<N, tf.Tensor> & Partial<Record<O, tf.Tensor>>, attrs: A) => tf.Tensor,
  optionalNames: readonly O[] = [],
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      tf.tidy(() => {
        const wrapped = {} as Record<N, tf.Tensor>;
        for (const name of inputNames) {
          const info = inputs[name];
          if (!info) throw new Error(`${kernelName}: missing input '${name}'`);
          wrapped[name] = asTensor(info, backend as tf.KernelBackend);
        }
        const optional: Partial<Record<O, tf.Tensor>> = {};
        for (const name of optionalNames) {
          const info = inputs[name];
          if (info) optional[name] = asTensor(info, backend as tf.KernelBackend);
        }
        return body({ ...wrapped, ...optional }, attrs as unknown as A);
      }),
  };
}
