// Pixel work of a batch on plain typed arrays: no tensors and no tfjs import, so the batch worker
// (batchWorker.ts) runs the same code as the training thread.
import type { Preprocess } from './types';

/** mobilenet: x/127.5-1 (range -1..1); unit: x/255 (0..1); none: x (0..255). */
export function preprocessPixels(pixels: ArrayLike<number>, mode: Preprocess, out: Float32Array<ArrayBufferLike> = new Float32Array(pixels.length), outOffset = 0): Float32Array<ArrayBufferLike> {
  const n = pixels.length;
  if (outOffset + n > out.length) throw new Error(`preprocessPixels: output holds ${out.length - outOffset} values, need ${n}`);
  switch (mode) {
    case 'mobilenet':
      for (let i = 0; i < n; i++) out[outOffset + i] = pixels[i]! / 127.5 - 1;
      break;
    case 'unit':
      for (let i = 0; i < n; i++) out[outOffset + i] = pixels[i]! / 255;
      break;
    case 'none':
      for (let i = 0; i < n; i++) out[outOffset + i] = pixels[i]!;
      break;
    default:
      throw new Error(`unknown preprocess "${String(mode satisfies never)}"`);
  }
  return out;
}

/** Mirrors one HWC image left to right. */
export function flipHorizontal(src: Uint8Array, [height, width, channels]: readonly [number, number, number], out = new Uint8Array(src.length)): Uint8Array {
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = y * row + (width - 1 - x) * channels;
      const to = y * row + x * channels;
      for (let k = 0; k < channels; k++) out[to + k] = src[from + k]!;
    }
  }
  return out;
}

/**
 * Preprocessed pixels of `indices` (examples of `images`, packed HWC uint8) into `out`, each
 * mirrored where `flips[i]` is true.
 */
export function fillPixels(
  images: Uint8Array,
  shape: readonly [number, number, number],
  preprocess: Preprocess,
  indices: ArrayLike<number>,
  flips: ArrayLike<boolean> | undefined,
  out: Float32Array<ArrayBufferLike>,
): Float32Array<ArrayBufferLike> {
  const imageSize = shape[0] * shape[1] * shape[2];
  const mirrored = new Uint8Array(imageSize);
  for (let i = 0; i < indices.length; i++) {
    const ex = indices[i]!;
    let pixels = images.subarray(ex * imageSize, (ex + 1) * imageSize);
    if (flips?.[i] === true) pixels = flipHorizontal(pixels, shape, mirrored);
    preprocessPixels(pixels, preprocess, out, i * imageSize);
  }
  return out;
}
