// dW of a 2-D convolution as one matrix product: the im2col matrix of the input (one column
// block per filter tap, in the filter's [fh, fw, inC] order) transposed, times dy as [M, outC].
import * as tf from '@tensorflow/tfjs-core';
import { checkSupported, convInfo, matMulTransposeA, padInput, window } from './convGeometry';
import { opsKernel } from './opsKernel';

export const conv2dBackpropFilterKernel = opsKernel(tf.Conv2DBackpropFilter, ['x', 'dy'], ({ x, dy }, attrs: tf.Conv2DBackpropFilterAttrs) => {
  checkSupported(tf.Conv2DBackpropFilter, attrs.dataFormat, 1);
  const x4 = x as tf.Tensor4D;
  const dy4 = dy as tf.Tensor4D;
  const info = convInfo(x4.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode, false);
  const [fh, fw, inC, outC] = attrs.filterShape;
  const m = dy4.shape[0] * info.outHeight * info.outWidth;
  const dyMat = tf.reshape(dy4, [m, outC]) as tf.Tensor2D;
  let cols: tf.Tensor4D;
  if (fh === 1 && fw === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0) {
    cols = x4; // 1x1 stride 1: the input already is the im2col matrix.
  } else {
    const xPad = padInput(x4, info);
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) taps.push(window(xPad, info, i, j));
    cols = taps.length === 1 ? taps[0]! : tf.concat4d(taps, 3);
  }
  const dw = matMulTransposeA(tf.reshape(cols, [m, fh * fw * inC]) as tf.Tensor2D, dyMat);
  return tf.reshape(dw, [fh, fw, inC, outC]);
});
