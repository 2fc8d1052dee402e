// The Model Explorer tree: experiments in the workspace (base model and runs, newest first),
// base models (the catalog and model.json files in the workspace), and a model's layers
// (computed by a trainer process, cached by the inspector). Refreshes on file changes and run events.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATALOG } from '../../core/model/catalog';
import { isCached } from '../../core/model/cache';
import { listRuns } from '../../core/run/store';
import type { Experiment } from '../../core/experiment/schema';
import { settings } from '../config';
import { DisposableStore } from '../disposables';
import type { ModelInspector, RunService } from '../services';
import { parseForEditor } from '../codelens/layerRefs';
import { catalogView, experimentView, layerViews, liveProgress, runView, sortRuns, type ExperimentInfo, type NodeView, type RunInfo } from './treeModel';

export type ExplorerNode =
  | { kind: 'group'; group: 'experiments' | 'models' }
  | { kind: 'experiment'; info: ExperimentInfo }
  | { kind: 'model'; ref: string; baseDir: string; view: NodeView; experiment?: Experiment; experimentFile?: string }
  | { kind: 'run'; experimentFile: string; run: RunInfo }
  | { kind: 'layer'; view: NodeView }
  | { kind: 'message'; text: string; tooltip?: string };

const EXCLUDE = '{**/node_modules/**,**/.git/**}';

