// Chart.js setup shared by the live and comparison charts: only the parts we use are
// registered (small bundle), colors come from the VS Code theme, phases are drawn as bands.
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type Plugin } from 'chart.js';
import type { PhaseBand } from '../logic/series';
import { themeColor } from '../dom';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, Filler);

export function palette(): string[] {
  return [
    themeColor('charts-blue', '#3794ff'),
    themeColor('charts-orange', '#d18616'),
    themeColor('charts-green', '#89d185'),
    themeColor('charts-purple', '#b180d7'),
    themeColor('charts-red', '#f14c4c'),
    themeColor('charts-yellow', '#cca700'),
  ];
}

export function applyThemeDefaults(): void {
  Chart.defaults.color = themeColor('charts-foreground', themeColor('foreground', '#ccc'));
  Chart.defaults.borderColor = themeColor('charts-lines', 'rgba(128,128,128,0.3)');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.animation = false;
}

/** Draws each phase as a shaded band with its name and learning rate; bands come from chart options. */
export const phaseBands: Plugin<'line'> = {
  id: 'phaseBands',
  beforeDatasetsDraw(chart) {
    const bands = (chart.options.plugins as { phaseBands?: { bands: PhaseBand[] } }).phaseBands?.bands ?? [];
    const x = chart.scales.x;
    if (!x || bands.length === 0) return;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    const colors = [themeColor('charts-blue', '#3794ff'), themeColor('charts-purple', '#b180d7')];
    ctx.save();
    bands.forEach((b, i) => {
      const x0 = x.getPixelForValue(b.from);
      const x1 = x.getPixelForValue(Math.max(b.to, b.from));
      ctx.globalAlpha = 0.09;
      ctx.fillStyle = colors[i % 2]!;
      ctx.fillRect(x0, top, Math.max(x1 - x0, 1), bottom - top);
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = Chart.defaults.color as string;
      ctx.font = `11px ${Chart.defaults.font.family}`;
      const lr = Number.isNaN(b.learningRate) ? '' : ` · lr ${b.learningRate}`;
      ctx.fillText(`${b.name || `phase ${b.index + 1}`}${lr}`, x0 + 4, top + 12);
    });
    ctx.restore();
  },
};
Chart.register(phaseBands);

export { Chart };
