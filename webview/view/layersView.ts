// The layer table: states under the freeze plan, per-phase columns, toggles, "freeze up to
// here", choosing the cut layer, and a filter. Rows are rebuilt from the pure tree model;
// clicks are handled by one delegated listener so 150+ rows stay cheap.
import type { ModelInspection } from '../../src/shared/model';
import type { PanelEdit, PanelExperiment } from '../../src/shared/panelProtocol';
import { buildTree, filterRows, type Tree } from '../logic/layerTree';
import { fmtInt, h } from '../dom';

const STATE_LABEL: Record<string, string> = {
  frozen: 'frozen',
  trainable: 'trainable',
  'bn-inference': 'BN inference',
  cut: 'cut',
  head: 'head',
};

export interface LayersViewHost {
  edit(edit: PanelEdit): void;
  phase: number | null;
  filter: string;
  setPhase(p: number | null): void;
  setFilter(f: string): void;
}

export class LayersView {
  readonly el = h('section', { class: 'layers' });
  private tree: Tree | null = null;

  constructor(private readonly host: LayersViewHost) {
    this.el.addEventListener('change', (ev) => {
      const t = ev.target as HTMLElement;
      if (t instanceof HTMLInputElement && t.dataset.layer && t.dataset.action === 'frozen') {
        this.host.edit({ kind: 'set-frozen', phase: this.host.phase, layer: t.dataset.layer, frozen: t.checked });
      }
    });
    this.el.addEventListener('click', (ev) => {
      const t = (ev.target as HTMLElement).closest('button');
      if (!t?.dataset.layer) return;
      if (t.dataset.action === 'upto') this.host.edit({ kind: 'freeze-up-to', phase: this.host.phase, layer: t.dataset.layer });
      if (t.dataset.action === 'cut') this.host.edit({ kind: 'cut-at', layer: t.dataset.layer });
    });
  }

  render(experiment: PanelExperiment | null, inspection: ModelInspection | null, message: string | null): void {
    this.el.replaceChildren();
    if (!experiment || !inspection) {
      this.el.append(h('p', { class: 'notice' }, message ?? 'Loading the base model…'));
      return;
    }
    try {
      this.tree = buildTree({
        layers: inspection.layers,
        settings: { cutAt: experiment.cutAt, freeze: experiment.freeze, phases: experiment.phases },
        head: experiment.head,
        classes: experiment.classes?.length ?? null,
        phase: this.host.phase,
      });
    } catch (err) {
      this.el.append(h('p', { class: 'notice error' }, (err as Error).message));
      return;
    }
    const { totals } = this.tree;
    const phaseSelect = h('select', { 'aria-label': 'Phase whose plan the toggles edit', id: 'phase-select' });
    phaseSelect.append(h('option', { value: '' }, 'model.freeze (all phases)'));
    experiment.phases.forEach((p, i) => phaseSelect.append(h('option', { value: String(i) }, `Phase ${i + 1}: ${p.name} (lr ${p.learningRate})`)));
    phaseSelect.value = this.host.phase === null ? '' : String(this.host.phase);
    phaseSelect.addEventListener('change', () => this.host.setPhase(phaseSelect.value === '' ? null : Number(phaseSelect.value)));
    const filter = h('input', { type: 'search', placeholder: 'Filter layers by name or type', 'aria-label': 'Filter layers', value: this.host.filter, id: 'layer-filter' });
    filter.addEventListener('input', () => {
      this.host.setFilter(filter.value);
      this.applyFilter(filter.value);
    });
    this.el.append(
      h('div', { class: 'toolbar' }, h('label', {}, 'Edit ', phaseSelect), filter),
      h(
        'p',
        { class: 'totals', id: 'param-totals' },
        h('span', { class: 'pill trainable' }, `Trainable ${fmtInt(totals.trainable)}`),
        h('span', { class: 'pill frozen' }, `Frozen ${fmtInt(totals.frozen)}`),
        h('span', { class: 'pill head' }, `Head ${fmtInt(totals.head)}`),
        h('span', { class: 'pill cut' }, `Cut ${fmtInt(totals.cut)}`),
        h('span', { class: 'muted' }, ` ${inspection.layers.length} layers in ${inspection.ref}`),
      ),
    );
    const head = h('tr', {}, h('th', { scope: 'col' }, 'Frozen'), h('th', { scope: 'col' }, 'Layer'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Output shape'), h('th', { scope: 'col', class: 'num' }, 'Params'), h('th', { scope: 'col' }, 'State'));
    experiment.phases.forEach((p, i) => head.append(h('th', { scope: 'col', class: 'phase', title: `Trains in phase ${i + 1} (${p.name})` }, `P${i + 1}`)));
    head.append(h('th', { scope: 'col' }, 'Actions'));
    const body = h('tbody');
    for (const r of this.tree.rows) {
      const frozen = r.state === 'frozen' || r.state === 'bn-inference';
      const toggle = r.toggleable && r.state !== 'cut'
        ? h('input', { type: 'checkbox', 'data-layer': r.name, 'data-action': 'frozen', checked: frozen, 'aria-label': `Freeze ${r.name}` })
        : '';
      const tr = h(
        'tr',
        { class: `row-${r.state}${r.name === experiment.cutAt ? ' is-cut-at' : ''}`, 'data-name': r.name },
        h('td', {}, toggle),
        h('td', { class: `name depth-${Math.min(r.depth, 4)}` }, r.name, r.name === experiment.cutAt ? h('span', { class: 'badge' }, 'cutAt') : null),
        h('td', {}, r.className),
        h('td', { class: 'mono' }, r.shape),
        h('td', { class: 'num' }, fmtInt(r.params)),
        h('td', {}, h('span', { class: `state state-${r.state}` }, STATE_LABEL[r.state] ?? r.state)),
      );
      r.phaseTrains.forEach((t, i) => tr.append(h('td', { class: 'phase', title: t ? `trains in phase ${i + 1}` : `frozen in phase ${i + 1}` }, r.state === 'cut' ? '' : t ? '●' : '○')));
      const actions = h('td', { class: 'actions' });
      if (r.toggleable && r.state !== 'cut') actions.append(h('button', { class: 'link', 'data-layer': r.name, 'data-action': 'upto', title: `Freeze every layer up to and including ${r.name}` }, 'freeze up to here'));
      if (r.toggleable && r.name !== experiment.cutAt) actions.append(h('button', { class: 'link', 'data-layer': r.name, 'data-action': 'cut', title: `Cut the base model after ${r.name}` }, 'cut here'));
      tr.append(actions);
      body.append(tr);
    }
    this.el.append(h('div', { class: 'table-wrap' }, h('table', { class: 'layer-table', id: 'layer-table' }, h('thead', {}, head), body)));
    this.applyFilter(this.host.filter);
  }

  private applyFilter(filter: string): void {
    if (!this.tree) return;
    const shown = new Set(filterRows(this.tree.rows, filter));
    const rows = this.el.querySelectorAll('tbody tr');
    rows.forEach((tr, i) => ((tr as HTMLElement).hidden = !shown.has(i)));
  }
}
