// The per-channel arithmetic of training-mode BatchNormalization, shared by the plain-loop
// kernels (batchNormTraining.ts) and the SIMD ones (wasmSimd.ts): the passes over the data give
// per-channel sums, these turn them into what the next pass applies.

/**
 * From sums of (x - shift) and (x - shift)^2 over n rows: the batch mean and (biased) variance,
 * and scale/offset with y = x * scale + offset. The shift (any value near the data, e.g. the
 * first row) keeps the sums accurate when |mean| >> std.
 */
export function forwardFactors(
  n: number, epsilon: number, sumDev: ArrayLike<number>, sumSqDev: ArrayLike<number>, shift: ArrayLike<number>,
  gamma: ArrayLike<number>, beta: ArrayLike<number>,
  out: { mean: Float32Array; variance: Float32Array; scale: Float32Array; offset: Float32Array },
): void {
  for (let k = 0; k < gamma.length; k++) {
    const d = sumDev[k]! / n;
    const v = Math.max(0, sumSqDev[k]! / n - d * d);
    const m = shift[k]! + d;
    const scale = gamma[k]! / Math.sqrt(v + epsilon);
    out.mean[k] = m;
    out.variance[k] = v;
    out.scale[k] = scale;
    out.offset[k] = beta[k]! - m * scale;
  }
}

/**
 * From sum(dy) and sum(dy * (x - mean)) over n rows: dgamma, dbeta, and p, q, r with
 * dx = p * dy + q * x + r, which is gamma*inv * (dy - sum(dy)/n - xhat * sum(dy*xhat)/n) with
 * xhat = (x - mean) * inv, inv = 1/sqrt(var + eps): the batch statistics' dependence on x included.
 */
export function backwardFactors(
  n: number, epsilon: number, sumDy: ArrayLike<number>, sumDyDev: ArrayLike<number>,
  mean: ArrayLike<number>, variance: ArrayLike<number>, gamma: ArrayLike<number>,
  out: { dgamma: Float32Array; dbeta: Float32Array; p: Float32Array; q: Float32Array; r: Float32Array },
): void {
  for (let k = 0; k < gamma.length; k++) {
    const inv = 1 / Math.sqrt(variance[k]! + epsilon);
    const sumDyXhat = inv * sumDyDev[k]!;
    const gi = gamma[k]! * inv;
    const b = (sumDyXhat / n) * inv;
    out.dbeta[k] = sumDy[k]!;
    out.dgamma[k] = sumDyXhat;
    out.p[k] = gi;
    out.q[k] = -gi * b;
    out.r[k] = gi * (mean[k]! * b - sumDy[k]! / n);
  }
}
