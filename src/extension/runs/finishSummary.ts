// When a trainer dies mid-run it cannot write its summary: the host does it, so the run
// folder never keeps saying "running". No `vscode` import.
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEvent, RunStatus, RunSummary } from '../../shared/events';

type RunStart = Extract<RunEvent, { kind: 'run-start' }>;

const emptyResult = () => ({ final: null, best: null, test: null, epochsRun: 0, seconds: 0 });

/**
 * Sets a run's summary.json to `status` with `error`, unless the trainer already wrote a
 * final status (completed/stopped/failed). Creates a minimal summary from the run-start
 * event when there is none. Returns the summary now on disk.
 */
export async function finishSummary(
  runDir: string,
  status: Exclude<RunStatus, 'running'>,
  error: string,
  start?: RunStart,
  now = new Date(),
): Promise<RunSummary> {
  const file = path.join(runDir, 'summary.json');
  let summary: RunSummary | null = null;
  try {
    summary = JSON.parse(await readFile(file, 'utf8')) as RunSummary;
  } catch {
    summary = null;
  }
  if (summary && summary.status !== 'running') return summary;
  const startedAt = summary?.startedAt ?? (start ? runIdTime(start.runId) : now.toISOString());
  const base: RunSummary = summary ?? {
    schemaVersion: 1,
    runId: start?.runId ?? path.basename(runDir),
    experiment: start?.experiment ?? path.basename(path.dirname(runDir)),
    status,
    backend: start?.backend ?? 'unknown',
    startedAt,
    endedAt: null,
    durationSeconds: 0,
    classes: start?.classes ?? [],
    counts: start?.counts ?? { train: 0, validation: 0, test: 0 },
    skippedImages: [],
    phases: [],
    transfer: emptyResult(),
  };
  const out: RunSummary = {
    ...base,
    status,
    error,
    endedAt: now.toISOString(),
    durationSeconds: Math.max(0, (now.getTime() - Date.parse(startedAt)) / 1000) || base.durationSeconds,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(out, null, 2) + '\n');
  await rename(tmp, file);
  return out;
}

/** Run ids are ISO times with ":" and "." made "-": 2026-11-23T18-52-10-123Z. */
export function runIdTime(runId: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(runId);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` : new Date().toISOString();
}
