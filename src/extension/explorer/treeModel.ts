// What the Model Explorer shows, as plain data: labels, descriptions, icons and order. The
// vscode TreeDataProvider (modelExplorer.ts) only maps these to TreeItems, so this file has no
// `vscode` import and is unit-tested with node --test.
import type { RunEvent, RunStatus, RunSummary } from '../../shared/events';
import { layerStates, UnknownLayerError } from '../../shared/freezePlan';
import { formatShape, type LayerState, type ModelInspection } from '../../shared/model';
import type { Experiment } from '../../core/experiment/schema';

export interface Icon {
  /** A codicon id, e.g. "pass", "error", "sync~spin". */
  id: string;
  /** A theme color id, e.g. "testing.iconPassed". */
  color?: string;
}

export interface NodeView {
  label: string;
  description?: string;
  tooltip?: string;
  icon?: Icon;
  /** For `when` clauses of context menus in package.json. */
  contextValue: string;
}

export interface RunInfo {
  runId: string;
  runDir: string;
  summary: RunSummary | null;
}

/** Live progress of an active run, from its events. */
export interface LiveProgress {
  phase?: string;
  epoch?: number;
  epochs?: number;
  valAccuracy?: number;
  task?: string;
}

export function statusIcon(status: RunStatus | null): Icon {
  switch (status) {
    case 'completed':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'stopped':
      return { id: 'debug-stop', color: 'testing.iconSkipped' };
    case 'failed':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'running':
      return { id: 'sync~spin' };
    default:
      return { id: 'question' };
  }
}

/** The best validation accuracy of the transfer model, or the last one when no best was kept. */
export function bestValAccuracy(s: RunSummary | null): number | null {
  if (!s) return null;
  return s.transfer.best?.val_accuracy ?? s.transfer.final?.val_accuracy ?? null;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

export const formatAccuracy = (a: number) => `${(a * 100).toFixed(1)}%`;

/** 2026-11-23T18-52-10-123Z -> 2026-11-23 18:52:10 */
export function runIdLabel(runId: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})/.exec(runId);
  return m ? `${m[1]} ${m[2]}:${m[3]}:${m[4]}` : runId;
}

/** Newest first (run ids sort by start time). */
export function sortRuns<T extends { runId: string }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

export function runView(run: RunInfo, live?: LiveProgress): NodeView {
  const s = run.summary;
  const status: RunStatus | null = live ? 'running' : (s?.status ?? null);
  const parts: string[] = [];
  if (live) {
    // Before the first epoch (epoch 0) the download/feature task says more, as in the CodeLens.
    if (live.epoch !== undefined && live.epochs !== undefined && (live.epoch > 0 || !live.task)) parts.push(`epoch ${live.epoch}/${live.epochs}`);
    else if (live.task) parts.push(live.task);
    else parts.push('starting');
    if (live.valAccuracy !== undefined) parts.push(`val ${formatAccuracy(live.valAccuracy)}`);
  } else {
    const best = bestValAccuracy(s);
    parts.push(status ?? 'no summary');
    if (best !== null) parts.push(`best val ${formatAccuracy(best)}`);
    if (s && s.durationSeconds > 0) parts.push(formatDuration(s.durationSeconds));
  }
  const tooltip = [
    `Run ${run.runId}`,
    `Status: ${status ?? 'unknown (no summary.json)'}`,
    s?.error ? `Error: ${s.error}` : '',
    s?.backend ? `Backend: ${s.backend}` : '',
    s?.transfer.test ? `Test accuracy: ${formatAccuracy(s.transfer.test.accuracy)}` : '',
    s?.transferGain !== undefined ? `Transfer gain over baseline: ${(s.transferGain * 100).toFixed(1)} points` : '',
    run.runDir,
  ].filter(Boolean);
  return {
    label: runIdLabel(run.runId),
    description: parts.join(' · '),
    tooltip: tooltip.join('\n'),
    icon: statusIcon(status),
    contextValue: live ? 'run.active' : 'run',
  };
}

export interface ExperimentInfo {
  file: string;
  /** Path shown to the user (relative to the workspace). */
  relativePath: string;
  experiment: Experiment | null;
  /** The first validation problem when the file does not parse. */
  error?: string;
}

