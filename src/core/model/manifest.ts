// Checks on a model.json's weights manifest that must hold before any shard is read or
// downloaded: shard paths stay inside the model's folder, and each group's bytes add up.
import type { io } from '@tensorflow/tfjs-core';

export class ModelFileError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

export interface ModelJsonLike {
  modelTopology?: unknown;
  weightsManifest?: io.WeightsManifestConfig;
  [key: string]: unknown;
}

/** Parses model.json text, checking it is a LayersModel with a weights manifest. */
export function parseModelJson(text: string, file: string): ModelJsonLike & { weightsManifest: io.WeightsManifestConfig } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFileError(file, 'expected a JSON object');
  const obj = json as ModelJsonLike;
  if (obj.modelTopology == null || typeof obj.modelTopology !== 'object') {
    throw new ModelFileError(file, 'no "modelTopology": this is not a TensorFlow.js LayersModel (graph models cannot be used)');
  }
  const manifest = obj.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelFileError(file, '"weightsManifest" must be an array');
  manifest.forEach((group, i) => {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(file, `weightsManifest[${i}] needs "paths" and "weights" arrays`);
    }
  });
  return { ...obj, weightsManifest: manifest };
}

/**
 * Rejects a shard path that could leave the model's folder: absolute paths, drive letters,
 * URLs with a scheme, and any ".." segment. Returns the path with "/" separators.
 */
export function checkShardPath(shard: unknown, file: string): string {
  if (typeof shard !== 'string' || shard.length === 0) throw new ModelFileError(file, `weight shard path ${JSON.stringify(shard)} is not a file name`);
  const bad = (why: string) => new ModelFileError(file, `weight shard path "${shard}" ${why}; shards must be files inside the model's folder`);
  if (shard.startsWith('/') || shard.startsWith('\\')) throw bad('is absolute');
  if (/^[A-Za-z]:/.test(shard)) throw bad('is absolute');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(shard)) throw bad('is a URL');
  if (shard.includes('\0')) throw bad('contains a NUL character');
  const segments = shard.split(/[\\/]/);
  if (segments.some((s) => s === '..')) throw bad('goes up a folder ("..")');
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight group's tensors take, or null when it holds strings (variable length). */
export function groupBytes(weights: readonly io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const w of weights) {
    if (w.dtype === 'string') return null;
    const dtype = w.quantization?.dtype ?? w.dtype;
    const size = BYTES[dtype];
    if (size === undefined) return null;
    total += w.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/** Throws when the shards of group `index` do not hold exactly its tensors' bytes. */
export function checkGroupSize(manifest: io.WeightsManifestConfig, index: number, shardSizes: readonly number[], file: string): void {
  const group = manifest[index]!;
  const expected = groupBytes(group.weights);
  if (expected === null) return;
  const actual = shardSizes.reduce((a, b) => a + b, 0);
  if (actual !== expected) {
    const names = group.weights.map((w) => w.name).join(', ');
    throw new ModelFileError(
      file,
      `weight shard${group.paths.length > 1 ? 's' : ''} ${group.paths.map((p) => `"${p}"`).join(', ')} hold${group.paths.length > 1 ? '' : 's'} ${actual} bytes, but the tensors listed for ${group.paths.length > 1 ? 'them' : 'it'} (${names}) need ${expected} bytes`,
    );
  }
}
