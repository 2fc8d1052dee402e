// Timing and memory helpers for the benchmark.
import * as tf from '@tensorflow/tfjs-core';
import { timeBatches } from '../src/core/backend/measure';


/** Images/s of `step` (one batch of `batchSize`), median over `repeats` after `warmup` untimed runs. */
export async function imagesPerSecond(batchSize: number, warmup: number, repeats: number, step: () => Promise<void> | void): Promise<number> {
  return (await timeBatches(batchSize, warmup, repeats, step)).imagesPerSecond;
}

/** Bytes of the wasm backend's heap (it only grows), or 0 on other backends. */
export function wasmHeapBytes(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

/** Peak resident set of this process so far, in bytes (the kernel's high-water mark). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
