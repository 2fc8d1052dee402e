// Image-folder datasets: <path>/<class>/<image>, one sub-folder per class, classes in name
// order. Images are decoded and resized by sharp (libvips, off the JS thread) to raw RGB bytes.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ImageFolderDataSpec } from '../experiment/schema';
import { mapLimit } from './pool';
import { chooseAtMost, splitClass } from './split';
import { buildSplit, type Dataset, type LoadOptions, type SkippedImage } from './types';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;

export function isImageFile(name: string): boolean {
  // Dot-files are skipped: "._x.jpg" is macOS metadata, not an image.
  return !name.startsWith('.') && (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());
}

export interface ImageFolderListing {
  root: string;
  classes: string[];
  /** Per class (same order), the image file names inside the class folder, sorted. */
  files: string[][];
}

async function statOrNull(p: string) {
  try {
    return await stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read data path ${p}: ${(err as Error).message}`);
  }
}

/** Lists the classes and their image files; throws naming the path when the layout is wrong. */
export async function listImageFolder(root: string): Promise<ImageFolderListing> {
  const rootStat = await statOrNull(root);
  if (!rootStat) throw new Error(`Data folder not found: ${root}`);
  if (!rootStat.isDirectory()) throw new Error(`Data path is not a folder: ${root} (expected a folder with one sub-folder of images per class)`);
  const classes: string[] = [];
  for (const name of (await readdir(root)).sort()) {
    if (name.startsWith('.')) continue;
    if ((await statOrNull(path.join(root, name)))?.isDirectory()) classes.push(name);
  }
  if (classes.length < 2) {
    throw new Error(
      `Data folder ${root} needs at least 2 class sub-folders (one per class), found ${classes.length}${classes.length ? `: ${classes.join(', ')}` : ''}`,
    );
  }
  const files: string[][] = [];
  for (const cls of classes) {
    const dir = path.join(root, cls);
    const images: string[] = [];
    for (const name of (await readdir(dir)).sort()) {
      if (isImageFile(name) && (await statOrNull(path.join(dir, name)))?.isFile()) images.push(name);
    }
    if (images.length === 0) throw new Error(`Class folder ${dir} has no images (${IMAGE_EXTENSIONS.join(', ')})`);
    files.push(images);
  }
  return { root, classes, files };
}

export interface PlannedImage {
  file: string;
  label: number;
}

export interface ImageFolderPlan {
  root: string;
  classes: string[];
  train: PlannedImage[];
  validation: PlannedImage[];
  test: PlannedImage[];
}

/**
 * Which files go where, before decoding anything: maxPerClass and the split depend only on the
 * seed and the file names, so a corrupt file never shifts the other images between splits.
 */
export async function planImageFolder(spec: ImageFolderDataSpec, opts: { baseDir: string; seed: number }): Promise<ImageFolderPlan> {
  const listing = await listImageFolder(path.resolve(opts.baseDir, spec.path));
  const plan: ImageFolderPlan = { root: listing.root, classes: listing.classes, train: [], validation: [], test: [] };
  listing.classes.forEach((cls, label) => {
    const chosen = chooseAtMost(listing.files[label]!, spec.maxPerClass, opts.seed, cls);
    const parts = splitClass(chosen, spec.split, opts.seed, cls);
    for (const part of ['train', 'validation', 'test'] as const) {
      for (const name of parts[part]) plan[part].push({ file: path.join(listing.root, cls, name), label });
    }
  });
  return plan;
}

export interface DecodedImage {
  /** height * width * 3 bytes, RGB, row-major. */
  pixels: Uint8Array;
  /** sha1 of the file's bytes, hex. */
  hash: string;
}

/**
 * Decodes one image to [height, width, 3] uint8 RGB. The image is stretched to the size
 * (fit 'fill') rather than cropped: the object may touch the borders, and Keras'
 * image_dataset_from_directory also resizes without keeping the aspect ratio by default.
 */
export async function decodeImage(file: string, [height, width]: readonly [number, number]): Promise<DecodedImage> {
  const bytes = await readFile(file);
  const hash = createHash('sha1').update(bytes).digest('hex');
  // failOn 'truncated': a cut-off file is an error, a harmless metadata warning is not.
  const { data, info } = await sharp(bytes, { failOn: 'truncated' })
    .rotate() // apply the EXIF orientation, as a photo viewer shows it
    .removeAlpha()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), hash };
}

/** Enough decodes in flight to keep libuv's pool (4 threads by default) busy. */
const DECODE_CONCURRENCY = Math.max(4, os.availableParallelism() * 2);

export async function loadImageFolder(spec: ImageFolderDataSpec, opts: LoadOptions): Promise<Dataset> {
  const plan = await planImageFolder(spec, opts);
  const [height, width] = spec.imageSize;
  const planned = [...plan.train, ...plan.validation, ...plan.test];
  const skipped: SkippedImage[] = [];
  let done = 0;
  let reported = 0;
  // About 100 progress reports at most: they may travel over IPC to the editor.
  const step = Math.max(1, Math.floor(planned.length / 100));
  const decoded = await mapLimit(planned, DECODE_CONCURRENCY, async ({ file }) => {
    try {
      return await decodeImage(file, spec.imageSize);
    } catch (err) {
      // libvips reports some truncated files only as "Unknown error" when decodes run in parallel.
      const message = (err as Error).message;
      skipped.push({ file, reason: /^unknown error$/i.test(message.trim()) ? 'cannot decode: the file is truncated or corrupt' : message });
      return null;
    } finally {
      done++;
      if (done === planned.length || done - reported >= step) {
        reported = done;
        opts.onProgress?.(done, planned.length);
      }
    }
  });
  const byFile = new Map(planned.map((p, i) => [p.file, decoded[i]] as const));

  const readable = new Array<number>(plan.classes.length).fill(0);
  const splitOf = (items: typeof plan.train) => {
    const examples = [];
    for (const { file, label } of items) {
      const image = byFile.get(file);
      if (!image) continue;
      readable[label]!++;
      examples.push({ pixels: image.pixels, label, key: image.hash, file });
    }
    return buildSplit(examples, height * width * 3);
  };
  const train = splitOf(plan.train);
  const validation = splitOf(plan.validation);
  const test = splitOf(plan.test);
  plan.classes.forEach((cls, label) => {
    if (readable[label] === 0) {
      const dir = path.join(plan.root, cls);
      const bad = skipped.filter((s) => path.dirname(s.file) === dir);
      throw new Error(`Class folder ${dir} has no readable images (${bad.length} could not be decoded, e.g. ${path.basename(bad[0]?.file ?? '')}: ${bad[0]?.reason ?? ''})`);
    }
  });
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { classes: plan.classes, imageShape: [height, width, 3], preprocess: spec.preprocess, train, validation, test, skipped };
}
