// The extension's entry point: builds the features, each owned by the extension's
// DisposableStore. Activation comes only from contributions (see package.json).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './commands/index';
import { ExperimentLens, EXPERIMENT_SELECTOR } from './codelens/experimentLens';
import { LayerDiagnostics } from './codelens/layerDiagnostics';
import { settings } from './config';
import { DisposableStore } from './disposables';
import { ModelExplorer } from './explorer/modelExplorer';
import { createLog } from './log';
import { registerExperimentPanel } from './panel/index';
import { InspectorClient } from './runs/inspectorClient';
import { TrainerRunService } from './runs/runService';
import { forkTrainer } from './runs/trainerChild';
import { RunStatusBar } from './status/runStatusBar';

/** Everything the extension creates, for its whole lifetime (runs own their own stores). */
let extensionStore: DisposableStore | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const store = (extensionStore = new DisposableStore());
  context.subscriptions.push(store);
  const log = store.add(createLog());
  const trainerScript = path.join(context.extensionPath, 'dist', 'trainer.js');

  const runs = store.add(new TrainerRunService(trainerScript, log));
  const inspector = new InspectorClient({
    spawn: () => forkTrainer({ script: trainerScript, maxOldSpaceMb: settings.trainerMemoryMb(), execPath: settings.trainerNodePath() }),
    modelCacheDir: () => settings.modelCacheDir(),
    runsDir: (baseDir) => path.join(baseDir, settings.runsFolderName()),
    log: (level, message) => (level === 'error' ? log.error(message) : level === 'warn' ? log.warn(message) : log.info(message)),
  });
  store.add(inspector);
  // A model file edited on disk must be inspected again.
  const models = store.add(vscode.workspace.createFileSystemWatcher('**/model.json'));
  store.add(models.onDidChange((u) => inspector.invalidate(u.fsPath)));
  store.add(models.onDidDelete((u) => inspector.invalidate(u.fsPath)));
  store.add(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('transferLab.modelCacheFolder') && inspector.invalidate()));

  const explorer = store.add(new ModelExplorer(runs, inspector));
  store.add(registerCommands({ runs, inspector, explorer, log }));
  registerExperimentPanel(context, { runs, inspector, log });

  const lens = store.add(new ExperimentLens(runs));
  store.add(vscode.languages.registerCodeLensProvider(EXPERIMENT_SELECTOR, lens));
  const diagnostics = store.add(new LayerDiagnostics(inspector));
  store.add(vscode.languages.registerHoverProvider(EXPERIMENT_SELECTOR, diagnostics));
  store.add(vscode.languages.registerCodeActionsProvider(EXPERIMENT_SELECTOR, diagnostics, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
  store.add(new RunStatusBar(runs));

  void vscode.commands.executeCommand('setContext', 'transferLab.running', false);
  log.info(`Transfer Lab activated in ${(performance.now() - t0).toFixed(1)} ms (trusted: ${vscode.workspace.isTrusted})`);
}

export function deactivate(): void {
  extensionStore?.dispose();
  extensionStore = undefined;
}
