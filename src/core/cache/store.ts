// The feature cache folder: one FeaturePack per namespace, a size bound enforced by dropping
// the least recently used namespaces, and hit/miss counters for the run summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { hashPrefix, namespaceId } from './key';
import { FeaturePack, PACK_FORMAT, PackBusyError, isLockedByOther, packBytes, packLastUsed } from './pack';
import { defaultFeatureCacheDir, defaultFeatureCacheMaxBytes } from './paths';

export interface FeatureCacheOptions {
  /** Default: defaultFeatureCacheDir(). */
  dir?: string;
  /** Default: defaultFeatureCacheMaxBytes(). */
  maxBytes?: number;
}

export interface NamespaceSpec {
  prefix: LayersModel;
  boundary: string;
  preprocess: string;
  imageShape: readonly number[];
}

export class FeatureCache {
  readonly dir: string;
  readonly maxBytes: number;
  /** Namespaces dropped to stay under maxBytes, oldest first (for tests and logs). */
  readonly evicted: string[] = [];
  private readonly open = new Map<string, FeaturePack>();

  constructor(opts: FeatureCacheOptions = {}) {
    this.dir = path.resolve(opts.dir ?? defaultFeatureCacheDir());
    this.maxBytes = opts.maxBytes ?? defaultFeatureCacheMaxBytes();
  }

  /** The pack for a frozen prefix, hashing its weights. Null when another process is writing it. */
  async packFor(spec: NamespaceSpec): Promise<FeaturePack | null> {
    const shape = (spec.prefix.outputs[0]!.shape as (number | null)[]).slice(1);
    if (shape.some((d) => d === null)) throw new Error(`feature cache: boundary ${spec.boundary} has an unknown output shape [${shape.join(', ')}]`);
    const modelHash = await hashPrefix(spec.prefix);
    return this.openPack({ shape: shape as number[], boundary: spec.boundary, modelHash, preprocess: spec.preprocess, imageShape: [...spec.imageShape] });
  }

  /** Opens a namespace from its parts (packFor without a model; tests use it directly). */
  openPack(parts: { shape: number[]; boundary: string; modelHash: string; preprocess: string; imageShape: number[] }): FeaturePack | null {
    const id = namespaceId(parts);
    const cached = this.open.get(id);
    if (cached) return cached;
    try {
      const pack = FeaturePack.open(path.join(this.dir, id), { format: PACK_FORMAT, ...parts, createdAt: new Date().toISOString() });
      this.open.set(id, pack);
      return pack;
    } catch (err) {
      if (err instanceof PackBusyError) return null;
      throw err;
    }
  }

  /**
   * Makes room for `bytes` more by deleting the least recently used namespaces that are neither
   * open here nor locked by another process. False when even that cannot bring the folder under
   * maxBytes: the caller then keeps this run's features in memory instead.
   */
  reserve(bytes: number): boolean {
    const packs = this.listPacks();
    let total = packs.reduce((a, p) => a + p.bytes, 0);
    const removable = packs
      .filter((p) => ![...this.open.values()].some((o) => path.resolve(o.dir) === p.dir) && !isLockedByOther(p.dir))
      .sort((a, b) => a.lastUsed - b.lastUsed);
    const pinned = total - removable.reduce((a, p) => a + p.bytes, 0);
    if (pinned + bytes > this.maxBytes) return false;
    for (const p of removable) {
      if (total + bytes <= this.maxBytes) break;
      fs.rmSync(p.dir, { recursive: true, force: true });
      this.evicted.push(path.basename(p.dir));
      total -= p.bytes;
    }
    return true;
  }

  /** Namespace folders with their size and last use. */
  listPacks(): { dir: string; bytes: number; lastUsed: number }[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { dir: string; bytes: number; lastUsed: number }[] = [];
    for (const name of names) {
      const dir = path.join(this.dir, name);
      const lastUsed = packLastUsed(dir);
      if (lastUsed !== null) out.push({ dir, bytes: packBytes(dir), lastUsed });
    }
    return out;
  }

  close(): void {
    for (const p of this.open.values()) p.close();
    this.open.clear();
  }
}
