// Where a training step's inputs come from: preprocessed images, or activations of the frozen
// prefix computed once (the feature cache at the freeze boundary).
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { makeBatch, type Dataset, type Split } from '../data';

export interface InputSource {
  readonly count: number;
  /** The inputs of these examples; `flip[i]` mirrors example i (training augmentation). */
  batch(indices: readonly number[], flip?: readonly boolean[]): tf.Tensor;
}

export function oneHot(split: Split, indices: readonly number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(indices.map((i) => split.labels[i]!), 'int32'), classes).toFloat() as tf.Tensor2D);
}

/** Images, preprocessed per batch. */
export function imageSource(ds: Dataset, split: Split): InputSource {
  return {
    count: split.count,
    batch(indices, flip) {
      const { x, y } = makeBatch(ds, split, indices);
      y.dispose();
      if (!flip?.some(Boolean)) return x;
      return tf.tidy(() => {
        const mask = tf.tensor4d(flip.map((f) => (f ? 1 : 0)), [indices.length, 1, 1, 1]);
        const mirrored = tf.reverse(x, 2);
        const out = tf.add(tf.mul(mirrored, mask), tf.mul(x, tf.sub(1, mask)));
        x.dispose();
        return out;
      });
    },
  };
}

export interface FeatureArrays {
  shape: number[];
  /** count * prod(shape) activations of the boundary layer. */
  plain: Float32Array;
  /** The same for the mirrored images, when augmentation flips (both orientations are cached). */
  mirrored: Float32Array | null;
}

/** Runs the frozen prefix once over a split, in inference mode, batch by batch. */
export async function computeFeatures(
  prefix: LayersModel,
  images: InputSource,
  withMirrored: boolean,
  batchSize: number,
  onProgress?: (done: number) => void,
  shouldStop?: () => boolean,
): Promise<FeatureArrays | null> {
  const shape = (prefix.outputs[0]!.shape as number[]).slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const plain = new Float32Array(images.count * size);
  const mirrored = withMirrored ? new Float32Array(images.count * size) : null;
  for (let start = 0; start < images.count; start += batchSize) {
    if (shouldStop?.()) return null;
    const indices = Array.from({ length: Math.min(batchSize, images.count - start) }, (_, i) => start + i);
    for (const [target, flip] of [[plain, false], [mirrored, true]] as const) {
      if (!target) continue;
      const x = images.batch(indices, flip ? indices.map(() => true) : undefined);
      const y = prefix.predict(x) as tf.Tensor;
      target.set(await y.data(), start * size);
      tf.dispose([x, y]);
    }
    onProgress?.(Math.min(start + batchSize, images.count));
    // Let the event loop deliver a stop request between batches.
    await new Promise((r) => setImmediate(r));
  }
  return { shape, plain, mirrored };
}

export function featureSource(f: FeatureArrays, count: number): InputSource {
  const size = f.shape.reduce((a, b) => a * b, 1);
  return {
    count,
    batch(indices, flip) {
      const out = new Float32Array(indices.length * size);
      indices.forEach((ex, i) => {
        const from = flip?.[i] && f.mirrored ? f.mirrored : f.plain;
        out.set(from.subarray(ex * size, (ex + 1) * size), i * size);
      });
      return tf.tensor(out, [indices.length, ...f.shape]);
    },
  };
}
