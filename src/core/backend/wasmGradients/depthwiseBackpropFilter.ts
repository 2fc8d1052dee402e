// dW of a depthwise convolution as one depthwise forward convolution over the (example, channel)
// pairs (filterGradient.ts); XNNPACK runs it, no per-tap windows are cut. With multiplier 1 and
// channels a multiple of 4 (MobileNet), a SIMD loop over the taps (trainingOps.wat) is used
// instead: XNNPACK is slow at the large filters that trick makes (14x14 and up).
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo } from './convGeometry';
import { depthwiseFilterGradient } from './filterGradient';
import { opsKernel } from './opsKernel';
import { simdOps } from '../trainingOps/wasmSimd';

const composed = opsKernel(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ['x', 'dy'],
  ({ x, dy }, attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs) => {
    checkSupported(tf.DepthwiseConv2dNativeBackpropFilter, undefined, attrs.dilations);
    const x4 = x as tf.Tensor4D;
    const info = convInfo(x4.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, true);
    return depthwiseFilterGradient(x4, dy as tf.Tensor4D, info, attrs.filterShape[3]);
  },
);

export const depthwiseBackpropFilterKernel: tf.KernelConfig = {
  ...composed,
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as Record<'x' | 'dy', tf.TensorInfo>;
    const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    checkSupported(tf.DepthwiseConv2dNativeBackpropFilter, undefined, attrs.dilations);
    const simd = simdOps(args.backend);
    if (simd && attrs.filterShape[3] === 1 && x.dtype === 'float32' && dy.dtype === 'float32') {
      const info = convInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, true);
      if (info.inChannels % 4 === 0 && info.inChannels > 0) return simd.depthwiseFilterGrad(x, dy, info);
    }
    return composed.kernelFunc(args);
  },
};
