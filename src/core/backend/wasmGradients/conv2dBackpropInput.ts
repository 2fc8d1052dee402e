// dx of a 2-D convolution. The stock wasm Conv2DBackpropInput loops over every output element in
// plain C++; these run in XNNPACK instead. 1x1 stride 1 without padding: dx = dy W^T on
// [N*H*W, C] views (W^T transposed explicitly: matMul's transpose flags are slow on wasm).
// Otherwise: dy spread onto the input grid and convolved at stride 1 with the spatially flipped
// filter whose in/out channel axes are swapped.
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo, spreadGradient } from './convGeometry';
import { isPointwise } from './conv2dBackpropFilter';
import { opsKernel } from './opsKernel';

export const conv2dBackpropInputKernel = opsKernel(tf.Conv2DBackpropInput, ['dy', 'filter'], ({ dy, filter }, attrs: tf.Conv2DBackpropInputAttrs) => {
  checkSupported(tf.Conv2DBackpropInput, attrs.dataFormat, 1);
  const w = filter as tf.Tensor4D;
  const dy4 = dy as tf.Tensor4D;
  const info = convInfo(attrs.inputShape, w.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode, false);
  const [, , inC, outC] = w.shape;
  if (isPointwise(info)) {
    const m = dy4.shape[0] * dy4.shape[1] * dy4.shape[2];
    const wT = tf.transpose(tf.reshape(w, [inC, outC]));
    return tf.reshape(tf.matMul(tf.reshape(dy4, [m, outC]) as tf.Tensor2D, wT), attrs.inputShape);
  }
  const { g, pad } = spreadGradient(dy4, info);
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(g, flipped, 1, pad);
});
