// Live loss and accuracy charts of a run. Events are added as they arrive, but the charts are
// redrawn at most once per animation frame, from series decimated to a bounded number of
// points, so a long run never freezes the panel.
import type { ChartDataset } from 'chart.js';
import type { RunEvent } from '../../src/shared/events';
import type { PanelExperiment } from '../../src/shared/panelProtocol';
import { addEvent, emptySeries, lttb, type Point, type RunSeries } from '../logic/series';
import { fmtSeconds, h } from '../dom';
import { applyThemeDefaults, Chart, palette } from './chartTheme';

const MAX_POINTS = 600;

export class ChartsView {
  readonly el = h('section', { class: 'charts' });
  private series: RunSeries = emptySeries();
  private readonly status = h('p', { class: 'run-status', id: 'run-status' });
  private readonly lossCanvas = h('canvas', { role: 'img', 'aria-label': 'Loss per step' });
  private readonly accCanvas = h('canvas', { role: 'img', 'aria-label': 'Accuracy per step' });
  private loss: Chart<'line', Point[]> | null = null;
  private acc: Chart<'line', Point[]> | null = null;
  private frame = 0;
  private experiment: PanelExperiment | null = null;
  /** Batch points drawn so far, for tests and the status line. */
  pointCount = 0;

  constructor() {
    this.el.append(this.status, h('div', { class: 'chart-box' }, this.lossCanvas), h('div', { class: 'chart-box' }, this.accCanvas));
  }

  setExperiment(e: PanelExperiment | null): void {
    this.experiment = e;
    this.schedule();
  }

  reset(events: readonly RunEvent[]): void {
    this.series = emptySeries();
    this.add(events);
  }

  add(events: readonly RunEvent[]): void {
    let changed = false;
    for (const e of events) changed = addEvent(this.series, e) || changed;
    if (changed) this.schedule();
  }

  get current(): RunSeries {
    return this.series;
  }

  /** Theme changed: rebuild the charts with the new colors. */
  retheme(): void {
    this.loss?.destroy();
    this.acc?.destroy();
    this.loss = this.acc = null;
    this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  private datasets(kind: 'loss' | 'accuracy'): ChartDataset<'line', Point[]>[] {
    const [c0, c1, c2, c3] = palette();
    const out: ChartDataset<'line', Point[]>[] = [];
    const L = kind === 'loss';
    for (const model of ['transfer', 'baseline'] as const) {
      const m = this.series.models[model];
      if (m.batchLoss.length === 0 && m.epochLoss.length === 0) continue;
      const tag = model === 'baseline' ? ' (from scratch)' : '';
      const dash = model === 'baseline' ? [2, 3] : undefined;
      out.push(
        { label: `train per batch${tag}`, data: lttb(L ? m.batchLoss : m.batchAccuracy, MAX_POINTS), borderColor: model === 'baseline' ? c3 : c0, borderWidth: 1, pointRadius: 0, borderDash: dash, parsing: false },
        { label: `train per epoch${tag}`, data: L ? m.epochLoss : m.epochAccuracy, borderColor: model === 'baseline' ? c3 : c2, borderWidth: 2, pointRadius: 3, borderDash: dash, parsing: false },
        { label: `validation${tag}`, data: L ? m.valLoss : m.valAccuracy, borderColor: model === 'baseline' ? c3 : c1, borderWidth: 2, pointRadius: 3, borderDash: dash ?? [6, 3], parsing: false },
      );
    }
    return out;
  }

  private bands() {
    return this.series.bands.map((b) => ({ ...b, name: b.name || this.experiment?.phases[b.index]?.name || '' }));
  }

  private makeChart(canvas: HTMLCanvasElement, title: string, max?: number): Chart<'line', Point[]> {
    applyThemeDefaults();
    return new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        normalized: true,
        scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { title: { display: true, text: title }, min: 0, ...(max ? { max } : {}) } },
        plugins: { legend: { position: 'bottom' }, phaseBands: { bands: [] } } as never,
      },
    });
  }

  private draw(): void {
    this.frame = 0;
    if (!this.el.isConnected || this.el.closest('[hidden]')) return;
    this.loss ??= this.makeChart(this.lossCanvas, 'loss');
    this.acc ??= this.makeChart(this.accCanvas, 'accuracy', 1);
    const bands = this.bands();
    for (const [chart, kind] of [[this.loss, 'loss'], [this.acc, 'accuracy']] as const) {
      chart.data.datasets = this.datasets(kind);
      (chart.options.plugins as { phaseBands: { bands: unknown } }).phaseBands.bands = bands;
      chart.update('none');
    }
    const s = this.series;
    this.pointCount = s.models.transfer.batchLoss.length;
    this.el.dataset.points = String(this.pointCount);
    this.status.textContent = s.runId || this.pointCount
      ? `Run ${s.runId ?? ''} · epoch ${s.epoch}/${s.epochs || '?'} · ${s.imagesPerSecond === null ? '—' : Math.round(s.imagesPerSecond)} images/s · ETA ${fmtSeconds(s.etaSeconds)} · ${this.pointCount} batches`
      : 'No run yet. Start one with “Run”.';
  }

  /** Called when the tab becomes visible (a hidden canvas cannot be sized). */
  shown(): void {
    this.schedule();
  }
}
