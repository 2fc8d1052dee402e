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

/**
 * The input padded so that window (i, j) of the convolution reads
 * xPad[n, i + oh * strideH, j + ow * strideW, c], with room for whole stride blocks (see window).
 */
export function padInput(x: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  const { top, left } = info.padInfo;
  const { strideHeight: sh, strideWidth: sw } = info;
  // Every tap's window is cut as [outH * sh, outW * sw] then subsampled, so the last tap needs
  // (filter - 1) + out * stride rows; padding past what any window reads is cut.
  const needH = info.filterHeight - 1 + info.outHeight * sh;
  const needW = info.filterWidth - 1 + info.outWidth * sw;
  const bottom = needH - top - info.inHeight;
  const right = needW - left - info.inWidth;
  let out = x;
  if (top > 0 || left > 0 || bottom > 0 || right > 0) {
    out = tf.pad(x, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]);
  }
  if (bottom < 0 || right < 0) {
    out = tf.slice(out, [0, 0, 0, 0], [-1, needH, needW, -1]);
  }
  return out;
}

/**
 * The [N, outH, outW, C] view of the padded input under filter tap (i, j). The wasm Slice kernel
 * copies one innermost run at a time, so every slice here is cut on a 3-D view whose innermost
 * axis is a whole (width x channels) row: runs of outW*C floats instead of C.
 */
export function window(xPad: tf.Tensor4D, info: Conv2DInfo, i: number, j: number): tf.Tensor4D {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [n, hp, wp, c] = xPad.shape;
  const rows = tf.reshape(xPad, [n, hp, wp * c]);
  const cut = tf.slice(rows, [0, i, j * c], [-1, oh * sh, ow * sw * c]); // [N, oh*sh, ow*sw*C]
  if (sh === 1 && sw === 1) return tf.reshape(cut, [n, oh, ow, c]);
  // Strided subsampling without stridedSlice (its general path is slow on wasm): keep the first
  // row of every stride block, then the first C of every sw*C group.
  const firstRows = tf.slice(tf.reshape(cut, [n * oh, sh, ow * sw * c]), [0, 0, 0], [-1, 1, -1]);
  const firstCols = tf.slice(tf.reshape(firstRows, [n * oh, ow, sw * c]), [0, 0, 0], [-1, -1, c]);
  return tf.reshape(firstCols, [n, oh, ow, c]);
}

/**
 * The gradient dy [N, outH, outW, C] spread back onto the input grid with the stride's zeros in
 * between and the padding a stride-1 "full" correlation with the flipped filter needs, so that
 * dx = conv(result, flipped filter, stride 1, valid) has exactly the input's height and width.
 */
export function dilateAndPadGradient(dy: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const [n, oh, ow, c] = dy.shape;
  let g: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    // Interleave zeros: [N, oh, 1, ow, 1, C] padded to [N, oh, sh, ow, sw, C], flattened, tail cut.
    const six = tf.reshape(dy, [n, oh, 1, ow, 1, c]);
    const spread = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    g = tf.slice(tf.reshape(spread, [n, oh * sh, ow * sw, c]) as tf.Tensor4D, [0, 0, 0, 0], [-1, (oh - 1) * sh + 1, (ow - 1) * sw + 1, -1]);
  }
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  const bottom = info.inHeight + fh - 1 - g.shape[1] - top;
  const right = info.inWidth + fw - 1 - g.shape[2] - left;
  // top/left are never negative for 'same'/'valid'; bottom/right can be when rows were left over.
  let out = tf.pad(g, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    out = tf.slice(out, [0, Math.max(-top, 0), Math.max(-left, 0), 0], [-1, info.inHeight + fh - 1, info.inWidth + fw - 1, -1]);
  }
  return out;
}

/** a^T @ b without matMul's transpose flags, which are several times slower on wasm. */
export function matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  // Transpose whichever operand is smaller: (a^T b) = (b^T a)^T.
  if (a.size <= b.size) return tf.matMul(tf.transpose(a), b);
  return tf.transpose(tf.matMul(tf.transpose(b), a));
}
