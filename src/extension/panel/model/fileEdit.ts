// Turns property changes from the panel into the smallest text edit of the experiment file,
// keeping its comments, key order and indentation. Pure (no vscode), so it is unit tested;
// the panel applies the result as a WorkspaceEdit so Undo works.
import * as jsonc from 'jsonc-parser';
import type { PropertyChange } from '../../../shared/panelFreeze';

export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

/** The indentation the file already uses (first indented line), so new lines match it. */
export function detectFormatting(text: string): jsonc.FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m?.[1]?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: m?.[1]?.length ?? 2, eol };
}

/** The text after the changes. Throws when the file is not valid JSON(C). */
export function applyChanges(text: string, changes: readonly PropertyChange[]): string {
  const errors: jsonc.ParseError[] = [];
  jsonc.parseTree(text, errors);
  if (errors.length) throw new Error(`the experiment file has a JSON syntax error (${jsonc.printParseErrorCode(errors[0]!.error)}); fix it before editing from the panel`);
  const formattingOptions = detectFormatting(text);
  let out = text;
  for (const c of changes) out = jsonc.applyEdits(out, jsonc.modify(out, c.path, c.value, { formattingOptions }));
  return out;
}

/** One replacement turning `before` into `after`: their common prefix and suffix are kept. */
export function minimalEdit(before: string, after: string): TextEdit | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: before.length - start - end, text: after.slice(start, after.length - end) };
}

/** The single edit that applies `changes` to the file text, or null when nothing changes. */
export function experimentEdit(text: string, changes: readonly PropertyChange[]): TextEdit | null {
  return minimalEdit(text, applyChanges(text, changes));
}
