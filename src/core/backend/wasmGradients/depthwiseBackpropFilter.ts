// dW of a depthwise convolution: for each filter tap, the per-channel dot product of the input
// window with dy over batch and space (elementwise multiply + sum; no matrix product needed).
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo, padInput, window } from './convGeometry';
import { opsKernel } from './opsKernel';

export const depthwiseBackpropFilterKernel = opsKernel(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ['x', 'dy'],
  ({ x, dy }, attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs) => {
    checkSupported(tf.DepthwiseConv2dNativeBackpropFilter, undefined, attrs.dilations);
    const x4 = x as tf.Tensor4D;
    const info = convInfo(x4.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, true);
    const [fh, fw, inC, mult] = attrs.filterShape;
    const [n, oh, ow] = dy.shape as [number, number, number, number];
    // dy's channel c*mult+q belongs to input channel c, multiplier q.
    const dy5 = mult === 1 ? dy : tf.reshape(dy, [n, oh, ow, inC, mult]);
    const xPad = padInput(x4, info);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const win = window(xPad, info, i, j);
        const prod = mult === 1 ? tf.mul(win, dy5) : tf.mul(tf.reshape(win, [n, oh, ow, inC, 1]), dy5);
        taps.push(tf.sum(prod, [0, 1, 2])); // [inC] or [inC, mult]
      }
    }
    return tf.reshape(tf.stack(taps), [fh, fw, inC, mult]);
  },
);
