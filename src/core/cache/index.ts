// The feature cache at the freeze boundary, on disk. See bench/README.md for what is cached.
export { FeatureCache, type FeatureCacheOptions, type NamespaceSpec } from './store';
export { FeaturePack, PackBusyError, type PackMeta } from './pack';
export { hashPrefix, namespaceId, entryKey, FEATURE_PIPELINE_VERSION } from './key';
export { defaultFeatureCacheDir, defaultFeatureCacheMaxBytes } from './paths';
