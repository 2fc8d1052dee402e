// Training ops whose tfjs compositions are slow on the in-process backends (wasm, cpu): each is
// one kernel forward and one backward, SIMD loops on wasm (wasmSimd.ts) and plain loops
// otherwise (kernelArrays.ts). The model layer hooks (src/core/model/fastLayers.ts) use them
// when the active backend has them.
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_TRAINING, registerBatchNormTraining } from './batchNormTraining';
import { registerRelu6 } from './relu6';

export { batchNormTraining } from './batchNormTraining';
export { relu6 } from './relu6';

/** Registers the kernels and gradients. Idempotent. */
export function registerTrainingOps(): void {
  registerBatchNormTraining();
  registerRelu6();
}

/** Whether the active backend runs these ops (true on wasm and cpu once registered). */
export function trainingOpsActive(): boolean {
  return tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined;
}
