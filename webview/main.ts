// The experiment panel's front end. Talks to the host only through the typed protocol in
// src/shared/panelProtocol.ts: says `ready`, then draws the snapshot and the updates it gets.
// Its own UI state (tab, filter, phase, compared runs) survives hide/show and reloads via
// vscode.setState; everything else comes from the host again.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import css from './style.css';
import type { RunEvent } from '../src/shared/events';
import type { ModelInspection } from '../src/shared/model';
import {
  isHostMessage,
  isPanelViewState,
  PANEL_PROTOCOL_VERSION,
  type HostMessage,
  type PanelEdit,
  type PanelExperiment,
  type PanelRequest,
  type PanelRunItem,
  type PanelViewState,
} from '../src/shared/panelProtocol';
import { h } from './dom';
import { previewEdit } from './logic/preview';
import { ChartsView } from './view/chartsView';
import { CompareView } from './view/compareView';
import { renderEvaluation } from './view/evalView';
import { LayersView } from './view/layersView';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

// A constructable stylesheet needs no 'unsafe-inline' in the CSP (vscode-elements styles itself the same way).
const sheet = new CSSStyleSheet();
sheet.replaceSync(css);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const TABS = ['layers', 'charts', 'compare', 'evaluation'] as const;
const saved = vscode.getState();
const ui: Omit<PanelViewState, 'experimentFile'> & { experimentFile: string } = isPanelViewState(saved)
  ? { ...saved }
  : { experimentFile: '', tab: 'layers', filter: '', phase: null, compare: [] };

let experiment: PanelExperiment | null = null;
let experimentError: string | null = null;
let inspection: ModelInspection | null = null;
let inspectionMessage: string | null = 'Loading the base model…';
let runs: PanelRunItem[] = [];
let running = false;
let events: RunEvent[] = [];

const send = (m: PanelRequest) => vscode.postMessage(m);
const saveState = () => vscode.setState(ui);

const layers = new LayersView({
  edit(edit: PanelEdit) {
    if (experiment && inspection) {
      try {
        experiment = previewEdit(experiment, inspection.layers.map((l) => l.name), edit);
        renderLayers();
      } catch (err) {
        showError((err as Error).message);
        return;
      }
    }
    send({ type: 'edit', edit });
  },
  get phase() {
    return ui.phase ?? null;
  },
  get filter() {
    return ui.filter ?? '';
  },
  setPhase(p) {
    ui.phase = p;
    saveState();
    renderLayers();
  },
  setFilter(f) {
    ui.filter = f;
    saveState();
  },
});
const charts = new ChartsView();
const compare = new CompareView({
  get selected() {
    return ui.compare ?? [];
  },
  setSelected(dirs) {
    ui.compare = dirs;
    saveState();
  },
  compare(dirs) {
    send({ type: 'compare', runDirs: dirs });
  },
});
const evaluation = h('section', { class: 'evaluation' });

// Header: name, file link, run controls, errors.
const title = h('h2', { id: 'experiment-title' }, 'Experiment');
const runButton = h('vscode-button', { id: 'run-button' }, 'Run');
const stopButton = h('vscode-button', { id: 'stop-button', secondary: true }, 'Stop');
const openButton = h('vscode-button', { id: 'open-file', secondary: true }, 'Open file');
const errorBox = h('p', { class: 'error', id: 'panel-error', role: 'alert', hidden: true });
runButton.addEventListener('click', () => {
  running = true;
  renderHeader();
  send({ type: 'start-run' });
});
stopButton.addEventListener('click', () => send({ type: 'stop-run' }));
openButton.addEventListener('click', () => send({ type: 'open-file' }));

