// The extension's settings, read fresh each time so changes apply to the next run.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultModelCacheDir } from '../core/model/cache';
import type { BackendPreference } from '../shared/trainerProtocol';

const section = () => vscode.workspace.getConfiguration('transferLab');

export const settings = {
  /** undefined = what the experiment file says. */
  backend(): BackendPreference | undefined {
    const b = section().get<BackendPreference>('backend', 'auto');
    return b === 'auto' ? undefined : b;
  },
  modelCacheDir(): string {
    const v = section().get<string>('modelCacheFolder', '').trim();
    if (!v) return defaultModelCacheDir();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(v) || !folder ? v : path.join(folder, v);
  },
  maxParallelRuns(): number {
    return Math.max(1, section().get<number>('maxParallelRuns', 1));
  },
  runsFolderName(): string {
    return section().get<string>('runsFolderName', 'runs').trim() || 'runs';
  },
  runsDir(experimentFile: string): string {
    return path.join(path.dirname(experimentFile), settings.runsFolderName());
  },
  trainerMemoryMb(): number {
    return section().get<number>('trainer.maxMemoryMb', 4096);
  },
  /** undefined = VS Code's own runtime (Electron run as Node). */
  trainerNodePath(): string | undefined {
    return section().get<string>('trainer.nodePath', '').trim() || undefined;
  },
  /** 0 = no debugger. */
  trainerDebugPort(): number {
    return section().get<number>('trainer.debugPort', 0);
  },
  stopTimeoutMs(): number {
    return 1000 * section().get<number>('stopTimeoutSeconds', 30);
  },
};
