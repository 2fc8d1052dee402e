// Where downloaded models live: one folder per catalog id or URL, complete or absent.
// Imports no TensorFlow.js (the extension host uses isCached for the catalog tree).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG } from './catalog';

export function defaultModelCacheDir(): string {
  return process.env.TRANSFER_LAB_CACHE ?? path.join(os.homedir(), '.cache', 'transfer-lab', 'models');
}

const isUrl = (ref: string) => /^https?:\/\//i.test(ref);

/** The cache folder name for a catalog id (sanitized) or a URL (hashed). */
export function cacheKey(idOrUrl: string): string {
  if (isUrl(idOrUrl)) return `url-${createHash('sha256').update(idOrUrl).digest('hex').slice(0, 20)}`;
  return idOrUrl.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

export function cachedModelDir(idOrUrl: string, cacheDir = defaultModelCacheDir()): string {
  return path.join(cacheDir, cacheKey(idOrUrl));
}

/**
 * Whether a catalog id or URL has a complete copy in the cache. Downloads are renamed into
 * place only when complete, so a folder with a model.json is a whole model.
 */
export function isCached(idOrUrl: string, cacheDir = defaultModelCacheDir()): boolean {
  if (!isUrl(idOrUrl) && !CATALOG.some((e) => e.id === idOrUrl)) return false;
  return existsSync(path.join(cachedModelDir(idOrUrl, cacheDir), 'model.json'));
}
