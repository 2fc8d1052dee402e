// Where a training step's inputs come from: preprocessed images, or activations of the frozen
// prefix computed once (the feature cache at the freeze boundary, on disk in src/core/cache).
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkExampleIndex, makeBatch, type Dataset, type Split } from '../data';
import { SplitAssembler } from '../data/prefetch';
import { entryKey, type FeatureCache, type FeaturePack } from '../cache';
import { compilePrefix, type CompiledPrefix } from '../model/fusedPrefix';

export interface InputSource {
  readonly count: number;
  /** The inputs of these examples; `flip[i]` mirrors example i (training augmentation). */
  batch(indices: readonly number[], flip?: readonly boolean[]): tf.Tensor;
  /**
   * batch(), with the host-side work (pixels on the batch worker, cache reads in the thread
   * pool) off this thread: call it for the next batch before running the current step.
   */
  load(indices: readonly number[], flip?: readonly boolean[]): Promise<tf.Tensor>;
  /** Frees what load() holds (the worker's reference to the split's pixels). */
  dispose(): void;
}

export function oneHot(split: Split, indices: readonly number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(indices.map((i) => split.labels[i]!), 'int32'), classes), 'float32') as tf.Tensor2D);
}

/** Images, preprocessed per batch. */
export function imageSource(ds: Dataset, split: Split): InputSource {
  const assembler = new SplitAssembler(ds, split);
  return {
    count: split.count,
    batch(indices, flip) {
      // Mirrored on the host arrays before the tensor exists: no extra tensor work.
      const { x, y } = makeBatch(ds, split, indices, flip ? { flip } : {});
      y.dispose();
      return x;
    },
    async load(indices, flip) {
      for (const ex of indices) checkExampleIndex(split, ex, 'batch');
      const pixels = await assembler.pixels([...indices], flip ? [...flip] : undefined);
      return tf.tensor4d(pixels, [indices.length, ...ds.imageShape]);
    },
    dispose: () => assembler.release(),
  };
}

/**
 * The tensors of batches 0 .. count - 1 in order, batch k + 1 already loading while the caller
 * works on batch k (the caller disposes what it gets). Leaving the loop early (break, return,
 * throw) waits for the batch still loading and frees it.
 */
export async function* prefetched(count: number, load: (k: number) => Promise<tf.Tensor>): AsyncGenerator<tf.Tensor> {
  let next = count > 0 ? load(0) : null;
  try {
    for (let k = 0; k < count; k++) {
      const x = await next!;
      next = k + 1 < count ? load(k + 1) : null;
      yield x;
    }
  } finally {
    if (next) tf.dispose(await next.catch(() => []));
  }
}

/** Boundary activations of one split: each example's, and its mirror's when flipping. */
export interface FeatureTable {
  shape: number[];
  count: number;
  /** Entries found in the disk cache / computed by this call (example x orientation). */
  hits: number;
  misses: number;
  /** Copies example `ex`'s activations (mirrored ones if asked and cached) into out at offset. */
  read(ex: number, mirrored: boolean, out: Float32Array, offset: number): void;
  /** read() off this thread where the table is on disk. */
  readAsync(ex: number, mirrored: boolean, out: Float32Array, offset: number): Promise<void>;
}

/** Where computeFeatures keeps what it computes: a namespace of the disk cache. */
export interface FeatureStore {
  cache: FeatureCache;
  pack: FeaturePack;
  /** Content key per example of the split (Split.keys). */
  keys: readonly string[];
}

/**
 * Runs the frozen prefix in inference mode over the examples of a split whose activations are
 * not cached yet (all of them without a store), batch by batch, and returns a table that reads
 * them. With a store, computed batches go straight to disk and the table reads from there, so a
 * split's activations are never all in memory. Without one (or when the cache cannot make room
 * within its size bound) they are held in memory. Null when stopped.
 */
