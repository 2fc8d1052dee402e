// Turning a command's argument (a Uri from a CodeLens or menu, a tree node, nothing from the
// palette) into the experiment file or run it is about.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns } from '../../core/run/store';
import { settings } from '../config';
import { parseForEditor } from '../codelens/layerRefs';
import type { ExplorerNode } from '../explorer/modelExplorer';
import { runIdLabel, runView, sortRuns, type RunInfo } from '../explorer/treeModel';

const isNode = (v: unknown): v is ExplorerNode => typeof v === 'object' && v !== null && 'kind' in v;

export async function experimentFileFrom(arg: unknown, onlyRunning?: (file: string) => boolean): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && arg.endsWith('.experiment.json')) return path.resolve(arg);
  if (isNode(arg)) {
    if (arg.kind === 'experiment') return arg.info.file;
    if (arg.kind === 'run') return arg.experimentFile;
    if (arg.kind === 'model' && arg.experimentFile) return arg.experimentFile;
  }
  const active = vscode.window.activeTextEditor?.document;
  if (active?.fileName.endsWith('.experiment.json') && (!onlyRunning || onlyRunning(active.fileName))) return active.fileName;
  let files = (await vscode.workspace.findFiles('**/*.experiment.json', '**/node_modules/**')).map((u) => u.fsPath);
  if (onlyRunning) files = files.filter(onlyRunning);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(onlyRunning ? 'Transfer Lab: no experiment is running.' : 'Transfer Lab: no *.experiment.json file in the workspace. Create one with "Transfer Lab: New Experiment".');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f), description: vscode.workspace.asRelativePath(f), file: f })),
    { placeHolder: 'Which experiment?' },
  );
  return pick?.file;
}

export async function runFrom(arg: unknown): Promise<RunInfo | undefined> {
  if (isNode(arg) && arg.kind === 'run') return arg.run;
  if (arg instanceof vscode.Uri && !arg.fsPath.endsWith('.experiment.json')) return { runId: path.basename(arg.fsPath), runDir: arg.fsPath, summary: null };
  const file = await experimentFileFrom(arg);
  if (!file) return undefined;
  const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
  const parsed = parseForEditor(text, file);
  if (!parsed.experiment) {
    void vscode.window.showErrorMessage(`Transfer Lab: ${path.basename(file)} has errors; fix them first.`);
    return undefined;
  }
  const runs = sortRuns(await listRuns(settings.runsDir(file), parsed.experiment.name));
  if (!runs.length) {
    void vscode.window.showInformationMessage(`Transfer Lab: ${parsed.experiment.name} has no runs yet.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: runIdLabel(r.runId), description: runView(r).description, run: r })),
    { placeHolder: `Runs of ${parsed.experiment.name}, newest first` },
  );
  return pick?.run;
}
