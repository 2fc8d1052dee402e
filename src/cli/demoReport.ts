// What `transfer-lab demo` prints at the end: the learning curves of the transfer model and the
// from-scratch baseline side by side, their test accuracies and the gain. Pure, unit-tested.
import type { RunEvent, RunSummary } from '../shared/events';
import { fmt, fmtDuration, fmtInt, fmtSigned } from './format';

export type EpochEvent = Extract<RunEvent, { kind: 'epoch' }>;

export interface DemoResult {
  source: RunSummary;
  target: RunSummary;
  /** The target run's epoch events, in order (transfer and baseline mixed). */
  epochs: EpochEvent[];
  sourceRunDir: string;
  targetRunDir: string;
}

/** Rows of (epoch, transfer metrics, baseline metrics), one per epoch either model ran. */
export function curveRows(epochs: readonly EpochEvent[]): { epoch: number; transfer?: EpochEvent; baseline?: EpochEvent }[] {
  const rows = new Map<number, { epoch: number; transfer?: EpochEvent; baseline?: EpochEvent }>();
  for (const e of epochs) {
    const row = rows.get(e.epoch) ?? { epoch: e.epoch };
    row[e.model] = e;
    rows.set(e.epoch, row);
  }
  return [...rows.values()].sort((a, b) => a.epoch - b.epoch);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const cells = (e: EpochEvent | undefined) => (e ? [fmt(e.loss), fmt(e.accuracy), fmt(e.val_accuracy)] : ['-', '-', '-']).map((c) => c.padStart(7)).join(' ');

export function formatDemoReport(r: DemoResult): string {
  const { source, target } = r;
  const lines: string[] = [];
  lines.push(
    `Source model (${source.experiment}): digits ${source.classes.join(', ')}, ${fmtInt(source.counts.train)} training images, ` +
      `test accuracy ${fmt(source.transfer.test?.accuracy)} after ${source.transfer.epochsRun} epochs (${fmtDuration(source.durationSeconds)})`,
  );
  lines.push('');
  lines.push(`Learning curves on digits ${target.classes.join(', ')} with ${fmtInt(target.counts.train)} labelled training images:`);
  lines.push(`epoch |${'transfer'.padStart(15).padEnd(23)} |${'baseline (from scratch)'.padStart(23)}`);
  lines.push(`      |${['loss', 'acc', 'val_acc'].map((h) => h.padStart(7)).join(' ')} |${['loss', 'acc', 'val_acc'].map((h) => h.padStart(7)).join(' ')}`);
  for (const row of curveRows(r.epochs)) lines.push(`${String(row.epoch).padStart(5)} |${cells(row.transfer)} |${cells(row.baseline)}`);
  lines.push('');
  const t = target.transfer.test?.accuracy;
  const b = target.baseline?.test?.accuracy;
  lines.push(`Test accuracy on ${fmtInt(target.counts.test)} unseen images of digits ${target.classes.join(', ')}:`);
  lines.push(`  transfer (frozen features learned on digits ${source.classes.join(', ')})  ${fmt(t)}`);
  lines.push(`  baseline (the same network from random weights)${' '.repeat(Math.max(0, source.classes.join(', ').length - 2))}  ${fmt(b)}`);
  if (target.transferGain !== undefined) {
    const verdict = target.negativeTransfer
      ? 'negative transfer: the pre-trained features did worse than training from scratch'
      : target.transferGain > 0
        ? 'the features learned on the other digits transfer'
        : 'no difference';
    const errors = t !== undefined && b !== undefined ? `, ${pct(1 - t)} errors against ${pct(1 - b)}` : '';
    lines.push(`  transfer gain ${fmtSigned(target.transferGain)}${errors} (${verdict})`);
  }
  lines.push('');
  lines.push(`Runs saved in ${r.sourceRunDir}`);
  lines.push(`         and ${r.targetRunDir}`);
  return lines.join('\n');
}
