// `transfer-lab inspect <ref>`: the layers of a base model, as a table or as JSON.
import * as path from 'node:path';
import { selectBackend } from '../../core/backend/select';
import { inspectModel, formatLayerTable } from '../../core/model';
import { EXIT, modelCacheDir, type CliIo } from '../io';
import { createRunReporter } from '../reporter';

export async function inspectCommand(args: { ref: string; runsDir?: string; json: boolean }, io: CliIo): Promise<number> {
  const reporter = createRunReporter(io.stderr, io.stderrIsTTY);
  try {
    // Reading weights needs a registered backend: the one a run would use.
    await selectBackend('auto');
    const inspection = await inspectModel(args.ref, {
      baseDir: io.cwd,
      ...(modelCacheDir(io) ? { cacheDir: modelCacheDir(io) } : {}),
      runsDir: path.resolve(io.cwd, args.runsDir ?? 'runs'),
      onProgress: (done, total) => reporter.onEvent({ kind: 'progress', task: `downloading ${args.ref}`, done, total }),
    });
    reporter.close();
    io.stdout.write((args.json ? JSON.stringify(inspection, null, 2) : formatLayerTable(inspection)) + '\n');
    return EXIT.ok;
  } finally {
    reporter.close();
  }
}
