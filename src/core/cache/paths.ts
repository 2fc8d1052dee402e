// Where the feature cache lives and how big it may grow.
import * as os from 'node:os';
import * as path from 'node:path';

/** TRANSFER_LAB_FEATURE_CACHE, else ~/.cache/transfer-lab/features. */
export function defaultFeatureCacheDir(): string {
  return process.env.TRANSFER_LAB_FEATURE_CACHE ?? path.join(os.homedir(), '.cache', 'transfer-lab', 'features');
}

/**
 * TRANSFER_LAB_FEATURE_CACHE_MAX_MB, else 2 GiB: room for the RPS set at MobileNet 0.75's
 * 7x7x768 boundary in both orientations (600 x 2 x 150 KB = 180 MB) many times over.
 */
export function defaultFeatureCacheMaxBytes(): number {
  const mb = Number(process.env.TRANSFER_LAB_FEATURE_CACHE_MAX_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : 2 * 1024 ** 3;
}
