// Text and JSON the CLI prints, as pure functions of the engine's events and summaries.
import type { EpochMetrics, ModelResult, RunEvent, RunSummary, TestMetrics } from '../shared/events';
import type { BackendReport } from '../shared/trainerProtocol';

type EpochEvent = Extract<RunEvent, { kind: 'epoch' }>;
type RunStartEvent = Extract<RunEvent, { kind: 'run-start' }>;
type PhaseStartEvent = Extract<RunEvent, { kind: 'phase-start' }>;

/** A metric with fixed decimals; "-" when the engine did not report it. */
export function fmt(x: number | null | undefined, digits = 4): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** Signed, for gains: "+0.2310" / "-0.0100". */
export function fmtSigned(x: number, digits = 4): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 5.2 -> "5.2s", 75 -> "1m15s", 3700 -> "1h01m". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line per finished epoch, the same in a log file and after a terminal's progress bar. */
export function formatEpochLine(e: EpochEvent): string {
  const width = String(e.epochs).length;
  const parts = [
    `${e.model.padEnd(8)} epoch ${String(e.epoch).padStart(width)}/${e.epochs}`,
    `loss ${fmt(e.loss)}`,
    `acc ${fmt(e.accuracy)}`,
    `val_loss ${fmt(e.val_loss)}`,
    `val_acc ${fmt(e.val_accuracy)}`,
    `${fmtInt(e.imagesPerSecond)} img/s`,
    fmtDuration(e.seconds),
  ];
  if (e.epoch < e.epochs) parts.push(`ETA ${fmtDuration(e.etaSeconds)}`);
  return parts.join('  ');
}

export function formatRunStart(e: RunStartEvent): string {
  const c = e.counts;
  return (
    `run ${e.runId} of "${e.experiment}" on ${e.backend}: ${e.classes.length} classes (${e.classes.join(', ')}), ` +
    `${fmtInt(c.train)} train / ${fmtInt(c.validation)} validation / ${fmtInt(c.test)} test images` +
    (e.baseline ? ', with a from-scratch baseline' : '')
  );
}

export function formatPhaseStart(e: PhaseStartEvent): string {
  const p = e.phase;
  return (
    `${e.model.padEnd(8)} phase "${p.name}": ${p.epochs} epoch${p.epochs === 1 ? '' : 's'} at lr ${p.learningRate}, ` +
    `base ${fmtInt(p.trainableParams)} trainable / ${fmtInt(p.frozenParams)} frozen params` +
    (p.cacheBoundary ? `, features cached at ${p.cacheBoundary}` : '')
  );
}

export function formatEvaluation(model: string, m: TestMetrics): string {
  return `${model.padEnd(8)} test: accuracy ${fmt(m.accuracy)}  loss ${fmt(m.loss)}`;
}

/** Lines for the events that are not batches (the progress bar shows those). */
export function formatEventLine(e: RunEvent): string | null {
  switch (e.kind) {
    case 'run-start':
      return formatRunStart(e);
    case 'phase-start':
      return formatPhaseStart(e);
    case 'epoch':
      return formatEpochLine(e);
    case 'early-stop':
      return `${e.model.padEnd(8)} early stop after epoch ${e.epoch}: ${e.monitor} stopped improving (best ${fmt(e.best)})`;
    case 'evaluation':
      return formatEvaluation(e.model, e.metrics);
    case 'warning':
      return `warning: ${oneLine(e.message)}`;
    default:
      return null;
  }
}

/** The object `run --json` prints as the last line of stdout. */
export interface RunResultJson {
  status: RunSummary['status'];
  error?: string;
  experiment?: string;
  runId?: string;
  backend?: string;
  runDir?: string;
  durationSeconds?: number;
  classes?: string[];
  counts?: RunSummary['counts'];
  metrics?: ResultMetrics;
  baseline?: ResultMetrics;
  transferGain?: number;
  negativeTransfer?: boolean;
  skippedImages?: number;
}

export interface ResultMetrics {
  epochsRun: number;
  loss: number | null;
  accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
}

function resultMetrics(r: ModelResult): ResultMetrics {
  const f: EpochMetrics | null = r.final;
  return {
    epochsRun: r.epochsRun,
    loss: f?.loss ?? null,
    accuracy: f?.accuracy ?? null,
    val_loss: f?.val_loss ?? null,
    val_accuracy: f?.val_accuracy ?? null,
    test_loss: r.test?.loss ?? null,
    test_accuracy: r.test?.accuracy ?? null,
  };
}

export function runResultJson(summary: RunSummary, runDir: string): RunResultJson {
  const out: RunResultJson = {
    status: summary.status,
    ...(summary.error ? { error: summary.error } : {}),
    experiment: summary.experiment,
    runId: summary.runId,
    backend: summary.backend,
    runDir,
    durationSeconds: summary.durationSeconds,
    classes: summary.classes,
    counts: summary.counts,
    metrics: resultMetrics(summary.transfer),
    skippedImages: summary.skippedImages.length,
  };
  if (summary.baseline) out.baseline = resultMetrics(summary.baseline);
  if (summary.transferGain !== undefined) out.transferGain = summary.transferGain;
  if (summary.negativeTransfer !== undefined) out.negativeTransfer = summary.negativeTransfer;
  return out;
}

/** The human summary `run` prints to stdout at the end. */
export function formatRunSummary(summary: RunSummary, runDir: string): string {
  const lines = [`${summary.status}: ${summary.experiment} run ${summary.runId} on ${summary.backend} in ${fmtDuration(summary.durationSeconds)}`];
  if (summary.error) lines.push(`  error: ${oneLine(summary.error)}`);
  const row = (label: string, r: ModelResult) =>
    `  ${label.padEnd(9)} val_acc ${fmt(r.final?.val_accuracy)}  test_acc ${fmt(r.test?.accuracy)}  (${r.epochsRun} epochs, ${fmtDuration(r.seconds)})`;
  lines.push(row('transfer', summary.transfer));
  if (summary.baseline) lines.push(row('baseline', summary.baseline));
  if (summary.transferGain !== undefined) {
    lines.push(`  transfer gain ${fmtSigned(summary.transferGain)}${summary.negativeTransfer ? '  NEGATIVE TRANSFER: the pre-trained base hurt' : ''}`);
  }
  if (summary.skippedImages.length) lines.push(`  ${summary.skippedImages.length} unreadable image(s) skipped`);
  lines.push(`  saved in ${runDir}`);
  return lines.join('\n');
}

export function formatBackendReport(r: BackendReport): string {
  const width = Math.max(...r.candidates.map((c) => c.name.length), 4);
  return [
    `chosen: ${r.chosen}`,
    ...r.candidates.map((c) => `  ${c.available ? 'yes' : 'no '}  ${c.name.padEnd(width)}  ${oneLine(c.reason)}`),
  ].join('\n');
}

export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
}

/**
 * Any error as the one line the CLI prints on stderr. An experiment file error keeps each
 * issue's `file:line:col: path: message` form (editors and terminals link those), joined by "; ".
 */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return `error: ${oneLine(err.message) || err.name}`;
  return `error: ${oneLine(String(err))}`;
}
