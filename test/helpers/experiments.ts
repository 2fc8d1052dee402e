// Temporary workspaces with experiment files for engine tests, reading the shared assets in place.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Keep tests off the user's caches: each test process gets its own model and feature caches.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tl-caches-'));
process.env.TRANSFER_LAB_CACHE ??= path.join(scratch, 'models');
process.env.TRANSFER_LAB_FEATURE_CACHE ??= path.join(scratch, 'features');
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const assets = path.resolve(repoRoot, '../shared/assets');
export const mobilenet025 = path.join(assets, 'models/mobilenet_v1_0.25_224/model.json');
export const rpsData = path.join(assets, 'datasets/rock-paper-scissors');

export interface TempWorkspace {
  dir: string;
  write(name: string, experiment: object): string;
  dispose(): void;
}

export function tempWorkspace(prefix = 'tl-test-'): TempWorkspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(name, experiment) {
      const file = path.join(dir, `${name}.experiment.json`);
      writeFileSync(file, JSON.stringify(experiment, null, 2));
      return file;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A quick RPS feature-extraction experiment on the shared 0.25 model. */
export function rpsExperiment(overrides: { name?: string; imageSize?: [number, number]; epochs?: number; data?: string; freeze?: unknown } = {}) {
  return {
    name: overrides.name ?? 'rps',
    seed: 7,
    model: { base: mobilenet025, cutAt: 'conv_pw_13_relu', freeze: overrides.freeze ?? 'all', head: { pooling: 'avg', hidden: [], dropout: 0 } },
    data: { type: 'imageFolder', path: overrides.data ?? rpsData, imageSize: overrides.imageSize ?? [224, 224], preprocess: 'mobilenet', split: { validation: 0.15, test: 0.15 } },
    training: { batchSize: 32, optimizer: 'adam', phases: [{ name: 'head', epochs: overrides.epochs ?? 3, learningRate: 0.003 }] },
  };
}

/** A small copy of the RPS data inside `dir`: the first `perClass` images of each class. */
export function smallRps(dir: string, perClass: number): string {
  const out = path.join(dir, `rps-${perClass}`);
  for (const cls of ['paper', 'rock', 'scissors']) {
    mkdirSync(path.join(out, cls), { recursive: true });
    for (const f of readdirSync(path.join(rpsData, cls)).sort().slice(0, perClass)) cpSync(path.join(rpsData, cls, f), path.join(out, cls, f));
  }
  return out;
}
