// What a cached activation depends on, hashed. A namespace is one frozen prefix applied to one
// pixel pipeline: the prefix's layer configs and weights (which also pins the boundary layer),
// the boundary's name, the preprocessing and the image size. Within a namespace an entry is
// one example's content key (the sha1 of its image file) and orientation.
import { createHash } from 'node:crypto';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * Bumped when anything that shapes a cached activation changes outside what is hashed: the
 * decoder/resizer, the preprocessing formulas, the pack format, how the prefix is computed.
 * 2: the prefix runs compiled (BatchNorm folded into fused convolutions, src/core/model/fusedPrefix.ts),
 * whose float rounding differs from predict's, so entries of the two are never mixed in one namespace.
 */
export const FEATURE_PIPELINE_VERSION = 2;

/**
 * sha256 over the prefix's layers in order: class, config (without `trainable`, which phases
 * toggle without changing what the layer computes) and every weight's name, shape and bytes.
 */
export async function hashPrefix(prefix: LayersModel): Promise<string> {
  const h = createHash('sha256');
  for (const layer of prefix.layers) {
    const config = { ...layer.getConfig() } as Record<string, unknown>;
    delete config.trainable;
    h.update(`${layer.getClassName()}\n${JSON.stringify(config)}\n`);
    for (const w of layer.weights) {
      const t = w.read();
      const data = await t.data();
      h.update(`${w.originalName}:${t.dtype}:${t.shape.join('x')}\n`);
      h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  return h.digest('hex');
}

export interface NamespaceParts {
  modelHash: string;
  boundary: string;
  preprocess: string;
  imageShape: readonly number[];
  shape: readonly number[];
}

/** Folder name of a namespace. */
export function namespaceId(p: NamespaceParts): string {
  const text = JSON.stringify({ v: FEATURE_PIPELINE_VERSION, m: p.modelHash, b: p.boundary, p: p.preprocess, i: p.imageShape, s: p.shape });
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Entry key of one example in one orientation. */
export function entryKey(exampleKey: string, mirrored: boolean): string {
  return mirrored ? `${exampleKey}#mirrored` : exampleKey;
}
