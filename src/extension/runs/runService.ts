// The RunService of src/extension/services.ts: VS Code events, settings, trust and prompts around
// the pure RunManager. Each run gets its own DisposableStore (its lifetime), the service lives as
// long as the extension.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent, RunSummary } from '../../shared/events';
import { settings } from '../config';
import { logAt, type Log } from '../log';
import type { RunEventPayload, RunService } from '../services';
import { requireTrust } from '../trust';
import { RunError, RunManager, type RunState } from './runManager';
import { forkTrainer } from './trainerChild';
import { formatAccuracy } from '../explorer/treeModel';

export class TrainerRunService implements RunService, vscode.Disposable {
  private readonly eventEmitter = new vscode.EventEmitter<RunEventPayload>();
  private readonly runningEmitter = new vscode.EventEmitter<string>();
  readonly onDidRunEvent = this.eventEmitter.event;
  readonly onDidChangeRunning = this.runningEmitter.event;
  private readonly manager: RunManager;
  private nextDebugPort = 0;

  constructor(
    private readonly trainerScript: string,
    private readonly log: Log,
  ) {
    this.manager = new RunManager({
      spawn: (file) =>
        forkTrainer({
          script: this.trainerScript,
          cwd: path.dirname(file),
          maxOldSpaceMb: settings.trainerMemoryMb(),
          execPath: settings.trainerNodePath(),
          inspectPort: this.debugPort(),
        }),
      request: (file) => ({ runsDir: settings.runsDir(file), backend: settings.backend(), modelCacheDir: settings.modelCacheDir() }),
      maxParallel: () => settings.maxParallelRuns(),
      stopTimeoutMs: () => settings.stopTimeoutMs(),
      log: (level, message) => logAt(this.log, level, message),
      onEvent: (experimentFile, event, runDir) => this.eventEmitter.fire({ experimentFile, runDir, event }),
      onState: (file, state) => this.onState(file, state),
    });
  }

  isRunning(experimentFile: string): boolean {
    return this.manager.state(experimentFile) !== 'idle';
  }

  state(experimentFile: string): RunState {
    return this.manager.state(experimentFile);
  }

  activeFiles(): string[] {
    return this.manager.activeFiles();
  }

  activeEvents(experimentFile: string): readonly RunEvent[] {
    return this.manager.events(experimentFile);
  }

  async start(experimentFile: string): Promise<RunSummary | undefined> {
    const file = path.resolve(experimentFile);
    if (!(await requireTrust())) return undefined;
    if (this.isRunning(file)) {
      const restart = 'Stop and Run Again';
      const pick = await vscode.window.showWarningMessage(`${path.basename(file)} is already running. Stop it and start a new run?`, { modal: true }, restart);
      if (pick !== restart) return undefined;
      await this.manager.stop(file);
    }
    // Run what the editor shows: save the experiment file if it has unsaved edits.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.fileName) === file);
    if (open?.isDirty) await open.save();
    this.log.info(`run ${file}`);
    try {
      const summary = await this.manager.start(file);
      this.report(file, summary);
      return summary;
    } catch (err) {
      if (err instanceof RunError && err.reason === 'cancelled') return undefined;
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`${path.basename(file)}: ${message}`);
      const show = 'Show Log';
      void vscode.window.showErrorMessage(`Transfer Lab: ${path.basename(file)} did not run: ${message.split('\n')[0]}`, show).then((p) => p === show && this.log.show());
      return undefined;
    }
  }

  stop(experimentFile: string): Promise<void> {
    return this.manager.stop(experimentFile);
  }

  dispose(): void {
    this.manager.dispose();
    this.eventEmitter.dispose();
    this.runningEmitter.dispose();
  }

  private onState(file: string, state: RunState): void {
    void vscode.commands.executeCommand('setContext', 'transferLab.running', this.manager.activeFiles().length > 0 || state !== 'idle');
    this.runningEmitter.fire(file);
  }

  private debugPort(): number | undefined {
    const base = settings.trainerDebugPort();
    if (!base) return undefined;
    // Parallel runs each need their own port.
    return base + (this.nextDebugPort++ % 16);
  }

  private report(file: string, s: RunSummary): void {
    const name = path.basename(file);
    const best = s.transfer.best?.val_accuracy ?? s.transfer.final?.val_accuracy;
    const acc = s.transfer.test ? `test accuracy ${formatAccuracy(s.transfer.test.accuracy)}` : best != null ? `best val accuracy ${formatAccuracy(best)}` : '';
    this.log.info(`${name}: run ${s.runId} ${s.status}${acc ? `, ${acc}` : ''}${s.error ? `: ${s.error}` : ''}`);
    if (s.status === 'failed') {
      const show = 'Show Log';
      void vscode.window.showErrorMessage(`Transfer Lab: run of ${name} failed: ${s.error ?? 'unknown error'}`, show).then((p) => p === show && this.log.show());
    } else {
      void vscode.window.showInformationMessage(`Transfer Lab: ${name} ${s.status}${acc ? ` (${acc})` : ''}.`);
    }
  }
}
