// CodeLens at the top of every experiment file: Run (or Stop with the live epoch and val
// accuracy), Open Panel, Inspect Base Model.
import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import { formatAccuracy, liveProgress } from '../explorer/treeModel';
import type { RunService } from '../services';
import { parseForEditor } from './layerRefs';

export const EXPERIMENT_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.experiment.json' }];

export class ExperimentLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly runs: RunService) {
    this.store.add(runs.onDidChangeRunning(() => this.changed.fire()));
    this.store.add(runs.onDidRunEvent(({ event }) => (event.kind === 'epoch' || event.kind === 'run-start' || event.kind === 'progress') && this.changed.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const uri = doc.uri;
    const lenses: vscode.CodeLens[] = [];
    if (this.runs.isRunning(uri.fsPath)) {
      const p = liveProgress(this.runs.activeEvents(uri.fsPath));
      const at = p.epoch !== undefined && p.epochs !== undefined && p.epoch > 0 ? ` (epoch ${p.epoch}/${p.epochs}${p.valAccuracy !== undefined ? `, val ${formatAccuracy(p.valAccuracy)}` : ''})` : p.task ? ` (${p.task})` : ' (starting)';
      lenses.push(new vscode.CodeLens(top, { title: `$(debug-stop) Stop${at}`, command: 'transferLab.stopRun', arguments: [uri] }));
    } else {
      lenses.push(new vscode.CodeLens(top, { title: '$(play) Run', command: 'transferLab.runExperiment', arguments: [uri] }));
    }
    lenses.push(new vscode.CodeLens(top, { title: 'Open Panel', command: 'transferLab.openPanel', arguments: [uri] }));
    const parsed = parseForEditor(doc.getText(), uri.fsPath);
    if (parsed.experiment) {
      lenses.push(new vscode.CodeLens(top, { title: 'Inspect Base Model', command: 'transferLab.inspectModel', arguments: [parsed.experiment.model.base, uri] }));
    }
    return lenses;
  }

  dispose(): void {
    this.store.dispose();
  }
}
