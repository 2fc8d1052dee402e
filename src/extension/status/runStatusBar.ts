// A status bar item while runs are active: experiment, phase, epoch n/N and ETA. Clicking it
// opens the experiment panel. Model download / feature phases also get a cancellable progress
// notification (cancel = stop), which lives as long as that phase of that run.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../shared/events';
import { DisposableStore } from '../disposables';
import type { RunService } from '../services';
import { runStatusText } from './statusText';

export class RunStatusBar implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly item: vscode.StatusBarItem;
  /** The run shown: the one with the latest event. */
  private shown: string | undefined;
  private readonly names = new Map<string, string>();
  private readonly progress = new Map<string, { report: (e: Extract<RunEvent, { kind: 'progress' }>) => void; end: () => void }>();

  constructor(private readonly runs: RunService & { activeFiles(): string[] }) {
    this.item = this.store.add(vscode.window.createStatusBarItem('transferLab.run', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Transfer Lab Run';
    this.store.add(
      runs.onDidRunEvent(({ experimentFile, event }) => {
        if (event.kind === 'run-start') this.names.set(experimentFile, event.experiment);
        this.shown = experimentFile;
        this.onProgress(experimentFile, event);
        this.update();
      }),
    );
    this.store.add(
      runs.onDidChangeRunning((file) => {
        if (!runs.isRunning(file)) {
          this.progress.get(file)?.end();
          if (this.shown === file) this.shown = runs.activeFiles()[0];
        } else this.shown = file;
        this.update();
      }),
    );
    this.store.add({ dispose: () => [...this.progress.values()].forEach((p) => p.end()) });
  }

  private update(): void {
    const active = this.runs.activeFiles();
    const file = this.shown && active.includes(this.shown) ? this.shown : active[0];
    if (!file) {
      this.item.hide();
      return;
    }
    const name = this.names.get(file) ?? path.basename(file, '.experiment.json');
    const more = active.length > 1 ? ` (+${active.length - 1})` : '';
    this.item.text = `$(sync~spin) ${runStatusText(name, this.runs.activeEvents(file))}${more}`;
    this.item.tooltip = `Transfer Lab: ${file}\nClick to open the experiment panel`;
    this.item.command = { title: 'Open Experiment Panel', command: 'transferLab.openPanel', arguments: [vscode.Uri.file(file)] };
    this.item.show();
  }

  /** Opens, advances or closes the progress notification of the run's download/feature phase. */
  private onProgress(file: string, event: RunEvent): void {
    const open = this.progress.get(file);
    if (event.kind !== 'progress') {
      if (open && event.kind !== 'warning') open.end();
      return;
    }
    if (open) return open.report(event);
    let report!: (e: Extract<RunEvent, { kind: 'progress' }>) => void;
    let end!: () => void;
    const done = new Promise<void>((r) => (end = r));
    this.progress.set(file, { report: (e) => report(e), end: () => end() });
    void done.then(() => this.progress.delete(file));
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: ${path.basename(file)}`, cancellable: true },
      (progress, token) => {
        let last = 0;
        let task = '';
        report = (e) => {
          const pct = e.total ? (100 * e.done) / e.total : 0;
          if (e.task !== task) {
            task = e.task;
            last = 0;
          }
          progress.report({ message: `${e.task} ${e.done}/${e.total}`, increment: Math.max(0, pct - last) });
          last = pct;
        };
        report(event);
        token.onCancellationRequested(() => {
          void this.runs.stop(file);
          end();
        });
        return done;
      },
    );
  }

  dispose(): void {
    this.store.dispose();
  }
}