export async function computeFeatures(
  prefix: LayersModel,
  images: InputSource,
  withMirrored: boolean,
  batchSize: number,
  onProgress?: (done: number) => void,
  shouldStop?: () => boolean,
  store?: FeatureStore | null,
): Promise<FeatureTable | null> {
  const shape = (prefix.outputs[0]!.shape as number[]).slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const count = images.count;
  const orientations = withMirrored ? [false, true] : [false];
  if (store && store.keys.length !== count) throw new Error(`feature cache: ${store.keys.length} keys for ${count} examples`);
  if (store && store.pack.entrySize !== size) throw new Error(`feature cache ${store.pack.dir}: entries of ${store.pack.entrySize} values, boundary gives ${size}`);

  // Entries to compute, per orientation, with duplicate images (same content key) computed once.
  const todo = orientations.map(() => [] as number[]);
  let hits = 0;
  let misses = 0;
  const pending = new Set<string>();
  orientations.forEach((m, o) => {
    for (let ex = 0; ex < count; ex++) {
      const key = store ? entryKey(store.keys[ex]!, m) : '';
      if (store?.pack.has(key)) {
        hits++;
        continue;
      }
      misses++;
      if (store && pending.has(key)) continue;
      if (store) pending.add(key);
      todo[o]!.push(ex);
    }
  });
  let disk = store ?? null;
  const toCompute = todo.reduce((a, t) => a + t.length, 0);
  if (disk && toCompute && !disk.cache.reserve(toCompute * size * 4)) disk = null;
  const memory = disk ? null : orientations.map(() => new Float32Array(count * size));
  if (!disk) {
    // In memory every example is computed, cached or not.
    orientations.forEach((_, o) => (todo[o] = Array.from({ length: count }, (_, i) => i)));
    hits = 0;
    misses = count * orientations.length;
  }

  let done = hits;
  // Folded BatchNorm and fused conv kernels (~4x predict's speed on wasm), used whenever the
  // prefix compiles, so a prefix's features always come from the same computation; compiled on
  // the first batch that needs it.
  let compiled: CompiledPrefix | null | undefined;
  const forward = (x: tf.Tensor): tf.Tensor => {
    if (compiled === undefined) compiled = compilePrefix(prefix);
    return compiled && x.rank === 4 ? compiled.run(x as tf.Tensor4D) : (prefix.predict(x) as tf.Tensor);
  };
  try {
    // Every batch of the pass, in order; batch k + 1's pixels load while batch k runs the prefix.
    const jobs = orientations.flatMap((mirrored, o) => {
      const list = todo[o]!;
      return Array.from({ length: Math.ceil(list.length / batchSize) }, (_, k) => ({ o, mirrored, indices: list.slice(k * batchSize, (k + 1) * batchSize) }));
    });
    const load = (k: number) => images.load(jobs[k]!.indices, jobs[k]!.mirrored ? jobs[k]!.indices.map(() => true) : undefined);
    let k = 0;
    for await (const x of prefetched(jobs.length, load)) {
      const { o, mirrored, indices } = jobs[k++]!;
      if (shouldStop?.()) {
        x.dispose();
        return null;
      }
      const y = forward(x);
      const values = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      if (disk) {
        disk.pack.append(indices.map((ex) => entryKey(disk!.keys[ex]!, mirrored)), values);
      } else {
        indices.forEach((ex, i) => memory![o]!.set(values.subarray(i * size, (i + 1) * size), ex * size));
      }
      done += indices.length;
      onProgress?.(Math.floor(done / orientations.length));
      // Let the event loop deliver a stop request between batches.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    compiled?.dispose();
  }
  onProgress?.(count);

  if (!disk) {
    const read = (ex: number, mirrored: boolean, out: Float32Array, offset: number): void => {
      const from = memory![mirrored && memory![1] ? 1 : 0]!;
      out.set(from.subarray(ex * size, (ex + 1) * size), offset);
    };
    // In memory: readAsync is the same copy, nothing to move off the thread.
    return { shape, count, hits, misses, read, readAsync: async (...args) => read(...args) };
  }
  const pack = disk.pack;
  const slots = orientations.map((m) => Int32Array.from(disk!.keys, (k) => pack.slotOf(entryKey(k, m)) ?? -1));
  const slotOf = (ex: number, mirrored: boolean): number => {
    const slot = slots[mirrored && slots[1] ? 1 : 0]![ex]!;
    if (slot < 0) throw new Error(`feature cache ${pack.dir}: example ${ex} has no entry`);
    return slot;
  };
  return {
    shape, count, hits, misses,
    read(ex, mirrored, out, offset) {
      pack.read(slotOf(ex, mirrored), out, offset);
    },
    readAsync(ex, mirrored, out, offset) {
      return pack.readAsync(slotOf(ex, mirrored), out, offset);
    },
  };
}

/** A source from a batch function alone (load runs it inline). */
export function syncSource(count: number, batch: InputSource['batch']): InputSource {
  return { count, batch, load: async (indices, flip) => batch(indices, flip), dispose() {} };
}

/** Training inputs read from a feature table, one batch at a time. */
export function featureSource(f: FeatureTable, count: number): InputSource {
  const size = f.shape.reduce((a, b) => a * b, 1);
  return {
    count,
    batch(indices, flip) {
      const out = new Float32Array(indices.length * size);
      indices.forEach((ex, i) => f.read(ex, flip?.[i] === true, out, i * size));
      return tf.tensor(out, [indices.length, ...f.shape]);
    },
    async load(indices, flip) {
      const out = new Float32Array(indices.length * size);
      await Promise.all(indices.map((ex, i) => f.readAsync(ex, flip?.[i] === true, out, i * size)));
      return tf.tensor(out, [indices.length, ...f.shape]);
    },
    dispose() {},
  };
}
