// The messages between the extension host and the experiment panel's webview. Versioned:
// the webview says its version in `ready`, and the host sends nothing before that. Both
// sides check every message they receive with the guards below (a stale webview from an
// older build, or a bug, may send anything).
import type { RunEvent, RunSummary } from './events';
import type { FreezePlanSpec, ModelInspection } from './model';

export const PANEL_PROTOCOL_VERSION = 1;
export const PANEL_VIEW_TYPE = 'transferLab.panel';

/** What the panel needs of the experiment file (already validated by the host). */
export interface PanelExperiment {
  name: string;
  base: string;
  cutAt: string;
  freeze: FreezePlanSpec;
  head: { pooling: 'avg' | 'max' | 'flatten'; hidden: number[]; dropout: number };
  phases: { name: string; epochs: number; learningRate: number; unfreezeFrom?: string; freeze?: FreezePlanSpec }[];
  batchSize: number;
  optimizer: string;
  baseline: boolean;
  /** Class names when the host can tell them without training (image folders, MNIST digits). */
  classes: string[] | null;
}

/** One past run, as listed from the runs folder. */
export interface PanelRunItem {
  runId: string;
  runDir: string;
  experiment: string;
  summary: RunSummary | null;
}

/** A run loaded for comparison: its events and its resolved settings (flattened to dotted keys). */
export interface PanelComparedRun {
  runId: string;
  runDir: string;
  experiment: string;
  summary: RunSummary | null;
  settings: Record<string, string>;
  events: RunEvent[];
}

/** Everything the webview draws; sent after `ready` and whenever the panel is shown again. */
export interface PanelSnapshot {
  experimentFile: string;
  /** The file's current content, or why it cannot be used. */
  experiment: { ok: true; value: PanelExperiment } | { ok: false; error: string };
  inspection: { state: 'loading' } | { state: 'ok'; value: ModelInspection } | { state: 'error'; error: string };
  runs: PanelRunItem[];
  running: boolean;
  /** Events of the active run, or of the latest finished run when none is active. */
  events: RunEvent[];
}

/** Host -> webview. */
export type HostMessage =
  | { type: 'snapshot'; protocol: number; snapshot: PanelSnapshot }
  | { type: 'experiment'; experiment: PanelSnapshot['experiment'] }
  | { type: 'inspection'; inspection: PanelSnapshot['inspection'] }
  | { type: 'runs'; runs: PanelRunItem[]; running: boolean }
  /** A run started: the chart starts over from these events. */
  | { type: 'run-reset'; events: RunEvent[] }
  /** Events of the active run, batched by the host. */
  | { type: 'run-events'; events: RunEvent[] }
  | { type: 'comparison'; runs: PanelComparedRun[] }
  | { type: 'error'; message: string };

/** How a toggle in the layer tree changes the experiment; `phase` null edits `model.freeze`. */
export type PanelEdit =
  | { kind: 'set-frozen'; phase: number | null; layer: string; frozen: boolean }
  | { kind: 'freeze-up-to'; phase: number | null; layer: string }
  | { kind: 'cut-at'; layer: string };

/** Webview -> host. */
export type PanelRequest =
  | { type: 'ready'; protocol: number }
  | { type: 'edit'; edit: PanelEdit }
  | { type: 'start-run' }
  | { type: 'stop-run' }
  | { type: 'compare'; runDirs: string[] }
  | { type: 'open-file' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isPhase = (v: unknown): v is number | null => v === null || (Number.isInteger(v) && (v as number) >= 0);

export function isPanelEdit(v: unknown): v is PanelEdit {
  if (!isObject(v)) return false;
  switch (v.kind) {
    case 'set-frozen':
      return isPhase(v.phase) && isStr(v.layer) && typeof v.frozen === 'boolean';
    case 'freeze-up-to':
      return isPhase(v.phase) && isStr(v.layer);
    case 'cut-at':
      return isStr(v.layer);
    default:
      return false;
  }
}

/** Runtime check of a message from the webview. */
export function isPanelRequest(v: unknown): v is PanelRequest {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return typeof v.protocol === 'number';
    case 'edit':
      return isPanelEdit(v.edit);
    case 'start-run':
    case 'stop-run':
    case 'open-file':
      return true;
    case 'compare':
      return Array.isArray(v.runDirs) && v.runDirs.length <= 8 && v.runDirs.every(isStr);
    default:
      return false;
  }
}

const isEvents = (v: unknown): boolean => Array.isArray(v) && v.every((e) => isObject(e) && isStr(e.kind));
const isRuns = (v: unknown): boolean => Array.isArray(v) && v.every((r) => isObject(r) && isStr(r.runId) && isStr(r.runDir));

function isExperimentState(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (v.ok === false) return isStr(v.error);
  if (v.ok !== true || !isObject(v.value)) return false;
  const e = v.value;
  return isStr(e.name) && isStr(e.cutAt) && Array.isArray(e.phases) && (e.classes === null || Array.isArray(e.classes));
}

function isInspectionState(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (v.state === 'loading') return true;
  if (v.state === 'error') return isStr(v.error);
  return v.state === 'ok' && isObject(v.value) && Array.isArray(v.value.layers);
}

/** Runtime check of a message from the host. */
export function isHostMessage(v: unknown): v is HostMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'snapshot': {
      const s = v.snapshot;
      return (
        typeof v.protocol === 'number' &&
        isObject(s) &&
        isStr(s.experimentFile) &&
        isExperimentState(s.experiment) &&
        isInspectionState(s.inspection) &&
        isRuns(s.runs) &&
        typeof s.running === 'boolean' &&
        isEvents(s.events)
      );
    }
    case 'experiment':
      return isExperimentState(v.experiment);
    case 'inspection':
      return isInspectionState(v.inspection);
    case 'runs':
      return isRuns(v.runs) && typeof v.running === 'boolean';
    case 'run-reset':
    case 'run-events':
      return isEvents(v.events);
    case 'comparison':
      return Array.isArray(v.runs) && v.runs.every((r) => isObject(r) && isStr(r.runId) && isObject(r.settings) && isEvents(r.events));
    case 'error':
      return isStr(v.message);
    default:
      return false;
  }
}

/** What the webview keeps across hide/show and window reloads (vscode.setState). */
export interface PanelViewState {
  experimentFile: string;
  tab?: 'layers' | 'charts' | 'compare' | 'evaluation';
  filter?: string;
  phase?: number | null;
  compare?: string[];
}

export function isPanelViewState(v: unknown): v is PanelViewState {
  return isObject(v) && isStr(v.experimentFile);
}
