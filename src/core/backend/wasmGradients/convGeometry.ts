// Shared geometry for the convolution gradients built from plain wasm ops: the padding and
// output sizes come from tfjs-core's own conv info, so they agree with the forward kernels.
import * as tf from '@tensorflow/tfjs-core';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;
type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Only what MobileNet-style networks use is supported; anything else fails loudly. */
export function checkSupported(kernel: string, dataFormat: string | undefined, dilations: number | [number, number] | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm (transfer-lab gradients): only NHWC is supported, got ${dataFormat}`);
  }
  const d = dilations === undefined ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) {
    throw new Error(`${kernel} on wasm (transfer-lab gradients): only dilation 1 is supported, got [${d.join(', ')}]`);
  }
}

export function convInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: PadAttr,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, depthwise, 'channelsLast');
}

export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/**
 * The gradient dy [N, outH, outW, C] spread back onto the input grid (stride - 1 zeros after every
 * row and column), with the padding a stride-1 "full" correlation with the flipped filter needs,
 * so that conv(g, flipped filter, stride 1, pad) has exactly the input's height and width. The
 * padding is returned for the convolution to apply (no padded copy); only when the spread grid
 * is longer than the correlation reads (e.g. a 1x1 stride-2 filter on an odd size) is it cut.
 */
export function spreadGradient(dy: tf.Tensor4D, info: Conv2DInfo): { g: tf.Tensor4D; pad: ExplicitPadding } {
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const [n, oh, ow, c] = dy.shape;
  let g: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    // Interleave zeros: [N, oh, 1, ow, 1, C] padded to [N, oh, sh, ow, sw, C], then flattened.
    const six = tf.reshape(dy, [n, oh, 1, ow, 1, c]);
    g = tf.reshape(tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [n, oh * sh, ow * sw, c]);
  }
  // top/left are never negative for 'same'/'valid' (the forward pads at most filter - 1).
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  const bottom = info.inHeight + fh - 1 - top - g.shape[1];
  const right = info.inWidth + fw - 1 - left - g.shape[2];
  if (bottom < 0 || right < 0) {
    g = tf.slice(g, [0, 0, 0, 0], [-1, g.shape[1] + Math.min(bottom, 0), g.shape[2] + Math.min(right, 0), -1]);
  }
  return { g, pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]] };
}

/** a^T @ b without matMul's transpose flags, which are several times slower on wasm. */
export function matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  // Transpose whichever operand is smaller: (a^T b) = (b^T a)^T.
  if (a.size <= b.size) return tf.matMul(tf.transpose(a), b);
  return tf.transpose(tf.matMul(tf.transpose(b), a));
}