export function experimentView(e: ExperimentInfo, running: boolean): NodeView {
  if (!e.experiment) {
    return { label: e.relativePath, description: 'invalid', tooltip: e.error, icon: { id: 'warning', color: 'problemsWarningIcon.foreground' }, contextValue: 'experiment.invalid' };
  }
  const x = e.experiment;
  return {
    label: x.name,
    description: `${x.model.base}${running ? ' · running' : ''}`,
    tooltip: [e.relativePath, x.description ?? '', `Base: ${x.model.base}, cut at ${x.model.cutAt}`, `Phases: ${x.training.phases.map((p) => `${p.name} (${p.epochs} epochs)`).join(', ')}`]
      .filter(Boolean)
      .join('\n'),
    icon: { id: running ? 'loading~spin' : 'beaker' },
    contextValue: running ? 'experiment.running' : 'experiment',
  };
}

export function catalogView(entry: { id: string; description: string }, cached: boolean): NodeView {
  return {
    label: entry.id,
    description: cached ? 'cached' : 'not downloaded',
    tooltip: entry.description,
    icon: cached ? { id: 'check', color: 'testing.iconPassed' } : { id: 'cloud-download' },
    contextValue: 'model.catalog',
  };
}

export { formatShape };

export const formatParams = (n: number) => n.toLocaleString('en-US');

const STATE_ICON: Record<LayerState, Icon> = {
  frozen: { id: 'lock' },
  'bn-inference': { id: 'lock' },
  trainable: { id: 'flame', color: 'charts.orange' },
  cut: { id: 'circle-slash', color: 'disabledForeground' },
  head: { id: 'add' },
};
const STATE_TEXT: Record<LayerState, string> = {
  frozen: 'frozen',
  'bn-inference': 'frozen (BatchNorm in inference mode)',
  trainable: 'trainable',
  cut: 'cut (not used)',
  head: 'head',
};

/**
 * One row per layer: name, type, output shape, params, and (under an experiment) its state in
 * the first phase. An unknown cutAt or freeze layer leaves the state out (the editor shows that
 * error as a diagnostic).
 */
export function layerViews(inspection: ModelInspection, experiment?: Experiment | null): NodeView[] {
  let states: LayerState[] | undefined;
  if (experiment) {
    try {
      const names = inspection.layers.map((l) => l.name);
      const bn = new Set(inspection.layers.filter((l) => l.isBatchNorm).map((l) => l.name));
      states = layerStates(names, (n) => bn.has(n), experiment.model, experiment.training.phases[0] ?? {});
    } catch (err) {
      if (!(err instanceof UnknownLayerError)) throw err;
    }
  }
  return inspection.layers.map((l, i) => {
    const state = states?.[i];
    const desc = `${l.className} ${formatShape(l.outputShape)} · ${formatParams(l.params)} params${state ? ` · ${STATE_TEXT[state]}` : ''}`;
    return {
      label: l.name,
      description: desc,
      tooltip: `${l.name} (${l.className})\nOutput: ${formatShape(l.outputShape)}\nParams: ${formatParams(l.params)}${l.nonTrainableParams ? ` (${formatParams(l.nonTrainableParams)} non-trainable)` : ''}${l.inbound.length ? `\nInputs: ${l.inbound.join(', ')}` : ''}`,
      icon: state ? STATE_ICON[state] : { id: 'symbol-field' },
      contextValue: 'layer',
    };
  });
}

/** Live progress from a run's events so far (the latest epoch or progress task wins). */
export function liveProgress(events: readonly RunEvent[]): LiveProgress {
  const p: LiveProgress = {};
  for (const e of events) {
    if (e.kind === 'run-start') {
      p.epochs = e.phases.reduce((a, x) => a + x.epochs, 0);
      p.epoch = 0;
    } else if (e.kind === 'phase-start' && e.model === 'transfer') {
      p.phase = e.phase.name;
    } else if (e.kind === 'epoch' && e.model === 'transfer') {
      p.epoch = e.epoch;
      p.epochs = e.epochs;
      if (e.val_accuracy !== undefined) p.valAccuracy = e.val_accuracy;
      p.task = undefined;
    } else if (e.kind === 'progress') {
      p.task = `${e.task} ${e.done}/${e.total}`;
    }
  }
  return p;
}
