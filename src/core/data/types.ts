// The in-memory dataset the trainer consumes: raw uint8 pixels per split, labels as class
// indices, and a content key per example (the feature cache keys on it).

export type Preprocess = 'mobilenet' | 'unit' | 'none';

export interface Split {
  count: number;
  /** count * h * w * c bytes, 0..255, example-major (NHWC). */
  images: Uint8Array;
  /** Class index per example, into Dataset.classes. */
  labels: Int32Array;
  /** Content key per example: sha1 (hex) of the image file, or an id such as "mnist:train:123". */
  keys: string[];
  /** Where each example came from: a file path or an id. */
  files: string[];
}

export interface SkippedImage {
  file: string;
  reason: string;
}

export interface Dataset {
  classes: string[];
  /** [height, width, channels] of every image. */
  imageShape: [number, number, number];
  preprocess: Preprocess;
  train: Split;
  validation: Split;
  test: Split;
  /** Images that could not be read or decoded; they are left out of every split. */
  skipped: SkippedImage[];
}

export interface LoadOptions {
  /** The folder relative data paths resolve against (the experiment file's folder). */
  baseDir: string;
  seed: number;
  /** Called as images are decoded. */
  onProgress?: (done: number, total: number) => void;
}

/** Packs per-example pixels into one Split. */
export function buildSplit(
  examples: readonly { pixels: Uint8Array; label: number; key: string; file: string }[],
  imageSize: number,
): Split {
  // Shared memory, so the batch worker (prefetch.ts) reads the pixels without a copy.
  const images = new Uint8Array(new SharedArrayBuffer(examples.length * imageSize));
  const labels = new Int32Array(examples.length);
  examples.forEach((e, i) => {
    if (e.pixels.length !== imageSize) throw new Error(`${e.file}: decoded to ${e.pixels.length} bytes, expected ${imageSize}`);
    images.set(e.pixels, i * imageSize);
    labels[i] = e.label;
  });
  return { count: examples.length, images, labels, keys: examples.map((e) => e.key), files: examples.map((e) => e.file) };
}
