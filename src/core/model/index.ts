// The model side of the engine: loading base models (catalog, URL, file, built-in, earlier
// run), describing them, building the transfer model and applying each phase's freeze plan.
// catalog.ts, cache.ts, builtins.ts and resolve.ts import no TensorFlow.js: code in the
// extension host should import those files directly rather than this index.
import type { ModelInspection } from '../../shared/model';
import { describeModel } from './inspect';
import { loadBaseModel, type LoadOptions } from './load';

export { CATALOG, DEFAULT_CATALOG_BASE_URL, catalogAt, catalogEntry, type CatalogEntry } from './catalog';
export { defaultModelCacheDir, isCached, cachedModelDir, cacheKey } from './cache';
export { BUILTIN_ARCHITECTURES } from './builtins';
export { buildBuiltin } from './builtinModels';
export { resolveModelRef, ModelRefError, type ResolvedRef, type ResolveOptions } from './resolve';
export { ModelFileError } from './manifest';
export { DownloadError, downloadToCache, type ProgressCallback } from './download';
export { fsLoadHandler, fsSaveHandler } from './fsHandler';
export { loadBaseModel, type LoadOptions, type LoadedBase } from './load';
export { describeModel, describeLayer, formatLayerTable } from './inspect';
export { buildTransferModel, applyPhase, type TransferModel, type TransferSpec, type AppliedPhase } from './transfer';
export { setBatchNormInference, isBatchNormInference, useFastTrainingOps } from './batchNormMode';
export { freshCopy } from './freshCopy';
export { saveModel, loadSavedModel, readModelMeta, META_FILE, type SavedModelMeta } from './save';

/** Loads a model reference and describes its layers (the model is disposed afterwards). */
export async function inspectModel(ref: string, opts: LoadOptions): Promise<ModelInspection> {
  const loaded = await loadBaseModel(ref, opts);
  try {
    return describeModel(loaded.model, ref, loaded.source);
  } finally {
    loaded.model.dispose();
  }
}
