// dW of a 2-D convolution. 1x1 stride 1 without padding (MobileNet's pointwise layers): one matrix
// product x^T dy on [N*H*W, C] views. Anything else: one dilated forward convolution
// (filterGradient.ts), which XNNPACK runs without an im2col copy.
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo, matMulTransposeA } from './convGeometry';
import { conv2dFilterGradient } from './filterGradient';
import { opsKernel } from './opsKernel';

export const conv2dBackpropFilterKernel = opsKernel(tf.Conv2DBackpropFilter, ['x', 'dy'], ({ x, dy }, attrs: tf.Conv2DBackpropFilterAttrs) => {
  checkSupported(tf.Conv2DBackpropFilter, attrs.dataFormat, 1);
  const x4 = x as tf.Tensor4D;
  const dy4 = dy as tf.Tensor4D;
  const info = convInfo(x4.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, false);
  const [fh, fw, inC, outC] = attrs.filterShape;
  if (isPointwise(info)) {
    const m = x4.shape[0] * info.outHeight * info.outWidth;
    const dw = matMulTransposeA(tf.reshape(x4, [m, inC]) as tf.Tensor2D, tf.reshape(dy4, [m, outC]) as tf.Tensor2D);
    return tf.reshape(dw, [fh, fw, inC, outC]);
  }
  return conv2dFilterGradient(x4, dy4, info);
});

/** 1x1 filter, stride 1, no padding: the convolution is a matrix product on [N*H*W, C] views. */
export function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.padInfo.bottom === 0 &&
    info.padInfo.right === 0
  );
}
