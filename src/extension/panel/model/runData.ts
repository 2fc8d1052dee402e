// What the panel needs from the files on disk: the experiment's settings for the layer tree,
// its class names when they are known without training, and past runs for the comparison.
// No vscode here, so it runs under node --test.
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Experiment } from '../../../core/experiment/schema';
import { listRuns, readRunEvents, readSummary } from '../../../core/run/store';
import { flattenSettings } from '../../../shared/panelSettings';
import type { PanelComparedRun, PanelExperiment, PanelRunItem } from '../../../shared/panelProtocol';

/** Class names: sub-folders of an image folder (sorted, as the data loader orders them) or the digits. */
export async function knownClasses(e: Experiment, dir: string): Promise<string[] | null> {
  if (e.data.type === 'mnist') return e.data.digits.map(String);
  try {
    const entries = await readdir(path.resolve(dir, e.data.path), { withFileTypes: true });
    const names = entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    return names.length ? names : null;
  } catch {
    return null;
  }
}

export function toPanelExperiment(e: Experiment, classes: string[] | null): PanelExperiment {
  return {
    name: e.name,
    base: e.model.base,
    cutAt: e.model.cutAt,
    freeze: e.model.freeze,
    head: e.model.head,
    phases: e.training.phases.map((p) => ({
      name: p.name,
      epochs: p.epochs,
      learningRate: p.learningRate,
      ...(p.unfreezeFrom !== undefined ? { unfreezeFrom: p.unfreezeFrom } : {}),
      ...(p.freeze !== undefined ? { freeze: p.freeze } : {}),
    })),
    batchSize: e.training.batchSize,
    optimizer: e.training.optimizer,
    baseline: e.baseline.fromScratch,
    classes,
  };
}

/** Runs of every experiment in `runsDir`, this experiment's first, each newest first. */
export async function listAllRuns(runsDir: string, experiment: string): Promise<PanelRunItem[]> {
  let names: string[] = [];
  try {
    names = (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
  const ordered = [experiment, ...names.filter((n) => n !== experiment)].filter((n) => names.includes(n));
  const lists = await Promise.all(ordered.map(async (name) => (await listRuns(runsDir, name)).map((r) => ({ ...r, experiment: name }))));
  return lists.flat();
}

/** One run for the comparison: its events, summary and settings (from its resolved experiment.json). */
export async function loadComparedRun(item: PanelRunItem): Promise<PanelComparedRun> {
  let settings: Record<string, string> = {};
  try {
    settings = flattenSettings(JSON.parse(await readFile(path.join(item.runDir, 'experiment.json'), 'utf8')));
  } catch {
    // A run killed before it wrote its settings still has metrics to draw.
  }
  const [events, summary] = await Promise.all([readRunEvents(item.runDir), readSummary(item.runDir)]);
  return { runId: item.runId, runDir: item.runDir, experiment: item.experiment, summary, settings, events };
}
