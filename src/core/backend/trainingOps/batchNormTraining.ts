// BatchNormalization in training mode as one kernel forward and one backward. tfjs-layers builds
// it from moments + batchNormalization, whose gradient is a dozen elementwise kernels per layer
// (a Tile of the whole activation among them); on wasm and cpu those were about half the time of
// a MobileNet training step. Here: forward = one pass for the per-channel sums (float64) and one
// to normalize; backward = one pass for the two per-channel sums and one to write dx. On wasm the
// passes are trainingOps.wat's SIMD loops (wasmSimd.ts) when channels are a multiple of 4.
// Same maths as tfjs (biased batch variance), channels-last only.
import * as tf from '@tensorflow/tfjs-core';
import { registerOnArrayBackends, runOnArrays } from './kernelArrays';
import { simdOps } from './wasmSimd';
import { backwardFactors, forwardFactors } from './batchNormFactors';

export const BATCH_NORM_TRAINING = 'TransferLabBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'TransferLabBatchNormTrainingGrad';

interface Attrs {
  epsilon: number;
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta over the last axis; also returns mean and var. */
export function batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number): void {
  const c = gamma.length;
  const shift = x.slice(0, c);
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) {
      const v = x[i + k]! - shift[k]!;
      sum[k]! += v;
      sumSq[k]! += v * v;
    }
  }
  const f = { mean, variance, scale: new Float32Array(c), offset: new Float32Array(c) };
  forwardFactors(x.length / c, epsilon, sum, sumSq, shift, gamma, beta, f);
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) y[i + k] = x[i + k]! * f.scale[k]! + f.offset[k]!;
  }
}

/** dx, dgamma, dbeta of batchNormForward, the batch statistics' dependence on x included. */
export function batchNormBackward(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, epsilon: number): void {
  const c = gamma.length;
  const sumDy = new Float64Array(c);
  const sumDyDev = new Float64Array(c);
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) {
      const g = dy[i + k]!;
      sumDy[k]! += g;
      sumDyDev[k]! += g * (x[i + k]! - mean[k]!);
    }
  }
  const f = { dgamma, dbeta, p: new Float32Array(c), q: new Float32Array(c), r: new Float32Array(c) };
  backwardFactors(x.length / c, epsilon, sumDy, sumDyDev, mean, variance, gamma, f);
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) dx[i + k] = f.p[k]! * dy[i + k]! + f.q[k]! * x[i + k]! + f.r[k]!;
  }
}

function channelsOf(x: tf.TensorInfo, gamma: tf.TensorInfo): number {
  const c = x.shape[x.shape.length - 1]!;
  if (gamma.shape.length !== 1 || gamma.shape[0] !== c) throw new Error(`${BATCH_NORM_TRAINING}: gamma of shape [${gamma.shape.join(',')}] for ${c} channels`);
  return c;
}

function useSimd(backendName: string, backend: unknown, x: tf.TensorInfo, c: number) {
  return backendName === 'wasm' && c % 4 === 0 && tf.util.sizeFromShape(x.shape) > 0 ? simdOps(backend) : null;
}

function kernels(backendName: string): tf.KernelConfig[] {
  return [
    {
      kernelName: BATCH_NORM_TRAINING,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
        const c = channelsOf(x, gamma);
        const simd = useSimd(backendName, backend, x, c);
        if (simd) return simd.batchNormForward(x, gamma, beta, (attrs as unknown as Attrs).epsilon);
        return runOnArrays(backendName, backend, [x, gamma, beta], [x.shape, [c], [c]], ([xa, ga, ba], [y, m, v]) =>
          batchNormForward(xa!, ga!, ba!, y!, m!, v!, (attrs as unknown as Attrs).epsilon),
        );
      },
    },
    {
      kernelName: BATCH_NORM_TRAINING_GRAD,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy, x, gamma, mean, variance } = inputs as Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance', tf.TensorInfo>;
        const c = channelsOf(x, gamma);
        const simd = useSimd(backendName, backend, x, c);
        if (simd) return simd.batchNormBackward(dy, x, gamma, mean, variance, (attrs as unknown as Attrs).epsilon);
        return runOnArrays(backendName, backend, [dy, x, gamma, mean, variance], [x.shape, [c], [c]], ([d, xa, ga, m, v], [dx, dg, db]) =>
          batchNormBackward(d!, xa!, ga!, m!, v!, dx!, dg!, db!, (attrs as unknown as Attrs).epsilon),
        );
      },
    },
  ];
}

const gradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  // The mean and variance outputs only feed the moving averages, so their gradients are ignored.
  // All three gradients come from one kernel run here, not inside the per-input closures: the
  // tape runs each closure in its own tidy, which would dispose the other two.
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, gamma, mean, variance] = saved as tf.Tensor[];
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

/** Registers the kernels for wasm and cpu and their gradient. Idempotent. */
export const registerBatchNormTraining = (): void => registerOnArrayBackends(kernels, gradient);

/** Training-mode batch normalization over the last axis: [normalized, batch mean, batch variance]. */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  const out = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta }, { epsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [out[0]!, out[1] as tf.Tensor1D, out[2] as tf.Tensor1D];
}
