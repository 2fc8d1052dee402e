// The run comparison table: the settings that differ between the chosen runs, and each run's
// best and final metrics. Pure, so it is unit tested.
import type { PanelComparedRun } from '../../src/shared/panelProtocol';

export { flattenSettings } from '../../src/shared/panelSettings';

export interface CompareTable {
  /** Setting keys (dotted paths) whose values are not the same in every run, sorted. */
  keys: string[];
  rows: {
    runId: string;
    experiment: string;
    status: string;
    values: Record<string, string>;
    bestValAccuracy: number | null;
    finalValAccuracy: number | null;
    finalLoss: number | null;
    testAccuracy: number | null;
    seconds: number | null;
  }[];
}

export function compareRuns(runs: readonly PanelComparedRun[]): CompareTable {
  const all = new Set(runs.flatMap((r) => Object.keys(r.settings)));
  const keys = [...all].filter((k) => new Set(runs.map((r) => r.settings[k] ?? '—')).size > 1).sort();
  return {
    keys,
    rows: runs.map((r) => {
      const t = r.summary?.transfer;
      return {
        runId: r.runId,
        experiment: r.experiment,
        status: r.summary?.status ?? 'unknown',
        values: Object.fromEntries(keys.map((k) => [k, r.settings[k] ?? '—'])),
        bestValAccuracy: t?.best?.val_accuracy ?? null,
        finalValAccuracy: t?.final?.val_accuracy ?? null,
        finalLoss: t?.final?.loss ?? null,
        testAccuracy: t?.test?.accuracy ?? null,
        seconds: r.summary ? r.summary.durationSeconds : null,
      };
    }),
  };
}
