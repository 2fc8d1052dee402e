// tfjs's BatchNormalization ignores `trainable`: called with training=true it normalizes with
// the batch's statistics and updates its moving mean and variance, so a "frozen" base drifts
// (and behaves differently in training and inference). While a BN layer is frozen its `call`
// is wrapped to force inference mode; unfreezing removes the wrapper.
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.LayersModel['layers'][number];

const patched = new WeakSet<Layer>();

export function setBatchNormInference(layer: Layer, inference: boolean): void {
  if (inference && !patched.has(layer)) {
    const original = layer.call;
    // An own property shadows the prototype's call; deleting it restores the original.
    layer.call = function (this: Layer, inputs, kwargs) {
      return original.call(this, inputs, { ...kwargs, training: false });
    };
    patched.add(layer);
  } else if (!inference && patched.has(layer)) {
    delete (layer as { call?: unknown }).call;
    patched.delete(layer);
  }
}

export function isBatchNormInference(layer: Layer): boolean {
  return patched.has(layer);
}
