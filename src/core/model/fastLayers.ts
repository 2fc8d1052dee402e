// Layer hooks that route training through the fused ops of src/core/backend/trainingOps when the
// active backend has them (wasm, cpu): BatchNormalization in training mode, the relu6
// activation, and Conv2D in training mode without tfjs's fused-conv gradient. Results match
// tfjs's own layers (tests compare both); backends without the ops (tfjs-node) keep the layers'
// own code.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchNormTraining, relu6, trainingOpsActive } from '../backend/trainingOps';

type Layer = tfl.LayersModel['layers'][number];

/** A layer call's one input tensor, or null when it was given several. */
const singleInput = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null => (Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs);

/** The fields of tfjs-layers' BatchNormalization this needs (private in its typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

/**
 * Training-mode BatchNormalization of `layer` on the fused op, with the same moving-average
 * update as tfjs-layers; null when it does not apply (backend, axis not last, no scale/center).
 */
export function fastBatchNormTraining(layer: Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null {
  const bn = layer as unknown as BatchNormFields;
  const x = singleInput(inputs);
  if (!x || x.dtype !== 'float32' || x.rank < 2 || !trainingOpsActive()) return null;
  if (!bn.gamma || !bn.beta || (bn.axis !== -1 && bn.axis !== x.rank - 1)) return null;
  return tf.tidy(() => {
    const [y, mean, variance] = batchNormTraining(x, bn.gamma!.read(), bn.beta!.read(), bn.epsilon);
    const decay = 1 - bn.momentum;
    for (const [v, value] of [[bn.movingMean, mean], [bn.movingVariance, variance]] as const) {
      const orig = v.read();
      v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
    }
    return y;
  });
}

interface ActivationFields {
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor };
  maxValue?: number;
}

const relu6Patched = new WeakSet<object>();
const useRelu6 = (x: tf.Tensor): boolean => x.dtype === 'float32' && trainingOpsActive();

/**
 * Makes a relu6 layer use the fused relu6 (one-pass gradient) where available: an Activation
 * layer with 'relu6' (the tfjs-hosted MobileNets) or a ReLU layer with maxValue 6 (Keras 2.2+).
 */
export function useFastRelu6(layer: Layer): void {
  if (relu6Patched.has(layer)) return;
  const fields = layer as unknown as ActivationFields;
  const act = fields.activation;
  if (layer.getClassName() === 'Activation' && act?.getClassName() === 'relu6') {
    const original = act.apply.bind(act);
    // An own property on this layer's activation object; the class (and serialization) is unchanged.
    act.apply = (x: tf.Tensor) => (useRelu6(x) ? relu6(x) : original(x));
  } else if (layer.getClassName() === 'ReLU' && fields.maxValue === 6) {
    const original = layer.call;
    layer.call = function (this: Layer, inputs, kwargs) {
      const x = singleInput(inputs);
      return x && useRelu6(x) ? relu6(x) : original.call(this, inputs, kwargs);
    };
  } else {
    return;
  }
  relu6Patched.add(layer);
}

interface ConvFields {
  rank: number;
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
}

const convPatched = new WeakSet<Layer>();

/**
 * tfjs-layers runs Conv2D through tf.fused.conv2d, whose gradient computes the input's gradient
 * even when nothing needs it: for the first layer that is a full-resolution convolution over the
 * image batch every step (about a tenth of a MobileNet 0.25 step on wasm). In training mode the
 * hooked layer uses tf.conv2d, bias and activation as separate ops, whose gradients run only
 * where the tape asks for them. Inference keeps the fused path.
 */
export function useLazyConvGradients(layer: Layer): void {
  if (convPatched.has(layer) || layer.getClassName() !== 'Conv2D') return;
  const f = layer as unknown as ConvFields;
  const original = layer.call;
  layer.call = function (this: Layer, inputs, kwargs) {
    const x = singleInput(inputs);
    if (kwargs?.['training'] !== true || !x || x.rank !== 4 || f.rank !== 2 || f.dataFormat !== 'channelsLast' || (f.padding !== 'same' && f.padding !== 'valid') || !trainingOpsActive()) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const dilations = (Array.isArray(f.dilationRate) ? f.dilationRate : [f.dilationRate, f.dilationRate]) as [number, number];
      let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, f.kernel.read() as tf.Tensor4D, f.strides as [number, number], f.padding as 'same' | 'valid', 'NHWC', dilations);
      if (f.bias) y = tf.add(y, f.bias.read());
      return f.activation ? f.activation.apply(y) : y;
    });
  };
  convPatched.add(layer);
}
