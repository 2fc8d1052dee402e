// Run comparison: pick runs (this experiment's or others'), overlay their curves on a step
// axis that can be lined up at the start of a phase, and a table of what differs.
import type { PanelComparedRun, PanelRunItem } from '../../src/shared/panelProtocol';
import { compareRuns } from '../logic/compare';
import { buildSeries, lttb, phaseOffset, shift, type Point } from '../logic/series';
import { fmtNum, fmtPct, fmtSeconds, h } from '../dom';
import { applyThemeDefaults, Chart, palette } from './chartTheme';

export interface CompareHost {
  selected: string[];
  setSelected(dirs: string[]): void;
  compare(dirs: string[]): void;
}

export class CompareView {
  readonly el = h('section', { class: 'compare' });
  private readonly list = h('fieldset', { class: 'run-list' });
  private readonly align = h('select', { 'aria-label': 'Line runs up at the start of', id: 'align-select' });
  private readonly canvas = h('canvas', { role: 'img', 'aria-label': 'Validation accuracy of the compared runs' });
  private readonly table = h('div', { class: 'table-wrap' });
  private chart: Chart<'line', Point[]> | null = null;
  private runs: PanelComparedRun[] = [];

  constructor(private readonly host: CompareHost) {
    const button = h('button', { class: 'primary', id: 'compare-button' }, 'Compare selected runs');
    button.addEventListener('click', () => this.host.compare(this.host.selected));
    this.align.append(h('option', { value: '' }, 'step 0 (run start)'));
    for (let i = 0; i < 4; i++) this.align.append(h('option', { value: String(i) }, `start of phase ${i + 1}`));
    this.align.addEventListener('change', () => this.draw());
    this.el.append(
      this.list,
      h('div', { class: 'toolbar' }, button, h('label', {}, 'Align at ', this.align)),
      h('div', { class: 'chart-box' }, this.canvas),
      this.table,
    );
    this.list.addEventListener('change', () => {
      const dirs = [...this.list.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value).slice(0, 8);
      this.host.setSelected(dirs);
    });
  }

  setRuns(items: readonly PanelRunItem[]): void {
    this.list.replaceChildren(h('legend', {}, items.length ? 'Runs (up to 8)' : 'No runs yet.'));
    for (const r of items.slice(0, 60)) {
      const s = r.summary;
      const label = `${r.experiment} · ${r.runId} · ${s?.status ?? 'no summary'}${s?.transfer.test ? ` · test ${fmtPct(s.transfer.test.accuracy)}` : ''}`;
      this.list.append(h('label', { class: 'run-item' }, h('input', { type: 'checkbox', value: r.runDir, checked: this.host.selected.includes(r.runDir) }), ` ${label}`));
    }
  }

  setComparison(runs: PanelComparedRun[]): void {
    this.runs = runs;
    this.draw();
  }

  retheme(): void {
    this.chart?.destroy();
    this.chart = null;
    this.draw();
  }

  draw(): void {
    const colors = palette();
    const alignAt = this.align.value === '' ? null : Number(this.align.value);
    const datasets = this.runs.flatMap((r, i) => {
      const s = buildSeries(r.events);
      const dx = phaseOffset(s, alignAt);
      const color = colors[i % colors.length]!;
      const m = s.models.transfer;
      return [
        { label: `${r.runId} validation accuracy`, data: shift(m.valAccuracy, dx), borderColor: color, borderWidth: 2, pointRadius: 2, parsing: false as const },
        { label: `${r.runId} train accuracy (batch)`, data: lttb(shift(m.batchAccuracy, dx), 400), borderColor: color, borderWidth: 1, borderDash: [3, 3], pointRadius: 0, parsing: false as const },
      ];
    });
    if (!this.chart) {
      applyThemeDefaults();
      this.chart = new Chart(this.canvas, {
        type: 'line',
        data: { datasets: [] },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: { x: { type: 'linear', title: { display: true, text: 'step (relative)' } }, y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } } },
          plugins: { legend: { position: 'bottom' } },
        },
      });
    }
    this.chart.data.datasets = datasets;
    (this.chart.options.scales!.x!.title as { text: string }).text = alignAt === null ? 'step' : `steps from the start of phase ${alignAt + 1}`;
    this.chart.update('none');
    this.renderTable();
  }

  private renderTable(): void {
    this.table.replaceChildren();
    if (!this.runs.length) return;
    const t = compareRuns(this.runs);
    const head = h('tr', {}, h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Status'));
    t.keys.forEach((k) => head.append(h('th', { scope: 'col', class: 'mono' }, k)));
    ['best val acc', 'final val acc', 'final loss', 'test acc', 'time'].forEach((k) => head.append(h('th', { scope: 'col', class: 'num' }, k)));
    const body = h('tbody');
    for (const r of t.rows) {
      const tr = h('tr', {}, h('th', { scope: 'row' }, `${r.experiment} ${r.runId}`), h('td', {}, r.status));
      t.keys.forEach((k) => tr.append(h('td', { class: 'mono' }, r.values[k] ?? '—')));
      tr.append(
        h('td', { class: 'num' }, fmtPct(r.bestValAccuracy)),
        h('td', { class: 'num' }, fmtPct(r.finalValAccuracy)),
        h('td', { class: 'num' }, fmtNum(r.finalLoss)),
        h('td', { class: 'num' }, fmtPct(r.testAccuracy)),
        h('td', { class: 'num' }, fmtSeconds(r.seconds)),
      );
      body.append(tr);
    }
    this.table.append(
      h('p', { class: 'muted' }, t.keys.length ? `${t.keys.length} settings differ.` : 'The runs have the same settings.'),
      h('table', { class: 'compare-table', id: 'compare-table' }, h('thead', {}, head), body),
    );
  }
}