const tabs = h('vscode-tabs', { panel: true, id: 'tabs' });
const tabLabels = { layers: 'Layers', charts: 'Training', compare: 'Compare runs', evaluation: 'Evaluation' };
const tabBodies = { layers: layers.el, charts: charts.el, compare: compare.el, evaluation };
for (const t of TABS) {
  tabs.append(h('vscode-tab-header', { slot: 'header', 'data-tab': t }, tabLabels[t]), h('vscode-tab-panel', { 'data-panel': t }, tabBodies[t]));
}
(tabs as HTMLElement & { selectedIndex: number }).selectedIndex = Math.max(0, TABS.indexOf(ui.tab ?? 'layers'));
tabs.addEventListener('vsc-tabs-select', (ev) => {
  ui.tab = TABS[(ev as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'layers';
  saveState();
  if (ui.tab === 'charts') charts.shown();
  if (ui.tab === 'compare') compare.draw();
});

const app = document.getElementById('app')!;
app.replaceChildren(h('header', { class: 'panel-header' }, title, h('div', { class: 'buttons' }, runButton, stopButton, openButton)), errorBox, tabs);

function showError(message: string | null): void {
  errorBox.hidden = !message;
  errorBox.textContent = message ?? '';
}

function renderHeader(): void {
  title.textContent = experiment ? `${experiment.name} · ${experiment.base}` : 'Experiment';
  (runButton as HTMLElement & { disabled: boolean }).disabled = running || !experiment;
  (stopButton as HTMLElement & { disabled: boolean }).disabled = !running;
  document.body.dataset.running = String(running);
}

function renderLayers(): void {
  layers.render(experiment, inspection, experimentError ?? inspectionMessage);
}

function renderEval(): void {
  const fromEvents = events.filter((e): e is Extract<RunEvent, { kind: 'evaluation' }> => e.kind === 'evaluation');
  const latest = runs.find((r) => r.experiment === experiment?.name && r.summary?.transfer.test);
  const list = fromEvents.length
    ? fromEvents.map((e) => ({ title: e.model === 'baseline' ? 'From scratch' : 'Transfer', metrics: e.metrics }))
    : latest
      ? [{ title: `Transfer (${latest.runId})`, metrics: latest.summary!.transfer.test }, { title: 'From scratch', metrics: latest.summary!.baseline?.test ?? null }]
      : [];
  renderEvaluation(evaluation, list);
}

function setExperiment(state: { ok: true; value: PanelExperiment } | { ok: false; error: string }): void {
  experiment = state.ok ? state.value : experiment;
  experimentError = state.ok ? null : state.error;
  showError(experimentError);
  charts.setExperiment(experiment);
}

function setInspection(state: Extract<HostMessage, { type: 'inspection' }>['inspection']): void {
  inspection = state.state === 'ok' ? state.value : null;
  inspectionMessage = state.state === 'ok' ? null : state.state === 'loading' ? 'Loading the base model…' : `Cannot read the base model: ${state.error}`;
}

function onMessage(m: HostMessage): void {
  switch (m.type) {
    case 'snapshot':
      if (m.protocol !== PANEL_PROTOCOL_VERSION) return showError(`Protocol mismatch (host ${m.protocol}, panel ${PANEL_PROTOCOL_VERSION}): reload the window.`);
      ui.experimentFile = m.snapshot.experimentFile;
      saveState();
      setExperiment(m.snapshot.experiment);
      setInspection(m.snapshot.inspection);
      runs = m.snapshot.runs;
      running = m.snapshot.running;
      events = m.snapshot.events;
      charts.reset(events);
      compare.setRuns(runs);
      if (ui.compare?.length) send({ type: 'compare', runDirs: ui.compare });
      renderHeader();
      renderLayers();
      renderEval();
      return;
    case 'experiment':
      setExperiment(m.experiment);
      renderHeader();
      renderLayers();
      return;
    case 'inspection':
      setInspection(m.inspection);
      renderLayers();
      return;
    case 'runs':
      runs = m.runs;
      running = m.running;
      compare.setRuns(runs);
      renderHeader();
      renderEval();
      return;
    case 'run-reset':
      events = [...m.events];
      charts.reset(events);
      renderEval();
      return;
    case 'run-events':
      events.push(...m.events);
      charts.add(m.events);
      if (m.events.some((e) => e.kind === 'evaluation')) renderEval();
      return;
    case 'comparison':
      compare.setComparison(m.runs);
      return;
    case 'error':
      showError(m.message);
      return;
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  if (isHostMessage(ev.data)) onMessage(ev.data);
  else console.warn('Transfer Lab panel: ignored an invalid message', ev.data);
});

// Theme changes (VS Code swaps the body class): redraw charts with the new colors.
new MutationObserver(() => {
  charts.retheme();
  compare.retheme();
  renderEval();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

renderHeader();
renderLayers();
send({ type: 'ready', protocol: PANEL_PROTOCOL_VERSION });
