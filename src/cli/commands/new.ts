// `transfer-lab new <template> [dir]`: writes a new experiment file, never over an existing one.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseExperiment } from '../../core/experiment/load';
import { isTemplateId, renderTemplate, TEMPLATES } from '../../core/templates';
import { EXIT, type CliIo } from '../io';

export class NewFileError extends Error {
  override name = 'NewFileError';
}

/** The template list shown by `new --help` and in the unknown-template error. */
export function templateList(): string {
  const width = Math.max(...TEMPLATES.map((t) => t.id.length));
  return ['Templates:', ...TEMPLATES.map((t) => `  ${t.id.padEnd(width)}  ${t.description}`)].join('\n');
}

export async function newCommand(args: { template: string; dir: string; name?: string; data?: string }, io: CliIo): Promise<number> {
  if (!isTemplateId(args.template)) {
    throw new NewFileError(`unknown template "${args.template}"; one of: ${TEMPLATES.map((t) => t.id).join(', ')}`);
  }
  const name = args.name ?? args.template;
  const dir = path.resolve(io.cwd, args.dir);
  const file = path.join(dir, `${name}.experiment.json`);
  const text = renderTemplate(args.template, { name, ...(args.data ? { dataPath: args.data } : {}) });
  // A template that does not validate is our bug: refuse to write it rather than hand it on.
  parseExperiment(text, file);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(file, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new NewFileError(`${file} already exists; not overwriting it (choose another --name or folder)`);
    throw err;
  }
  io.stdout.write(`wrote ${file}\n`);
  return EXIT.ok;
}
