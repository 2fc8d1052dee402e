// One experiment panel: keeps the snapshot the webview draws (experiment, layers, runs, live
// events), sends it after the webview's ready handshake (again after every hide/show, since
// the webview is not retained), and turns the webview's requests into file edits and runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseExperiment } from '../../core/experiment/load';
import type { Experiment } from '../../core/experiment/schema';
import type { RunEvent } from '../../shared/events';
import { planPanelEdit } from '../../shared/panelFreeze';
import {
  isPanelRequest,
  PANEL_PROTOCOL_VERSION,
  type HostMessage,
  type PanelEdit,
  type PanelRequest,
  type PanelSnapshot,
} from '../../shared/panelProtocol';
import type { RunEventPayload, RunService, ModelInspector } from '../services';
import { settings } from '../config';
import { panelHtml } from './html';
import { experimentEdit } from './model/fileEdit';
import { knownClasses, listAllRuns, loadComparedRun, toPanelExperiment } from './model/runData';
import { readRunEvents } from '../../core/run/store';

export interface PanelServices {
  runs: RunService;
  inspector: ModelInspector;
  log: vscode.LogOutputChannel;
}

/** Events kept for a panel that opens or reappears mid-run; batch events beyond this are thinned. */
const MAX_EVENTS = 50_000;

