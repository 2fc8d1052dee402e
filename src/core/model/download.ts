// Downloads a hosted model.json and its shards into the cache. The files go to a temporary
// folder that is renamed into place only once every shard is there and has the right size,
// so an interrupted or failed download never leaves a cache entry that looks complete.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ModelFileError, checkGroupSize, parseModelJson, checkShardPath } from './manifest';
import { cachedModelDir } from './cache';

export class DownloadError extends Error {
  constructor(readonly url: string, detail: string) {
    super(`could not download ${url}: ${detail}`);
    this.name = 'DownloadError';
  }
}

/** (files done, files total); model.json counts as one file. */
export type ProgressCallback = (done: number, total: number) => void;

/** A stalled connection fails instead of hanging the run. */
const FILE_TIMEOUT_MS = 5 * 60_000;
/** Temporary folders older than this were left by a killed process. */
const STALE_TEMP_MS = 60 * 60_000;

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FILE_TIMEOUT_MS) });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new DownloadError(url, `no answer within ${FILE_TIMEOUT_MS / 1000} s`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (err as Error).message;
    // Name/address errors mean no route to the host: say what works offline.
    const offline = /^(ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)$/.test(code);
    throw new DownloadError(url, offline ? `${code} (no network? a model downloaded once is used from the cache offline, or point model.base at a local model.json)` : code);
  }
  if (!res.ok) throw new DownloadError(url, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new DownloadError(url, `connection lost while reading (${(err as Error).message})`);
  }
}

/**
 * Runs `work` over `items` with at most `limit` at a time. After the first error no new item
 * starts, and the error is thrown only once every running item has settled, so the caller
 * can clean up knowing nothing still writes.
 */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

async function removeStaleTemps(cacheDir: string, prefix: string): Promise<void> {
  for (const name of await fs.readdir(cacheDir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const p = path.join(cacheDir, name);
    const s = await fs.stat(p).catch(() => null);
    if (s && Date.now() - s.mtimeMs > STALE_TEMP_MS) await fs.rm(p, { recursive: true, force: true });
  }
}

/**
 * Ensures `<cacheDir>/<key of idOrUrl>/` holds the model at `url`; returns its model.json path.
 * A complete cached copy is used without any network access.
 */
export async function downloadToCache(url: string, idOrUrl: string, cacheDir: string, onProgress?: ProgressCallback): Promise<string> {
  const finalDir = cachedModelDir(idOrUrl, cacheDir);
  const finalJson = path.join(finalDir, 'model.json');
  try {
    await fs.access(finalJson);
    return finalJson;
  } catch {
    // not cached yet
  }
  const text = new TextDecoder().decode(await fetchBytes(url));
  const json = parseModelJson(text, url);
  // Every shard path is checked before the first shard is fetched.
  const groups = json.weightsManifest.map((g) => g.paths.map((p) => checkShardPath(p, url)));
  const shards = groups.flat();
  const total = shards.length + 1;
  onProgress?.(1, total);

  await fs.mkdir(cacheDir, { recursive: true });
  const prefix = `.download-${path.basename(finalDir)}-`;
  await removeStaleTemps(cacheDir, prefix);
  const tmp = path.join(cacheDir, prefix + randomBytes(6).toString('hex'));
  await fs.mkdir(tmp);
  try {
    await fs.writeFile(path.join(tmp, 'model.json'), text);
    const sizes = new Map<string, number>();
    let done = 1;
    await eachLimited(shards, 4, async (rel) => {
      const data = await fetchBytes(new URL(rel, url).href);
      const file = path.join(tmp, ...rel.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, data);
      sizes.set(rel, data.byteLength);
      onProgress?.(++done, total);
    });
    groups.forEach((paths, i) => checkGroupSize(json.weightsManifest, i, paths.map((p) => sizes.get(p)!), url));
    try {
      await fs.rename(tmp, finalDir);
    } catch (err) {
      // Another process finished the same download first: theirs is complete too.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      await fs.rm(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (err instanceof ModelFileError || err instanceof DownloadError) throw err;
    throw new DownloadError(url, `cannot write the cache folder ${cacheDir} (${(err as Error).message})`);
  }
  return finalJson;
}
