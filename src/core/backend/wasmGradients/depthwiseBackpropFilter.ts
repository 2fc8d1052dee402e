// dW of a depthwise convolution as one depthwise forward convolution over the (example, channel)
// pairs (filterGradient.ts); XNNPACK runs it, no per-tap windows are cut.
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo } from './convGeometry';
import { depthwiseFilterGradient } from './filterGradient';
import { opsKernel } from './opsKernel';

export const depthwiseBackpropFilterKernel = opsKernel(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ['x', 'dy'],
  ({ x, dy }, attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs) => {
    checkSupported(tf.DepthwiseConv2dNativeBackpropFilter, undefined, attrs.dilations);
    const x4 = x as tf.Tensor4D;
    const info = convInfo(x4.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, true);
    return depthwiseFilterGradient(x4, dy as tf.Tensor4D, info, attrs.filterShape[3]);
  },
);
