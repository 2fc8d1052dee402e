// `transfer-lab run <file>`: one experiment, headless, with progress on stderr and the result
// on stdout (a summary, or with --json one JSON line last).
import * as path from 'node:path';
import type { RunSummary } from '../../shared/events';
import { runExperiment, RunStoppedError } from '../../core/run/runExperiment';
import type { BackendPref } from '../args';
import { errorLine, formatRunSummary, runResultJson, type RunResultJson } from '../format';
import { EXIT, modelCacheDir, type CliIo } from '../io';
import { createRunReporter, type RunReporter } from '../reporter';

export interface RunArgs {
  file: string;
  backend?: BackendPref;
  runsDir?: string;
  json: boolean;
}

export interface RunOutcome {
  summary: RunSummary | null;
  runDir: string | null;
  exitCode: number;
}

/**
 * Runs one experiment with Ctrl+C wired to a cooperative stop (a second Ctrl+C exits at once).
 * Used by `run` and `demo`. Errors before a run folder exists are printed as one line.
 */
export async function runWithProgress(file: string, opts: { backend?: BackendPref; runsDir?: string }, io: CliIo, reporter: RunReporter): Promise<RunOutcome> {
  const controller = new AbortController();
  let runDir: string | null = null;
  const removeHandler = io.onInterrupt(() => {
    if (controller.signal.aborted) {
      reporter.close();
      io.stderr.write('interrupted again: exiting without saving the current epoch\n');
      process.exit(EXIT.interrupted);
    }
    controller.abort();
    reporter.log('stopping after the current batch (Ctrl+C again to quit at once)');
  });
  try {
    const summary = await runExperiment(path.resolve(io.cwd, file), {
      ...(opts.runsDir ? { runsDir: path.resolve(io.cwd, opts.runsDir) } : {}),
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...(modelCacheDir(io) ? { modelCacheDir: modelCacheDir(io) } : {}),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'run-start') runDir = e.runDir;
        reporter.onEvent(e);
      },
    });
    const exitCode = summary.status === 'completed' ? EXIT.ok : summary.status === 'stopped' ? EXIT.interrupted : EXIT.failed;
    return { summary, runDir, exitCode };
  } finally {
    reporter.close();
    removeHandler();
  }
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  const reporter = createRunReporter(io.stderr, io.stderrIsTTY);
  let outcome: RunOutcome;
  try {
    outcome = await runWithProgress(args.file, args, io, reporter);
  } catch (err) {
    const line = errorLine(err);
    const stopped = err instanceof RunStoppedError;
    io.stderr.write(line + '\n');
    if (args.json) io.stdout.write(JSON.stringify({ status: stopped ? 'stopped' : 'failed', error: line.replace(/^error: /, '') } satisfies RunResultJson) + '\n');
    return stopped ? EXIT.interrupted : EXIT.failed;
  }
  const { summary, runDir } = outcome;
  const dir = runDir ?? '';
  if (summary?.status === 'failed') io.stderr.write(errorLine(new Error(summary.error ?? 'the run failed')) + '\n');
  if (summary) io.stdout.write((args.json ? JSON.stringify(runResultJson(summary, dir)) : formatRunSummary(summary, dir)) + '\n');
  return outcome.exitCode;
}