export class ExperimentPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private experiment: Experiment | null = null;
  private snapshot: PanelSnapshot;
  private inspectedBase: string | null = null;
  private pending: RunEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private runsDir: string;
  private disposed = false;
  readonly onDidDispose: vscode.Event<void>;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly file: string,
    private readonly extensionUri: vscode.Uri,
    private readonly services: PanelServices,
  ) {
    this.onDidDispose = this.disposeEmitter.event;
    this.runsDir = settings.runsDir(file);
    this.snapshot = {
      experimentFile: file,
      experiment: { ok: false, error: 'Reading the experiment file…' },
      inspection: { state: 'loading' },
      runs: [],
      running: services.runs.isRunning(file),
      events: [...services.runs.activeEvents(file)],
    };
    const webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    this.render();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is destroyed; it says ready again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (samePath(e.document.uri.fsPath, file)) void this.reloadExperiment(e.document.getText());
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (samePath(d.uri.fsPath, file)) void this.reloadExperiment(d.getText());
      }),
      services.runs.onDidRunEvent((p) => this.onRunEvent(p)),
      services.runs.onDidChangeRunning((f) => {
        if (samePath(f, file)) void this.refreshRuns();
      }),
    );
    void this.init();
  }

  private render(): void {
    const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'main.js');
    this.panel.webview.html = panelHtml({
      cspSource: this.panel.webview.cspSource,
      scriptUri: this.panel.webview.asWebviewUri(script).toString(),
      title: this.panel.title,
    });
  }

  private async init(): Promise<void> {
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.file));
      await this.reloadExperiment(doc.getText());
    } catch (err) {
      this.setExperimentError(String((err as Error).message ?? err));
    }
    await this.refreshRuns();
    if (!this.snapshot.running && this.snapshot.events.length === 0 && this.snapshot.runs[0]?.experiment === this.experiment?.name) {
      this.snapshot.events = await readRunEvents(this.snapshot.runs[0]!.runDir);
      this.post({ type: 'run-reset', events: this.snapshot.events });
    }
  }

  private setExperimentError(error: string): void {
    this.experiment = null;
    this.snapshot.experiment = { ok: false, error };
    this.post({ type: 'experiment', experiment: this.snapshot.experiment });
  }

  /** Re-reads the experiment from text (an edit by hand, by the panel, or an undo). */
  private async reloadExperiment(text: string): Promise<void> {
    let e: Experiment;
    try {
      e = parseExperiment(text, this.file);
    } catch (err) {
      this.setExperimentError((err as Error).message);
      return;
    }
    this.experiment = e;
    this.panel.title = `Experiment: ${e.name}`;
    const classes = await knownClasses(e, path.dirname(this.file));
    if (this.disposed) return;
    this.snapshot.experiment = { ok: true, value: toPanelExperiment(e, classes) };
    this.post({ type: 'experiment', experiment: this.snapshot.experiment });
    if (e.model.base !== this.inspectedBase) void this.inspect(e.model.base);
  }

  private async inspect(base: string): Promise<void> {
    this.inspectedBase = base;
    this.snapshot.inspection = { state: 'loading' };
    this.post({ type: 'inspection', inspection: this.snapshot.inspection });
    try {
      const value = await this.services.inspector.inspect(base, path.dirname(this.file));
      if (this.inspectedBase !== base || this.disposed) return;
      this.snapshot.inspection = { state: 'ok', value };
    } catch (err) {
      if (this.inspectedBase !== base || this.disposed) return;
      this.snapshot.inspection = { state: 'error', error: (err as Error).message ?? String(err) };
      this.inspectedBase = null;
    }
    this.post({ type: 'inspection', inspection: this.snapshot.inspection });
  }

  private async refreshRuns(): Promise<void> {
    this.snapshot.running = this.services.runs.isRunning(this.file);
    this.snapshot.runs = this.experiment ? await listAllRuns(this.runsDir, this.experiment.name) : [];
    this.post({ type: 'runs', runs: this.snapshot.runs, running: this.snapshot.running });
  }

  private onRunEvent(p: RunEventPayload): void {
    if (!samePath(p.experimentFile, this.file)) return;
    const e = p.event;
    if (e.kind === 'run-start') {
      // The runs folder may be configured elsewhere: learn it from the run itself.
      this.runsDir = path.dirname(path.dirname(e.runDir));
      this.snapshot.events = [e];
      this.pending = [];
      this.snapshot.running = true;
      this.post({ type: 'run-reset', events: [e] });
      return;
    }
    this.snapshot.events.push(e);
    if (this.snapshot.events.length > MAX_EVENTS) this.thinEvents();
    this.pending.push(e);
    if (e.kind === 'run-end') {
      this.flush();
      void this.refreshRuns();
    } else this.flushTimer ??= setTimeout(() => this.flush(), 100);
  }

  /** Drops every other batch event of the older half: epochs and the recent batches stay exact. */
  private thinEvents(): void {
    const half = this.snapshot.events.length >> 1;
    let n = 0;
    this.snapshot.events = this.snapshot.events.filter((e, i) => i >= half || e.kind !== 'batch' || n++ % 2 === 0);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length) this.post({ type: 'run-events', events: this.pending });
    this.pending = [];
  }

  private post(m: HostMessage): void {
    // Nothing goes out before the handshake: the snapshot carries it all.
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    if (!isPanelRequest(raw)) {
      this.services.log.warn(`panel: ignored an invalid message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    void this.handle(raw).catch((err: unknown) => {
      const message = (err as Error).message ?? String(err);
      this.services.log.error(`panel: ${message}`);
      this.post({ type: 'error', message });
    });
  }

  private async handle(m: PanelRequest): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (m.protocol !== PANEL_PROTOCOL_VERSION) {
          this.services.log.error(`panel: webview protocol ${m.protocol}, host ${PANEL_PROTOCOL_VERSION}; reload the window`);
          return;
        }
        this.ready = true;
        this.pending = [];
        this.post({ type: 'snapshot', protocol: PANEL_PROTOCOL_VERSION, snapshot: this.snapshot });
        return;
      case 'edit':
        return this.applyEdit(m.edit);
      case 'start-run':
        if (this.services.runs.isRunning(this.file)) return;
        this.snapshot.running = true;
        this.post({ type: 'runs', runs: this.snapshot.runs, running: true });
        await this.saveIfDirty();
        void this.services.runs.start(this.file).then(
          // No summary: nothing ran (Restricted Mode, the parallel-run limit, cancelled), and the
          // running state set above must be taken back.
          (summary) => {
            if (!summary) void this.refreshRuns();
          },
          (err: unknown) => {
            this.post({ type: 'error', message: `The run failed to start: ${(err as Error).message ?? String(err)}` });
            void this.refreshRuns();
          },
        );
        return;
      case 'stop-run':
        return this.services.runs.stop(this.file);
      case 'compare': {
        // Only folders this panel listed: the webview does not name arbitrary paths.
        const items = m.runDirs.map((d) => this.snapshot.runs.find((r) => r.runDir === d)).filter((r) => r !== undefined);
        this.post({ type: 'comparison', runs: await Promise.all(items.map(loadComparedRun)) });
        return;
      }
      case 'open-file':
        await vscode.window.showTextDocument(vscode.Uri.file(this.file), { viewColumn: vscode.ViewColumn.One });
        return;
    }
  }

  private async saveIfDirty(): Promise<void> {
    const doc = vscode.workspace.textDocuments.find((d) => samePath(d.uri.fsPath, this.file));
    if (doc?.isDirty) await doc.save();
  }

  /** A toggle in the tree: the smallest WorkspaceEdit of the file, so Undo works. */
  private async applyEdit(edit: PanelEdit): Promise<void> {
    const inspection = this.snapshot.inspection;
    if (!this.experiment || inspection.state !== 'ok') throw new Error('the experiment or its base model is not loaded yet');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.file));
    const e = parseExperiment(doc.getText(), this.file);
    const names = inspection.value.layers.map((l) => l.name);
    const changes = planPanelEdit(names, { cutAt: e.model.cutAt, freeze: e.model.freeze, phases: e.training.phases }, edit);
    const textEdit = experimentEdit(doc.getText(), changes);
    if (!textEdit) return;
    const wasDirty = doc.isDirty;
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(doc.positionAt(textEdit.offset), doc.positionAt(textEdit.offset + textEdit.length)), textEdit.text);
    if (!(await vscode.workspace.applyEdit(we))) throw new Error(`could not edit ${this.file}`);
    // Keep the file on disk the source of truth for runs and the CLI, unless the person has unsaved work in it.
    if (!wasDirty) await doc.save();
    this.services.log.info(`panel: ${describeEdit(edit)} in ${path.basename(this.file)}`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.flushTimer);
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function describeEdit(e: PanelEdit): string {
  const where = 'phase' in e && e.phase !== null ? ` (phase ${e.phase + 1})` : '';
  if (e.kind === 'cut-at') return `cut at ${e.layer}`;
  if (e.kind === 'freeze-up-to') return `freeze up to ${e.layer}${where}`;
  return `${e.frozen ? 'freeze' : 'unfreeze'} ${e.layer}${where}`;
}

export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => (process.platform === 'win32' ? path.resolve(p).toLowerCase() : path.resolve(p));
  return norm(a) === norm(b);
}
