// The experiment panel feature: the `transferLab.openPanel` command and the serializer that
// restores panels after a window reload. One panel per experiment file.
import * as vscode from 'vscode';
import { isPanelViewState, PANEL_VIEW_TYPE } from '../../shared/panelProtocol';
import { ExperimentPanel, samePath, type PanelServices } from './experimentPanel';

export const OPEN_PANEL_COMMAND = 'transferLab.openPanel';

export function registerExperimentPanel(context: vscode.ExtensionContext, services: PanelServices): void {
  const panels = new Set<ExperimentPanel>();
  const track = (p: ExperimentPanel) => {
    panels.add(p);
    p.onDidDispose(() => panels.delete(p));
    return p;
  };
  const title = (file: string) => `Experiment: ${file.split(/[\\/]/).pop()!.replace(/\.experiment\.json$/, '')}`;

  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_PANEL_COMMAND, (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri || !uri.fsPath.endsWith('.experiment.json')) {
        void vscode.window.showErrorMessage('Transfer Lab: open an *.experiment.json file (or pick one in the explorer) to show its panel.');
        return;
      }
      const existing = [...panels].find((p) => samePath(p.file, uri.fsPath));
      if (existing) {
        existing.panel.reveal();
        return;
      }
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title(uri.fsPath), vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
      });
      track(new ExperimentPanel(panel, uri.fsPath, context.extensionUri, services));
    }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        if (!isPanelViewState(state)) {
          services.log.warn('panel: a restored panel had no experiment file in its state; closing it');
          panel.dispose();
          return;
        }
        track(new ExperimentPanel(panel, state.experimentFile, context.extensionUri, services));
      },
    }),
    { dispose: () => [...panels].forEach((p) => p.dispose()) },
  );
}
