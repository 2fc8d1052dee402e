// Turns examples into model inputs: preprocessed float32 pixels (NHWC) and one-hot labels.
// Batches are built in plain typed arrays first, so that preparing one ahead of time creates
// no tensors: stopping between batches can never leak GPU/wasm memory.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/random';
import type { Dataset, Split } from './types';
import { fillPixels } from './pixels';

export { flipHorizontal, preprocessPixels, fillPixels } from './pixels';

export interface BatchOptions {
  /** Mirror each training image with probability 0.5, drawn from `rng`. Train split only: a no-op elsewhere. */
  flipHorizontal?: boolean;
  rng?: Rng;
  /** Explicit per-example mirroring (any split), e.g. to cache features of mirrored images. Overrides flipHorizontal. */
  flip?: readonly boolean[];
}

export interface HostBatch {
  size: number;
  /** size * h * w * c preprocessed values. */
  x: Float32Array;
  /** size * classes one-hot. */
  y: Float32Array;
  indices: number[];
  /** Which examples were mirrored. */
  flipped: boolean[];
}

/** Throws, naming `who`, unless `ex` is an example index of the split. */
export function checkExampleIndex(split: Split, ex: number, who: string): void {
  if (!Number.isInteger(ex) || ex < 0 || ex >= split.count) throw new Error(`${who}: example index ${ex} out of range 0..${split.count - 1}`);
}

/** Builds a batch in typed arrays (no tensors). */
export function fillBatch(ds: Dataset, split: Split, indices: ArrayLike<number>, opts: BatchOptions = {}): HostBatch {
  const [h, w, c] = ds.imageShape;
  const imageSize = h * w * c;
  const classes = ds.classes.length;
  const size = indices.length;
  const x = new Float32Array(size * imageSize);
  const y = new Float32Array(size * classes);
  if (opts.flip && opts.flip.length !== size) throw new Error(`makeBatch: flip has ${opts.flip.length} entries for ${size} examples`);
  const randomFlip = !opts.flip && opts.flipHorizontal === true && split === ds.train;
  if (randomFlip && !opts.rng) throw new Error('makeBatch: flipHorizontal needs a seeded rng');
  const flipped: boolean[] = [];
  const list: number[] = [];
  for (let i = 0; i < size; i++) {
    const ex = indices[i]!;
    checkExampleIndex(split, ex, 'makeBatch');
    list.push(ex);
    flipped.push(opts.flip ? opts.flip[i] === true : randomFlip && opts.rng!.next() < 0.5);
    const label = split.labels[ex]!;
    if (label < 0 || label >= classes) throw new Error(`makeBatch: label ${label} of ${split.files[ex]} is not a class index`);
    y[i * classes + label] = 1;
  }
  fillPixels(split.images, ds.imageShape, ds.preprocess, list, flipped, x);
  return { size, x, y, indices: list, flipped };
}

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  indices: number[];
}

export function toTensors(ds: Dataset, host: HostBatch): Batch {
  const [h, w, c] = ds.imageShape;
  return {
    x: tf.tensor4d(host.x, [host.size, h, w, c], 'float32'),
    y: tf.tensor2d(host.y, [host.size, ds.classes.length], 'float32'),
    indices: host.indices,
  };
}

/** Preprocessed float32 x [n,h,w,c] and one-hot y [n,classes]. The caller disposes both. */
export function makeBatch(ds: Dataset, split: Split, indices: ArrayLike<number>, opts?: BatchOptions): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const { x, y } = toTensors(ds, fillBatch(ds, split, indices, opts));
  return { x, y };
}
