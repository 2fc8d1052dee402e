// The status bar text of an active run, from its events. Pure: tested with node --test.
import type { RunEvent } from '../../shared/events';

export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** e.g. "rps · head · epoch 3/10 · ETA 1m 05s" (baseline epochs say "baseline"). */
export function runStatusText(experiment: string, events: readonly RunEvent[]): string {
  let phase = 'starting';
  let epoch: string | undefined;
  let eta: string | undefined;
  let total: number | undefined;
  for (const e of events) {
    if (e.kind === 'run-start') {
      total = e.phases.reduce((a, p) => a + p.epochs, 0);
      phase = 'loading';
    } else if (e.kind === 'progress') {
      phase = `${e.task} ${e.total ? Math.floor((100 * e.done) / e.total) : 0}%`;
    } else if (e.kind === 'phase-start') {
      phase = e.model === 'baseline' ? `baseline ${e.phase.name}` : e.phase.name;
      epoch = undefined;
    } else if (e.kind === 'batch') {
      epoch = `epoch ${e.epoch}/${total ?? '?'}`;
    } else if (e.kind === 'epoch') {
      epoch = `epoch ${e.epoch}/${e.epochs}`;
      eta = e.etaSeconds > 0 ? `ETA ${formatEta(e.etaSeconds)}` : undefined;
    } else if (e.kind === 'evaluation') {
      phase = 'evaluating';
      epoch = undefined;
      eta = undefined;
    } else if (e.kind === 'run-end') {
      phase = e.summary.status;
      epoch = eta = undefined;
    }
  }
  return [experiment, phase, epoch, eta].filter(Boolean).join(' · ');
}
