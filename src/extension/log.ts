// The one "Transfer Lab" log channel. Trainer output and errors go here; `error` also reveals
// it when asked, so a failure is never silent.
import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('Transfer Lab', { log: true });
}

export function logAt(log: Log, level: 'info' | 'warn' | 'error', message: string): void {
  if (level === 'error') log.error(message);
  else if (level === 'warn') log.warn(message);
  else log.info(message);
}
