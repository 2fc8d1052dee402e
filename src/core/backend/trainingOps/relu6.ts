// relu6 with a one-pass gradient. tfjs-layers computes relu6 as minimum(6, relu(x)), whose
// gradient is six elementwise kernels over the activation (step, greater, two casts, two
// products); MobileNet runs it after every BatchNormalization. Forward is the backend's own
// ClipByValue; backward passes dy where 0 < x < 6, as the composite does (SIMD on wasm).
import * as tf from '@tensorflow/tfjs-core';
import { registerOnArrayBackends, runOnArrays } from './kernelArrays';
import { simdOps } from './wasmSimd';

export const RELU6 = 'TransferLabRelu6';
export const RELU6_GRAD = 'TransferLabRelu6Grad';

export function relu6Backward(dy: Float32Array, x: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = v > 0 && v < 6 ? dy[i]! : 0;
  }
}

function kernels(backendName: string): tf.KernelConfig[] {
  return [
    {
      kernelName: RELU6,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const clip = tf.getKernel(tf.ClipByValue, backendName);
        if (!clip) throw new Error(`${RELU6}: backend ${backendName} has no ClipByValue`);
        const attrs: tf.ClipByValueAttrs = { clipValueMin: 0, clipValueMax: 6 };
        return clip.kernelFunc({ inputs, backend, attrs: attrs as unknown as tf.NamedAttrMap });
      },
    },
    {
      kernelName: RELU6_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>;
        const simd = backendName === 'wasm' ? simdOps(backend) : null;
        if (simd) return simd.relu6Backward(dy, x);
        return runOnArrays(backendName, backend, [dy, x], [x.shape], ([d, xa], [dx]) => relu6Backward(d!, xa!, dx!))[0]!;
      },
    },
  ];
}

const gradient: tf.GradConfig = {
  kernelName: RELU6,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(RELU6_GRAD, { dy: dy as tf.Tensor, x: saved[0]! }) as tf.Tensor }),
};

/** Registers the kernels for wasm and cpu and their gradient. Idempotent. */
export const registerRelu6 = (): void => registerOnArrayBackends(kernels, gradient);

export function relu6(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(RELU6, { x }) as tf.Tensor;
}
