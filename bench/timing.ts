// Timing and memory helpers for the benchmark.
import * as tf from '@tensorflow/tfjs-core';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Images/s of `step` (one batch of `batchSize`), median over `repeats` after `warmup` untimed runs. */
export async function imagesPerSecond(batchSize: number, warmup: number, repeats: number, step: () => Promise<void> | void): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await step();
    runs.push((performance.now() - t0) / 1000);
  }
  return batchSize / median(runs);
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
