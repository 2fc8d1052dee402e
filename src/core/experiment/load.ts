// Reads and validates experiment files. Every problem is reported with the file, the
// line and column, the JSON path and what is wrong, so a person can go straight to it.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { ExperimentSchema, type Experiment } from './schema';

export interface ExperimentIssue {
  /** Dotted JSON path, e.g. "model.freeze" or "training.phases[1].epochs"; "" for the whole file. */
  path: string;
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  offset: number;
  length: number;
}

export class ExperimentFileError extends Error {
  constructor(readonly file: string, readonly issues: ExperimentIssue[]) {
    super(
      issues
        .map((i) => `${file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
        .join('\n'),
    );
    this.name = 'ExperimentFileError';
  }
}

export interface LoadedExperiment {
  file: string;
  /** The folder relative paths in the experiment resolve against. */
  dir: string;
  experiment: Experiment;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${String(s)}` : String(s);
  return out;
}

/** Validates experiment text; `file` only names the source in messages. */
export function parseExperiment(text: string, file: string): Experiment {
  const syntax: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, syntax, { allowTrailingComma: false, disallowComments: false });
  if (syntax.length > 0 || !tree) {
    const issues = (syntax.length ? syntax : [{ error: 4 /* ParseErrorCode.ValueExpected */, offset: 0, length: 0 }]).map((e) => ({
      path: '',
      message: `invalid JSON: ${jsonc.printParseErrorCode(e.error)}`,
      ...position(text, e.offset),
      offset: e.offset,
      length: e.length,
    }));
    throw new ExperimentFileError(file, issues);
  }
  const result = ExperimentSchema.safeParse(jsonc.getNodeValue(tree));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    // Point at the deepest node that exists: a missing key is reported on its parent object.
    let segments = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    let node = jsonc.findNodeAtLocation(tree, segments);
    while (!node && segments.length) {
      segments = segments.slice(0, -1);
      node = jsonc.findNodeAtLocation(tree, segments);
    }
    // For a key problem, the property's key is the useful place to underline.
    const target = node?.parent?.type === 'property' && node.parent.children?.[0] ? node.parent.children[0] : node ?? tree;
    return {
      path: formatPath(issue.path),
      message: issue.message,
      ...position(text, target.offset),
      offset: target.offset,
      length: target.length,
    };
  });
  throw new ExperimentFileError(file, issues);
}

export async function loadExperimentFile(file: string): Promise<LoadedExperiment> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExperimentFileError(abs, [
      { path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})`, line: 1, column: 1, offset: 0, length: 0 },
    ]);
  }
  return { file: abs, dir: path.dirname(abs), experiment: parseExperiment(text, abs) };
}
