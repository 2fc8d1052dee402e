// Sum and Mean over leading axes (BatchNorm's per-channel statistics and its gradient reduce an
// NHWC tensor over N, H and W) as one average pooling of x seen as [1, R, 1, C] with an R x 1
// window: XNNPACK's pooling streams through x once, channels vectorized. The stock wasm
// reductions move the reduced axes innermost first (a transposed copy). A matrix product
// ones[1, R] @ x[R, C] is no better: XNNPACK packs the fresh right operand (a copy) every call.
// Other reductions keep the stock kernels.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernel } from './opsKernel';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/** How many leading axes the reduction covers, or 0 when it is not a leading-axes float reduction. */
export function leadingAxes(x: tf.TensorInfo, attrs: ReduceAttrs): number {
  if (x.dtype !== 'float32' || x.shape.length === 0) return 0;
  const axes = [...new Set(tf.util.parseAxisParam(attrs.axis, x.shape))].sort((a, b) => a - b);
  return axes.length > 0 && axes.every((a, k) => a === k) ? axes.length : 0;
}

function reduceLeading(x: tf.Tensor, attrs: ReduceAttrs, mean: boolean): tf.Tensor {
  const k = leadingAxes(x, attrs);
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(k);
  const cols = rest.reduce((a, b) => a * b, 1);
  const avg = tf.avgPool(tf.reshape(x, [1, rows, 1, cols]) as tf.Tensor4D, [rows, 1], 1, 'valid');
  const out = mean ? avg : tf.mul(avg, tf.scalar(rows));
  return tf.reshape(out, attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest);
}

export const leadingSumKernel = opsKernel(tf.Sum, ['x'], ({ x }, attrs: ReduceAttrs) => reduceLeading(x, attrs, false));
export const leadingMeanKernel = opsKernel(tf.Mean, ['x'], ({ x }, attrs: ReduceAttrs) => reduceLeading(x, attrs, true));

/** The override predicate: leading-axes float32 reductions over more than one row. */
export function handlesLeadingReduce(args: Parameters<tf.KernelFunc>[0]): boolean {
  const x = args.inputs.x;
  if (x === undefined) return false;
  const k = leadingAxes(x, args.attrs as unknown as ReduceAttrs);
  // XNNPACK refuses a 1-element pooling window.
  return k > 0 && x.shape.slice(0, k).reduce((a, b) => a * b, 1) > 1;
}
