// Turns a model reference into a loaded LayersModel: downloads (through the cache) what is
// hosted, reads what is on disk, builds what is built in.
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { fsLoadHandler } from './fsHandler';
import { downloadToCache, type ProgressCallback } from './download';
import { defaultModelCacheDir } from './cache';
import { resolveModelRef, type ResolveOptions } from './resolve';
import { buildBuiltin } from './builtinModels';
import { readModelMeta, type SavedModelMeta } from './save';
import type { CatalogEntry } from './catalog';
import { ensureBackend } from '../backend/select';

export interface LoadOptions extends ResolveOptions {
  cacheDir?: string;
  /** Seeds the initial weights of "builtin:" architectures. */
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface LoadedBase {
  model: tfl.LayersModel;
  /** Where the model.json was read from, or the builtin reference. */
  source: string;
  ref: string;
  /** The catalog entry, for catalog ids. */
  catalog: CatalogEntry | null;
  /** transfer-lab.json of a saved model (runs), when present. */
  meta: SavedModelMeta | null;
}

export async function loadBaseModel(ref: string, opts: LoadOptions): Promise<LoadedBase> {
  await ensureBackend();
  const r = await resolveModelRef(ref, opts);
  if (r.kind === 'builtin') {
    return { model: buildBuiltin(r.arch, opts.seed ?? 42, ref), source: `builtin:${r.arch}`, ref, catalog: null, meta: null };
  }
  const modelJson =
    r.kind === 'remote'
      ? await downloadToCache(r.url, r.catalog?.id ?? r.url, opts.cacheDir ?? defaultModelCacheDir(), opts.onProgress)
      : r.modelJson;
  const model = await tfl.loadLayersModel(fsLoadHandler(modelJson));
  const meta = await readModelMeta(path.dirname(modelJson));
  return { model, source: r.kind === 'remote' ? r.url : modelJson, ref, catalog: r.kind === 'remote' ? r.catalog : null, meta };
}
