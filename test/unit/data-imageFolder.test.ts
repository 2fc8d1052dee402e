import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { ImageFolderDataSchema } from '../../src/core/experiment/schema';
import { loadDataset, planImageFolder, type Dataset } from '../../src/core/data';

const repoRoot = path.resolve(__dirname, '../..');
const assets = path.resolve(repoRoot, '../shared/assets');
const rpsDir = path.join(assets, 'datasets/rock-paper-scissors');
// The spec's path is relative to the experiment folder: resolve it from the assets folder.
const rpsSpec = (extra: Record<string, unknown> = {}) => ImageFolderDataSchema.parse({ type: 'imageFolder', path: 'datasets/rock-paper-scissors', ...extra });

function perClass(split: Dataset['train'], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of split.labels) counts[l]!++;
  return counts;
}

test('rock-paper-scissors loads 600 images in 3 classes, split 140/30/30 per class', async () => {
  const progress: [number, number][] = [];
  const ds = await loadDataset(rpsSpec({ imageSize: [64, 64] }), { baseDir: assets, seed: 42, onProgress: (d, t) => progress.push([d, t]) });
  assert.deepEqual(ds.classes, ['paper', 'rock', 'scissors']);
  assert.deepEqual(ds.imageShape, [64, 64, 3]);
  assert.equal(ds.preprocess, 'mobilenet');
  assert.deepEqual(ds.skipped, []);
  // Progress every 6 images (1%), ending at 600 of 600.
  assert.equal(progress.length, 100);
  assert.deepEqual(progress.at(-1), [600, 600]);
  assert.deepEqual(progress[0], [6, 600]);
  assert.deepEqual([ds.train.count, ds.validation.count, ds.test.count], [420, 90, 90]);
  assert.deepEqual(perClass(ds.train, 3), [140, 140, 140]);
  assert.deepEqual(perClass(ds.validation, 3), [30, 30, 30]);
  assert.deepEqual(perClass(ds.test, 3), [30, 30, 30]);
  for (const s of [ds.train, ds.validation, ds.test]) {
    assert.equal(s.images.length, s.count * 64 * 64 * 3);
    assert.equal(s.keys.length, s.count);
    assert.equal(s.files.length, s.count);
    // Labels follow the class folder each file is in.
    s.files.forEach((f, i) => assert.equal(path.basename(path.dirname(f)), ds.classes[s.labels[i]!]));
  }
  const all = [ds.train, ds.validation, ds.test].flatMap((s) => s.files);
  assert.equal(new Set(all).size, 600, 'no image is in two splits');

  // The key is the sha1 of the file's bytes.
  const f = ds.test.files[0]!;
  assert.equal(ds.test.keys[0], createHash('sha1').update(readFileSync(f)).digest('hex'));

  // Real pixels: the photos have a green background (top-left corner), and use the full range.
  const px = ds.train.images.subarray(0, 3);
  assert.ok(px[1]! > px[0]! && px[1]! > px[2]!, `corner pixel ${Array.from(px)} is not green`);
  let min = 255;
  let max = 0;
  for (const v of ds.train.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.ok(min < 30 && max > 225, `pixel range ${min}..${max}`);

  // The load puts exactly the planned files in each split.
  const plan = await planImageFolder(rpsSpec(), { baseDir: assets, seed: 42 });
  assert.deepEqual(ds.validation.files, plan.validation.map((p) => p.file));
  assert.deepEqual(ds.test.files, plan.test.map((p) => p.file));
});

test('the split is the same for the same seed and differs for another seed', async () => {
  const a = await planImageFolder(rpsSpec(), { baseDir: assets, seed: 42 });
  const b = await planImageFolder(rpsSpec(), { baseDir: assets, seed: 42 });
  const c = await planImageFolder(rpsSpec(), { baseDir: assets, seed: 7 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(c.test.length, 90);
});

test('images are resized to 224x224x3; maxPerClass picks a seeded subset', async () => {
  const ds = await loadDataset(rpsSpec({ maxPerClass: 4, split: { validation: 0.25, test: 0.25 } }), { baseDir: assets, seed: 3 });
  assert.deepEqual(ds.imageShape, [224, 224, 3]);
  assert.deepEqual([ds.train.count, ds.validation.count, ds.test.count], [6, 3, 3]);
  assert.equal(ds.train.images.length, 6 * 224 * 224 * 3);
  const again = await planImageFolder(rpsSpec({ maxPerClass: 4 }), { baseDir: assets, seed: 3 });
  const files = [...again.train, ...again.validation, ...again.test].map((p) => p.file).sort();
  assert.deepEqual([ds.train, ds.validation, ds.test].flatMap((s) => s.files).sort(), files);
});

/** A temporary image folder: class "a" and "b" with copies of real photos. */
function tempFolder(): { root: string; photos: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tl-data-'));
  const photos = readdirSync(path.join(rpsDir, 'rock')).sort().slice(0, 8).map((n) => path.join(rpsDir, 'rock', n));
  for (const [cls, from] of [['a', 0], ['b', 4]] as const) {
    mkdirSync(path.join(root, cls));
    for (let i = 0; i < 4; i++) copyFileSync(photos[from + i]!, path.join(root, cls, `img${i}.png`));
  }
  return { root, photos };
}

test('corrupt and truncated images are skipped and listed; the rest load', async (t) => {
  const { root, photos } = tempFolder();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(path.join(root, 'a', 'corrupt.png'), randomBytes(4000));
  const jpeg = await sharp(readFileSync(photos[0]!)).jpeg().toBuffer();
  writeFileSync(path.join(root, 'b', 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  copyFileSync(photos[1]!, path.join(root, 'b', 'UPPER.PNG'));
  // Greyscale and transparent images become 3-channel RGB too.
  await sharp(photos[2]!).greyscale().toFile(path.join(root, 'a', 'grey.png'));
  await sharp(photos[3]!).ensureAlpha(0.5).webp().toFile(path.join(root, 'b', 'alpha.webp'));
  writeFileSync(path.join(root, 'b', 'notes.txt'), 'not an image');
  writeFileSync(path.join(root, 'README.md'), 'not a class');

  const spec = ImageFolderDataSchema.parse({ type: 'imageFolder', path: path.basename(root), imageSize: [32, 32], split: { validation: 0, test: 0 } });
  const ds = await loadDataset(spec, { baseDir: path.dirname(root), seed: 1 });
  assert.deepEqual(ds.classes, ['a', 'b']);
  assert.deepEqual(ds.skipped.map((s) => path.relative(root, s.file)), [path.join('a', 'corrupt.png'), path.join('b', 'truncated.jpg')]);
  assert.match(ds.skipped[0]!.reason, /unsupported image format/);
  assert.match(ds.skipped[1]!.reason, /premature end|truncated or corrupt/i);
  assert.equal(ds.train.count, 11);
  assert.deepEqual(Array.from(ds.train.labels), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.equal(ds.train.images.length, 11 * 32 * 32 * 3);
  assert.ok(ds.train.files.some((f) => f.endsWith('UPPER.PNG')));
  // The greyscale copy has equal R, G and B.
  const g = ds.train.files.findIndex((f) => f.endsWith('grey.png'));
  const grey = ds.train.images.subarray(g * 3072, (g + 1) * 3072);
  for (let i = 0; i < grey.length; i += 3) assert.ok(grey[i] === grey[i + 1] && grey[i] === grey[i + 2]);
});

test('layout errors name the path', async (t) => {
  const { root } = tempFolder();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const load = (p: string) => loadDataset(ImageFolderDataSchema.parse({ type: 'imageFolder', path: p, imageSize: [16, 16] }), { baseDir: root, seed: 1 });

  await assert.rejects(load('missing'), { message: `Data folder not found: ${path.join(root, 'missing')}` });
  await assert.rejects(load('a/img0.png'), (e: Error) => e.message.startsWith(`Data path is not a folder: ${path.join(root, 'a', 'img0.png')}`));
  await assert.rejects(load('a'), (e: Error) => e.message === `Data folder ${path.join(root, 'a')} needs at least 2 class sub-folders (one per class), found 0`);

  const single = path.join(root, 'single');
  mkdirSync(path.join(single, 'only'), { recursive: true });
  copyFileSync(path.join(root, 'a', 'img0.png'), path.join(single, 'only', 'x.png'));
  await assert.rejects(load('single'), { message: `Data folder ${single} needs at least 2 class sub-folders (one per class), found 1: only` });
  rmSync(single, { recursive: true });

  mkdirSync(path.join(root, 'c'));
  writeFileSync(path.join(root, 'c', 'notes.txt'), 'no images here');
  await assert.rejects(load('.'), (e: Error) => e.message.startsWith(`Class folder ${path.join(root, 'c')} has no images`));

  writeFileSync(path.join(root, 'c', 'bad.png'), randomBytes(100));
  await assert.rejects(load('.'), (e: Error) => e.message.startsWith(`Class folder ${path.join(root, 'c')} has no readable images (1 could not be decoded, e.g. bad.png:`));
});
