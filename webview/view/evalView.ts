// A finished run's test evaluation: accuracy, the confusion matrix (cells shaded by their
// share of the row) and per-class precision and recall.
import type { TestMetrics } from '../../src/shared/events';
import { fmtInt, fmtPct, fmtNum, h, themeColor } from '../dom';

export function renderEvaluation(el: HTMLElement, runs: { title: string; metrics: TestMetrics | null }[]): void {
  el.replaceChildren();
  const shown = runs.filter((r) => r.metrics);
  if (!shown.length) {
    el.append(h('p', { class: 'notice' }, 'No evaluation yet: a run evaluates on the test split when it completes.'));
    return;
  }
  const shade = themeColor('charts-blue', '#3794ff');
  for (const { title, metrics } of shown) {
    const m = metrics!;
    el.append(h('h3', {}, `${title}: test accuracy ${fmtPct(m.accuracy)}, loss ${fmtNum(m.loss)}`));
    const head = h('tr', {}, h('th', { scope: 'col' }, 'actual \\ predicted'));
    m.labels.forEach((l) => head.append(h('th', { scope: 'col' }, l)));
    const body = h('tbody');
    m.confusion.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const tr = h('tr', {}, h('th', { scope: 'row' }, m.labels[i] ?? String(i)));
      row.forEach((n) => {
        const td = h('td', { class: 'num cell', title: `${fmtPct(n / total)} of the row` }, fmtInt(n));
        // CSSOM writes are allowed by the CSP (unlike style attributes in markup).
        td.style.setProperty('--share', String(n / total));
        td.style.backgroundColor = `color-mix(in srgb, ${shade} ${Math.round((n / total) * 70)}%, transparent)`;
        tr.append(td);
      });
      body.append(tr);
    });
    el.append(h('table', { class: 'confusion', 'aria-label': `Confusion matrix, ${title}` }, h('thead', {}, head), body));
    const pc = h('tbody');
    for (const c of m.perClass) pc.append(h('tr', {}, h('th', { scope: 'row' }, c.label), h('td', { class: 'num' }, fmtPct(c.precision)), h('td', { class: 'num' }, fmtPct(c.recall)), h('td', { class: 'num' }, fmtInt(c.support))));
    el.append(h('table', { class: 'per-class' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'class'), h('th', { scope: 'col', class: 'num' }, 'precision'), h('th', { scope: 'col', class: 'num' }, 'recall'), h('th', { scope: 'col', class: 'num' }, 'support'))), pc));
  }
}
