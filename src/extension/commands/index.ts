// Every "Transfer Lab: ..." command (except transferLab.openPanel, which the panel registers).
// Each command explains itself when it cannot act (no experiment, untrusted workspace, ...).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATALOG } from '../../core/model/catalog';
import { deleteRun } from '../../core/run/store';
import { DisposableStore } from '../disposables';
import { needsDownload, type ExplorerNode, type ModelExplorer } from '../explorer/modelExplorer';
import type { Log } from '../log';
import type { ModelInspector } from '../services';
import type { TrainerRunService } from '../runs/runService';
import { requireTrust } from '../trust';
import { newExperiment } from './newExperiment';
import { experimentFileFrom, runFrom } from './pickers';
import { ReadonlyDocs, REPORT_SCHEME } from './readonlyDocs';
import { backendReport, inspectionReport } from './reports';

export interface CommandDeps {
  runs: TrainerRunService;
  inspector: ModelInspector;
  explorer: ModelExplorer;
  log: Log;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const store = new DisposableStore();
  const docs = store.add(new ReadonlyDocs());
  store.add(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, docs));
  const register = (id: string, fn: (...args: unknown[]) => unknown) =>
    store.add(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          deps.log.error(`${id}: ${errorText(err)}`);
          void vscode.window.showErrorMessage(`Transfer Lab: ${errorText(err).split('\n')[0]}`);
          return undefined;
        }
      }),
    );

  register('transferLab.newExperiment', () => newExperiment());

  register('transferLab.runExperiment', async (arg) => {
    const file = await experimentFileFrom(arg);
    if (file) return deps.runs.start(file);
    return undefined;
  });

  register('transferLab.stopRun', async (arg) => {
    const file = await experimentFileFrom(arg, (f) => deps.runs.isRunning(f));
    if (file) await deps.runs.stop(file);
  });

  register('transferLab.inspectModel', async (arg, context) => {
    let ref: string | undefined;
    let baseDir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const node = arg as ExplorerNode | undefined;
    if (typeof arg === 'string') {
      ref = arg;
      if (context instanceof vscode.Uri) baseDir = path.dirname(context.fsPath);
    } else if (arg instanceof vscode.Uri) {
      ref = arg.fsPath;
    } else if (node && typeof node === 'object' && node.kind === 'model') {
      ref = node.ref;
      baseDir = node.baseDir;
    } else {
      const models = await vscode.workspace.findFiles('**/model.json', '{**/node_modules/**,**/.git/**}', 200);
      const other = { label: '$(edit) Enter a path, URL or catalog id...', ref: '' };
      const pick = await vscode.window.showQuickPick(
        [
          ...CATALOG.map((e) => ({ label: e.id, description: 'catalog', detail: e.description, ref: e.id })),
          ...models.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: 'workspace', ref: u.fsPath })),
          other,
        ],
        { placeHolder: 'Which model?' },
      );
      if (!pick) return undefined;
      ref = pick.ref || (await vscode.window.showInputBox({ prompt: 'A model.json path, an http(s) URL, a catalog id or run:<experiment>' }))?.trim();
    }
    if (!ref) return undefined;
    if (needsDownload(ref) && !(await requireTrust())) return undefined;
    const inspection = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: inspecting ${ref}` },
      () => deps.inspector.inspect(ref, baseDir),
    );
    deps.explorer.refreshSoon();
    await docs.show(`layers of ${path.basename(ref)}`, inspectionReport(inspection));
    return inspection;
  });

  register('transferLab.showBackendInfo', async () => {
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Transfer Lab: probing backends' }, () => deps.inspector.backendInfo());
    deps.log.info(`backend: ${report.chosen} (${report.candidates.map((c) => `${c.name}: ${c.available ? 'available' : c.reason}`).join('; ')})`);
    await docs.show('Transfer Lab backends', backendReport(report));
    return report;
  });

  register('transferLab.openRunFolder', async (arg) => {
    const run = await runFrom(arg);
    if (!run) return;
    const summary = vscode.Uri.file(path.join(run.runDir, 'summary.json'));
    try {
      await vscode.window.showTextDocument(summary, { preview: true });
    } catch {
      // No summary (a run killed before writing one): show the folder instead.
    }
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.runDir));
  });

  register('transferLab.revealRunFolder', async (arg) => {
    const run = await runFrom(arg);
    if (run) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(run.runDir));
  });

  register('transferLab.deleteRun', async (arg) => {
    const run = await runFrom(arg);
    if (!run) return;
    // Whether picked from the tree or the palette, a run still training is never deleted.
    const active = deps.runs.activeFiles().some((f) => deps.runs.activeEvents(f).some((e) => e.kind === 'run-start' && e.runDir === run.runDir));
    if (active) {
      void vscode.window.showWarningMessage('Transfer Lab: this run is still active; stop it before deleting it.');
      return;
    }
    const del = 'Delete';
    const ok = await vscode.window.showWarningMessage(`Delete run ${run.runId}? Its metrics and trained model are removed from disk.`, { modal: true }, del);
    if (ok !== del) return;
    await deleteRun(run.runDir);
    deps.log.info(`deleted run ${run.runDir}`);
    deps.explorer.refresh();
  });

  register('transferLab.refreshExplorer', () => deps.explorer.refresh());

  register('transferLab.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'transferLab'));
  return store;
}
