// Filter gradients as one forward convolution each, so the work runs in XNNPACK's convolution
// kernels instead of an im2col built from many Slice calls (wasm's Slice copies one innermost run
// at a time). The identity: dW[i, j, c, o] = sum over n, oh, ow of
//   xPad[n, i + oh * strideH, j + ow * strideW, c] * dy[n, oh, ow, o],
// which is a stride-1 convolution of xPad with dy as the filter, dilated by the stride, where the
// batch axis N is summed like a channel axis. The padding is passed to the convolution explicitly
// (no padded copy of x); the output has at least KH x KW positions and rows past the filter (left
// when 'valid' or rounding drops input rows) are cut.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DInfo, ExplicitPadding } from './convGeometry';

/** Explicit padding that makes a dilated dy-sized filter produce (at least) the filter's taps. */
function tapPadding(info: Conv2DInfo, dyH: number, dyW: number): { pad: ExplicitPadding; outH: number; outW: number } {
  const { top, left } = info.padInfo;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const bottom = Math.max(kh + (dyH - 1) * sh - info.inHeight - top, 0);
  const right = Math.max(kw + (dyW - 1) * sw - info.inWidth - left, 0);
  const outH = info.inHeight + top + bottom - (dyH - 1) * sh;
  const outW = info.inWidth + left + right - (dyW - 1) * sw;
  return { pad: [[0, 0], [top, bottom], [left, right], [0, 0]], outH, outW };
}

/** The first kh x kw positions of a [B, outH, outW, C] result (a no-op when it has exactly that). */
function cutTaps(t: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  if (t.shape[1] === kh && t.shape[2] === kw) return t;
  return tf.slice(t, [0, 0, 0, 0], [-1, kh, kw, -1]);
}

/** dW [KH, KW, inC, outC] of conv2d(x, W) from x [N, H, W, inC] and dy [N, Ho, Wo, outC]. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { pad } = tapPadding(info, dy.shape[1], dy.shape[2]);
  // Batch of inC images whose channels are the N examples; filter [Ho, Wo, N, outC].
  const xT = tf.transpose(x, [3, 1, 2, 0]);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]);
  const taps = tf.conv2d(xT, dyT, 1, pad, 'NHWC', [sh, sw]); // [inC, >=KH, >=KW, outC]
  return tf.transpose(cutTaps(taps, kh, kw), [1, 2, 0, 3]);
}

/**
 * dW [KH, KW, C, M] of depthwiseConv2d(x, W) (channel multiplier M) from x [N, H, W, C] and
 * dy [N, Ho, Wo, C*M]: one depthwise convolution over a single image whose N*C channels are
 * (example, channel) pairs, with each pair's dy as its filter; then summed over examples.
 */
export function depthwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo, mult: number): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = dy.shape;
  const { pad } = tapPadding(info, ho, wo);
  const xT: tf.Tensor4D = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
  // dy's channel c*M+q is input channel c, multiplier q: [Ho, Wo, N*C, M] keeps that order.
  const dyT: tf.Tensor4D = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * c, mult]);
  const taps = cutTaps(tf.depthwiseConv2d(xT, dyT, 1, pad, 'NHWC', [sh, sw]), kh, kw); // [1, KH, KW, N*C*M]
  return tf.reshape(tf.sum(tf.reshape(taps, [kh, kw, n, c * mult]), 2), [kh, kw, c, mult]);
}
