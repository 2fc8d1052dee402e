// The run folder: runs/<experiment>/<runId>/ with experiment.json, metrics.jsonl, summary.json
// and model/. Imports no TensorFlow.js, so the extension host can read runs directly.
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { RunEvent, RunSummary } from '../../shared/events';

export interface RunListing {
  runId: string;
  runDir: string;
  /** null when summary.json is missing or unreadable (a run killed before it wrote one). */
  summary: RunSummary | null;
}

/** Ids sort by start time: 2026-11-23T18-52-10-123Z. */
export function newRunId(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

export function experimentRunsDir(runsDir: string, experiment: string): string {
  return path.join(runsDir, experiment);
}

export async function listRuns(runsDir: string, experiment: string): Promise<RunListing[]> {
  const dir = experimentRunsDir(runsDir, experiment);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  names.sort().reverse();
  return Promise.all(names.map(async (runId) => ({ runId, runDir: path.join(dir, runId), summary: await readSummary(path.join(dir, runId)) })));
}

export async function readSummary(runDir: string): Promise<RunSummary | null> {
  try {
    const s = JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    return s && s.schemaVersion === 1 ? s : null;
  } catch {
    return null;
  }
}

/** The recorded batch, epoch and evaluation events; a torn last line (a killed run) is skipped. */
export async function readRunEvents(runDir: string): Promise<RunEvent[]> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const out: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      // Only the last line can be torn; ignore it.
    }
  }
  return out;
}

export async function deleteRun(runDir: string): Promise<void> {
  // Refuse anything that does not look like a run folder: this deletes recursively.
  if (!existsSync(path.join(runDir, 'experiment.json')) && !existsSync(path.join(runDir, 'summary.json'))) {
    throw new Error(`${runDir} is not a Transfer Lab run folder`);
  }
  await rm(runDir, { recursive: true, force: true });
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, file);
}

/** Writes one run's folder as it goes, so a stopped or crashed run keeps what it had. */
export class RunWriter {
  private pending: Promise<void> = Promise.resolve();
  private lines: string[] = [];

  private constructor(readonly runId: string, readonly runDir: string) {}

  static async create(runsDir: string, experiment: string, resolvedExperiment: unknown): Promise<RunWriter> {
    const dir = experimentRunsDir(runsDir, experiment);
    await mkdir(dir, { recursive: true });
    let runId = newRunId();
    // Two runs started in the same millisecond get distinct folders.
    for (let i = 1; existsSync(path.join(dir, runId)); i++) runId = `${newRunId()}-${i}`;
    const runDir = path.join(dir, runId);
    await mkdir(runDir);
    await writeJsonAtomic(path.join(runDir, 'experiment.json'), resolvedExperiment);
    return new RunWriter(runId, runDir);
  }

  get modelDir(): string {
    return path.join(this.runDir, 'model');
  }

  /** Queues an event line; lines are appended in order, batched to keep I/O off the hot path. */
  record(event: RunEvent): void {
    this.lines.push(JSON.stringify(event));
    // A failed write stays in `pending` and is thrown by the next writeSummary; here it must not
    // become an unhandled rejection (which ends the process and loses the summary).
    if (this.lines.length >= 64 || event.kind !== 'batch') this.flush().catch(() => undefined);
  }

  flush(): Promise<void> {
    const chunk = this.lines.join('\n');
    this.lines = [];
    if (chunk) this.pending = this.pending.then(() => appendFile(path.join(this.runDir, 'metrics.jsonl'), chunk + '\n'));
    return this.pending;
  }

  async writeSummary(summary: RunSummary): Promise<void> {
    await this.flush();
    await writeJsonAtomic(path.join(this.runDir, 'summary.json'), summary);
  }
}
