// What a model reference names, before anything is loaded: a catalog id, an http(s) URL, a
// path to a model.json (or its folder), "builtin:<arch>" or "run:<experiment name>".
// Imports no TensorFlow.js.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { closestNames } from '../../shared/freezePlan';
import { catalogAt, DEFAULT_CATALOG_BASE_URL, type CatalogEntry } from './catalog';
import { BUILTIN_ARCHITECTURES } from './builtins';

export interface ResolveOptions {
  /** Relative paths resolve against this folder (the experiment's). */
  baseDir: string;
  /** The runs folder, for "run:<experiment name>". */
  runsDir?: string;
  /** Replaces the catalog's host (tests serve the catalog locally). */
  catalogBaseUrl?: string;
}

export type ResolvedRef =
  | { kind: 'builtin'; ref: string; arch: string }
  | { kind: 'file'; ref: string; modelJson: string }
  | { kind: 'run'; ref: string; modelJson: string; runDir: string }
  | { kind: 'remote'; ref: string; url: string; catalog: CatalogEntry | null };

export class ModelRefError extends Error {
  constructor(readonly ref: string, detail: string) {
    super(`model "${ref}": ${detail}`);
    this.name = 'ModelRefError';
  }
}

async function stat(p: string) {
  try {
    return await fs.stat(p);
  } catch {
    return null;
  }
}

/** The model/ folder of the newest completed run of `experiment`. */
async function newestCompletedRun(ref: string, experiment: string, runsDir: string | undefined) {
  if (!runsDir) throw new ModelRefError(ref, 'no runs folder is known here to look the run up in');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(experiment)) throw new ModelRefError(ref, `"${experiment}" is not an experiment name`);
  const folder = path.join(path.resolve(runsDir), experiment);
  let ids: string[] = [];
  try {
    ids = (await fs.readdir(folder, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no runs at all: reported below
  }
  // Run ids sort by time, so the newest comes first in reverse order.
  for (const id of ids.sort().reverse()) {
    const runDir = path.join(folder, id);
    try {
      const summary = JSON.parse(await fs.readFile(path.join(runDir, 'summary.json'), 'utf8')) as { status?: unknown };
      if (summary.status !== 'completed') continue;
    } catch {
      continue;
    }
    const modelJson = path.join(runDir, 'model', 'model.json');
    if (await stat(modelJson)) return { runDir, modelJson };
  }
  throw new ModelRefError(ref, `no completed run of experiment "${experiment}" with a saved model in ${folder}`);
}

export async function resolveModelRef(ref: string, opts: ResolveOptions): Promise<ResolvedRef> {
  const trimmed = ref.trim();
  if (!trimmed) throw new ModelRefError(ref, 'empty model reference');
  const catalog = catalogAt(opts.catalogBaseUrl ?? DEFAULT_CATALOG_BASE_URL);
  const entry = catalog.find((e) => e.id === trimmed);
  if (entry) return { kind: 'remote', ref, url: entry.url, catalog: entry };
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return { kind: 'remote', ref, url: new URL(trimmed).href, catalog: null };
    } catch {
      throw new ModelRefError(ref, 'not a valid URL');
    }
  }
  if (trimmed.startsWith('builtin:')) {
    const arch = trimmed.slice('builtin:'.length);
    if (!(arch in BUILTIN_ARCHITECTURES)) {
      throw new ModelRefError(ref, `no built-in architecture "${arch}" (known: ${Object.keys(BUILTIN_ARCHITECTURES).map((a) => `builtin:${a}`).join(', ')})`);
    }
    return { kind: 'builtin', ref, arch };
  }
  if (trimmed.startsWith('run:')) {
    const found = await newestCompletedRun(ref, trimmed.slice('run:'.length), opts.runsDir);
    return { kind: 'run', ref, ...found };
  }
  const target = path.resolve(opts.baseDir, trimmed);
  const s = await stat(target);
  if (s?.isDirectory()) {
    const modelJson = path.join(target, 'model.json');
    if (await stat(modelJson)) return { kind: 'file', ref, modelJson };
    throw new ModelRefError(ref, `the folder ${target} holds no model.json`);
  }
  if (s?.isFile()) return { kind: 'file', ref, modelJson: target };
  const close = closestNames(trimmed, catalog.map((e) => e.id));
  throw new ModelRefError(
    ref,
    `not a catalog id, URL, "builtin:" or "run:" reference, and no file or folder ${target} exists` +
      (close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ''),
  );
}
