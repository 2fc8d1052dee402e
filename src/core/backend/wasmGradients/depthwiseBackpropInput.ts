// dx of a depthwise convolution as a forward depthwise convolution (which wasm runs fast through
// XNNPACK): dy spread onto the input grid (zeros between strided positions), convolved with the
// padding of a full correlation at stride 1 with the spatially flipped filter.
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo, spreadGradient } from './convGeometry';
import { opsKernel } from './opsKernel';

export const depthwiseBackpropInputKernel = opsKernel(
  tf.DepthwiseConv2dNativeBackpropInput,
  ['dy', 'filter'],
  ({ dy, filter }, attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs) => {
    checkSupported(tf.DepthwiseConv2dNativeBackpropInput, undefined, attrs.dilations);
    const w = filter as tf.Tensor4D;
    const info = convInfo(attrs.inputShape, w.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode, true);
    const [fh, fw, inC, mult] = w.shape;
    const { g, pad } = spreadGradient(dy as tf.Tensor4D, info);
    const flipped = tf.reverse(w, [0, 1]);
    if (mult === 1) return tf.depthwiseConv2d(g, flipped, 1, pad);
    const parts: tf.Tensor4D[] = [];
    // Channel multiplier q: convolve dy's q-th slice of every channel with filter slice q, and sum.
    const [n, h, wd] = g.shape;
    const g5 = tf.reshape(g, [n, h, wd, inC, mult]);
    for (let q = 0; q < mult; q++) {
      const gq: tf.Tensor4D = tf.reshape(tf.slice(g5, [0, 0, 0, 0, q], [-1, -1, -1, -1, 1]), [n, h, wd, inC]);
      const wq: tf.Tensor4D = tf.slice(flipped, [0, 0, 0, q], [fh, fw, inC, 1]);
      parts.push(tf.depthwiseConv2d(gq, wq, 1, pad));
    }
    return tf.addN(parts);
  },
);