/** Whether inspecting `ref` would need the network (a catalog id or URL not in the cache). */
export function needsDownload(ref: string): boolean {
  if (/^https?:\/\//i.test(ref)) return !isCached(ref, settings.modelCacheDir());
  return CATALOG.some((e) => e.id === ref) && !isCached(ref, settings.modelCacheDir());
}

export class ModelExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<ExplorerNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  readonly view: vscode.TreeView<ExplorerNode>;

  constructor(
    private readonly runs: RunService,
    private readonly inspector: ModelInspector,
  ) {
    this.view = this.store.add(vscode.window.createTreeView('transferLab.modelExplorer', { treeDataProvider: this, showCollapseAll: true }));
    for (const glob of ['**/*.experiment.json', '**/summary.json', '**/model.json']) {
      const w = this.store.add(vscode.workspace.createFileSystemWatcher(glob));
      for (const ev of [w.onDidCreate, w.onDidChange, w.onDidDelete]) this.store.add(ev(() => this.refreshSoon()));
    }
    this.store.add(runs.onDidChangeRunning(() => this.refreshSoon(100)));
    this.store.add(
      runs.onDidRunEvent(({ event }) => {
        if (event.kind === 'epoch' || event.kind === 'run-start' || event.kind === 'run-end' || event.kind === 'phase-start') this.refreshSoon();
      }),
    );
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('transferLab') && this.refreshSoon()));
    this.store.add({ dispose: () => clearTimeout(this.refreshTimer) });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /**
   * Coalesces bursts of file and run events into one refresh. A throttle, not a debounce: a run
   * whose epochs come faster than `ms` must still show progress while it runs.
   */
  refreshSoon(ms = 400): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, ms);
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.group === 'experiments' ? 'Experiments' : 'Base Models', C.Expanded);
        item.id = `group:${node.group}`;
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'experiment': {
        const v = experimentView(node.info, this.runs.isRunning(node.info.file));
        const item = this.item(v, node.info.experiment ? C.Expanded : C.None);
        item.id = `experiment:${node.info.file}`;
        item.resourceUri = vscode.Uri.file(node.info.file);
        item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.file(node.info.file)] };
        return item;
      }
      case 'model': {
        const item = this.item(node.view, C.Collapsed);
        item.id = `model:${node.experimentFile ?? ''}:${node.baseDir}:${node.ref}`;
        return item;
      }
      case 'run': {
        const active = this.runs.activeEvents(node.experimentFile);
        const start = active.find((e) => e.kind === 'run-start');
        const live = start && start.runDir === node.run.runDir ? liveProgress(active) : undefined;
        const item = this.item(runView(node.run, live), C.None);
        item.id = `run:${node.run.runDir}`;
        item.resourceUri = vscode.Uri.file(node.run.runDir);
        return item;
      }
      case 'layer':
        return this.item(node.view, C.None);
      case 'message': {
        const item = new vscode.TreeItem(node.text, C.None);
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon('info');
        item.contextValue = 'message';
        return item;
      }
    }
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) return [{ kind: 'group', group: 'experiments' }, { kind: 'group', group: 'models' }];
    try {
      switch (node.kind) {
        case 'group':
          return node.group === 'experiments' ? await this.experiments() : await this.models();
        case 'experiment':
          return await this.experimentChildren(node.info);
        case 'model':
          return await this.layers(node);
        default:
          return [];
      }
    } catch (err) {
      return [{ kind: 'message', text: `Error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, tooltip: String(err) }];
    }
  }

  private item(v: NodeView, state: vscode.TreeItemCollapsibleState): vscode.TreeItem {
    const item = new vscode.TreeItem(v.label, state);
    item.description = v.description;
    item.tooltip = v.tooltip;
    item.contextValue = v.contextValue;
    if (v.icon) item.iconPath = new vscode.ThemeIcon(v.icon.id, v.icon.color ? new vscode.ThemeColor(v.icon.color) : undefined);
    return item;
  }

  private async experiments(): Promise<ExplorerNode[]> {
    const uris = await vscode.workspace.findFiles('**/*.experiment.json', EXCLUDE);
    const infos = await Promise.all(
      uris.map(async (uri): Promise<ExperimentInfo> => {
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        const parsed = parseForEditor(text, uri.fsPath);
        const relativePath = vscode.workspace.asRelativePath(uri);
        if (parsed.experiment) return { file: uri.fsPath, relativePath, experiment: parsed.experiment };
        const i = parsed.issues[0];
        return { file: uri.fsPath, relativePath, experiment: null, error: i ? `${relativePath}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}` : 'invalid' };
      }),
    );
    infos.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
    if (!infos.length) return [{ kind: 'message', text: 'No *.experiment.json files. Run "Transfer Lab: New Experiment".' }];
    return infos.map((info) => ({ kind: 'experiment', info }));
  }

  private async experimentChildren(info: ExperimentInfo): Promise<ExplorerNode[]> {
    const x = info.experiment;
    if (!x) return [];
    const baseDir = path.dirname(info.file);
    const runs = sortRuns(await listRuns(settings.runsDir(info.file), x.name));
    return [
      {
        kind: 'model',
        ref: x.model.base,
        baseDir,
        experiment: x,
        experimentFile: info.file,
        view: { label: x.model.base, description: `base model, cut at ${x.model.cutAt}`, icon: { id: 'layers' }, contextValue: 'model.base', tooltip: 'Expand to see its layers under this experiment\'s freeze plan' },
      },
      ...runs.map((run): ExplorerNode => ({ kind: 'run', experimentFile: info.file, run })),
    ];
  }

  private async models(): Promise<ExplorerNode[]> {
    const home = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const cacheDir = settings.modelCacheDir();
    const catalog: ExplorerNode[] = CATALOG.map((e) => ({ kind: 'model', ref: e.id, baseDir: home, view: catalogView(e, isCached(e.id, cacheDir)) }));
    const runsFolder = settings.runsFolderName();
    const files = await vscode.workspace.findFiles('**/model.json', `{**/node_modules/**,**/.git/**,**/${runsFolder}/**}`, 200);
    const local: ExplorerNode[] = files
      .map((uri) => ({ uri, rel: vscode.workspace.asRelativePath(uri) }))
      .sort((a, b) => a.rel.localeCompare(b.rel))
      .map(({ uri, rel }) => ({ kind: 'model', ref: uri.fsPath, baseDir: home, view: { label: rel, description: 'workspace', icon: { id: 'file-binary' }, contextValue: 'model.file', tooltip: uri.fsPath } }));
    return [...catalog, ...local];
  }

  private async layers(node: Extract<ExplorerNode, { kind: 'model' }>): Promise<ExplorerNode[]> {
    if (!vscode.workspace.isTrusted && needsDownload(node.ref)) {
      return [{ kind: 'message', text: 'Not downloaded: trust the workspace to download models.' }];
    }
    const inspection = await this.inspector.inspect(node.ref, node.baseDir);
    return layerViews(inspection, node.experiment).map((view): ExplorerNode => ({ kind: 'layer', view }));
  }

  dispose(): void {
    this.store.dispose();
  }
}
