// Problems in experiment files as diagnostics: schema errors (with their line and column) and
// layer names the base model does not have (with the closest names as quick fixes). Hovering a
// layer name shows its type, output shape and params. Layer lists come from the inspector.
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import { formatParams, formatShape } from '../explorer/treeModel';
import { needsDownload } from '../explorer/modelExplorer';
import type { ModelInspector } from '../services';
import type { ModelInspection } from '../../shared/model';
import { layerRefs, parseForEditor, refAt, unknownLayerProblems } from './layerRefs';

const SOURCE = 'Transfer Lab';
const UNKNOWN_LAYER = 'unknown-layer';
const isExperiment = (doc: vscode.TextDocument) => doc.uri.scheme === 'file' && doc.fileName.endsWith('.experiment.json');

export class LayerDiagnostics implements vscode.HoverProvider, vscode.CodeActionProvider, vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly diagnostics = this.store.add(vscode.languages.createDiagnosticCollection('transferLab'));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly inspector: ModelInspector) {
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 400)));
    this.store.add(
      vscode.workspace.onDidCloseTextDocument((d) => {
        // A check still scheduled or awaiting an inspection must not bring the problems back.
        clearTimeout(this.timers.get(d.uri.toString()));
        this.timers.delete(d.uri.toString());
        this.diagnostics.delete(d.uri);
      }),
    );
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0))));
    this.store.add({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, ms: number): void {
    if (!isExperiment(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.check(doc), ms));
  }

  /**
   * The base model's inspection for a document when the model is on disk. Opening a file never
   * downloads a model (a run or "Inspect Base Model" does, with progress, in trusted workspaces).
   */
  private async inspection(doc: vscode.TextDocument, base: string): Promise<ModelInspection | undefined> {
    if (needsDownload(base)) return undefined;
    return this.inspector.inspect(base, path.dirname(doc.fileName));
  }

  async check(doc: vscode.TextDocument): Promise<void> {
    const version = doc.version;
    const text = doc.getText();
    const parsed = parseForEditor(text, doc.fileName);
    if (!parsed.experiment) {
      this.diagnostics.set(
        doc.uri,
        parsed.issues.map((i) => {
          const start = doc.positionAt(i.offset);
          const range = new vscode.Range(start, doc.positionAt(i.offset + Math.max(i.length, 1)));
          const d = new vscode.Diagnostic(range, `${i.path ? `${i.path}: ` : ''}${i.message}`, vscode.DiagnosticSeverity.Error);
          d.source = SOURCE;
          return d;
        }),
      );
      return;
    }
    const x = parsed.experiment;
    let inspection: ModelInspection | undefined;
    try {
      inspection = await this.inspection(doc, x.model.base);
    } catch (err) {
      if (doc.isClosed || doc.version !== version) return;
      const tree = jsonc.parseTree(text);
      const node = tree && jsonc.findNodeAtLocation(tree, ['model', 'base']);
      const offset = node?.offset ?? 0;
      const d = new vscode.Diagnostic(
        new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + (node?.length ?? 1))),
        `model.base: cannot read the base model: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = SOURCE;
      this.diagnostics.set(doc.uri, [d]);
      return;
    }
    if (doc.isClosed || doc.version !== version) return;
    if (!inspection) {
      this.diagnostics.set(doc.uri, []);
      return;
    }
    const problems = unknownLayerProblems(layerRefs(text, x), inspection.layers.map((l) => l.name), x.model.base);
    this.diagnostics.set(
      doc.uri,
      problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.length)), p.message, vscode.DiagnosticSeverity.Error);
        d.source = SOURCE;
        d.code = UNKNOWN_LAYER;
        // Carried to the quick fixes.
        (d as vscode.Diagnostic & { suggestions?: string[] }).suggestions = p.suggestions;
        return d;
      }),
    );
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isExperiment(doc)) return undefined;
    const text = doc.getText();
    const parsed = parseForEditor(text, doc.fileName);
    if (!parsed.experiment) return undefined;
    const ref = refAt(layerRefs(text, parsed.experiment), doc.offsetAt(pos));
    if (!ref) return undefined;
    const inspection = await this.inspection(doc, parsed.experiment.model.base).catch(() => undefined);
    const layer = inspection?.layers.find((l) => l.name === ref.layer);
    const range = new vscode.Range(doc.positionAt(ref.offset), doc.positionAt(ref.offset + ref.length));
    const md = new vscode.MarkdownString();
    if (!inspection) md.appendMarkdown(`**${ref.layer}**: the base model \`${parsed.experiment.model.base}\` is not downloaded yet (use *Inspect Base Model* above)`);
    else if (!layer) md.appendMarkdown(`**${ref.layer}**: no such layer in \`${parsed.experiment.model.base}\``);
    else {
      md.appendMarkdown(`**${layer.name}** \`${layer.className}\`\n\n`);
      md.appendMarkdown(`Output shape: \`${formatShape(layer.outputShape)}\`\n\nParams: ${formatParams(layer.params)}`);
      if (layer.nonTrainableParams) md.appendMarkdown(` (${formatParams(layer.nonTrainableParams)} non-trainable)`);
      const i = inspection.layers.indexOf(layer);
      md.appendMarkdown(`\n\nLayer ${i + 1} of ${inspection.layers.length} in \`${parsed.experiment.model.base}\``);
    }
    return new vscode.Hover(md, range);
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of ctx.diagnostics) {
      if (d.code !== UNKNOWN_LAYER) continue;
      for (const name of (d as vscode.Diagnostic & { suggestions?: string[] }).suggestions ?? []) {
        const fix = new vscode.CodeAction(`Change to "${name}"`, vscode.CodeActionKind.QuickFix);
        fix.edit = new vscode.WorkspaceEdit();
        fix.edit.replace(doc.uri, d.range, JSON.stringify(name));
        fix.diagnostics = [d];
        out.push(fix);
      }
    }
    return out;
  }

  dispose(): void {
    this.store.dispose();
  }
}
