// Identity (and Cast to the same dtype) on stock wasm copy the whole tensor. The engine clones
// every tensor it saves for a gradient through Identity (about 800 copies per MobileNet training
// step), and the ReLU/Square gradients cast float32 to float32. Tensors are immutable on every
// backend (a Variable's assign swaps its data id), so the result can share the input's data, as
// the cpu backend's Identity and wasm's own Reshape do: one more reference, no copy.
import * as tf from '@tensorflow/tfjs-core';

interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

function share(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = args.inputs.x!;
  (args.backend as unknown as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const sharedIdentityKernel: tf.KernelConfig = { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: share };
export const sharedCastKernel: tf.KernelConfig = { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: share };

/** Identity of anything but strings. */
export function handlesIdentity(args: Parameters<tf.KernelFunc>[0]): boolean {
  const x = args.inputs.x;
  return x !== undefined && x.dtype !== 'string';
}

/** Casts to the dtype the input already has (numeric). */
export function handlesSameDtypeCast(args: Parameters<tf.KernelFunc>[0]): boolean {
  const x = args.inputs.x;
  return x !== undefined && x.dtype !== 'string' && (args.attrs as unknown as tf.CastAttrs).dtype === x.dtype;
}
