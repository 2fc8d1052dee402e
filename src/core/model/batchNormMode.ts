// Every BatchNormalization layer the engine trains gets one `call` wrapper, installed once, that
// decides how the layer runs:
// - frozen: tfjs's BatchNormalization ignores `trainable`; called with training=true it would
//   normalize with the batch's statistics and update its moving mean and variance, so a "frozen"
//   base would drift. A frozen layer always runs in inference mode.
// - trainable, training=true, on a backend with the fused training ops: one kernel forward and
//   one backward (fastLayers.ts) instead of tfjs's composite.
// - otherwise the layer's own call.
import type * as tfl from '@tensorflow/tfjs-layers';
import { fastBatchNormTraining, useFastRelu6, useLazyConvGradients } from './fastLayers';
import { isBatchNormLayer, isContainer } from './inspect';

type Layer = tfl.LayersModel['layers'][number];

const frozen = new WeakSet<Layer>();
const wrapped = new WeakSet<Layer>();

function wrap(layer: Layer): void {
  if (wrapped.has(layer)) return;
  const original = layer.call;
  layer.call = function (this: Layer, inputs, kwargs) {
    if (frozen.has(this)) return original.call(this, inputs, { ...kwargs, training: false });
    if (kwargs?.['training'] === true) {
      const fast = fastBatchNormTraining(this, inputs);
      if (fast) return fast;
    }
    return original.call(this, inputs, kwargs);
  };
  wrapped.add(layer);
}

export function setBatchNormInference(layer: Layer, inference: boolean): void {
  wrap(layer);
  if (inference) frozen.add(layer);
  else frozen.delete(layer);
}

export function isBatchNormInference(layer: Layer): boolean {
  return frozen.has(layer);
}

/**
 * Installs the training hooks on a layer (and inside nested models) as its `trainable` flags
 * stand: the BatchNormalization wrapper, frozen where the layer is not trainable, the fused relu6
 * and Conv2D's lazy gradients. applyPhase calls it after each freeze change; the benchmark's
 * train-all step on a plain model. Idempotent.
 */
export function useFastTrainingOps(layer: Layer): void {
  if (isContainer(layer)) for (const inner of layer.layers) useFastTrainingOps(inner);
  else if (isBatchNormLayer(layer)) setBatchNormInference(layer, !layer.trainable);
  else {
    useFastRelu6(layer);
    useLazyConvGradients(layer);
  }
}
