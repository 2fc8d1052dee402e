// Chart series from a run's events: loss and accuracy per batch and per epoch for the transfer
// model and the from-scratch baseline, the phases as bands, the throughput and ETA. Built
// incrementally (events arrive one by one while a run trains) and pure, so it is unit tested.
import type { RunEvent, RunModel } from '../../src/shared/events';

export interface Point {
  x: number;
  y: number;
}

export interface ModelSeries {
  batchLoss: Point[];
  batchAccuracy: Point[];
  epochLoss: Point[];
  epochAccuracy: Point[];
  valLoss: Point[];
  valAccuracy: Point[];
}

export interface PhaseBand {
  index: number;
  name: string;
  learningRate: number;
  /** Optimizer steps of the transfer model: the phase covers (from, to]. */
  from: number;
  to: number;
}

export interface RunSeries {
  runId: string | null;
  models: Record<RunModel, ModelSeries>;
  bands: PhaseBand[];
  imagesPerSecond: number | null;
  etaSeconds: number | null;
  /** 1-based epoch of the last epoch event and the planned total. */
  epoch: number;
  epochs: number;
  lastStep: number;
}

const emptyModel = (): ModelSeries => ({ batchLoss: [], batchAccuracy: [], epochLoss: [], epochAccuracy: [], valLoss: [], valAccuracy: [] });

export function emptySeries(): RunSeries {
  return { runId: null, models: { transfer: emptyModel(), baseline: emptyModel() }, bands: [], imagesPerSecond: null, etaSeconds: null, epoch: 0, epochs: 0, lastStep: 0 };
}

/** Adds one event to `s` (in place; returns whether anything drawable changed). */
export function addEvent(s: RunSeries, e: RunEvent): boolean {
  switch (e.kind) {
    case 'run-start':
      s.runId = e.runId;
      s.epochs = e.phases.reduce((n, p) => n + p.epochs, 0);
      return true;
    case 'phase-start': {
      if (e.model !== 'transfer') return false;
      const prev = s.bands.at(-1);
      if (prev) prev.to = s.lastStep;
      s.bands.push({ index: e.phase.index, name: e.phase.name, learningRate: e.phase.learningRate, from: s.lastStep, to: s.lastStep });
      return true;
    }
    case 'batch': {
      if (e.model === 'transfer') ensureBand(s, e.phase, null);
      const m = s.models[e.model];
      m.batchLoss.push({ x: e.step, y: e.loss });
      m.batchAccuracy.push({ x: e.step, y: e.accuracy });
      if (e.model === 'transfer') {
        s.lastStep = e.step;
        s.imagesPerSecond = e.imagesPerSecond;
        const band = s.bands.at(-1);
        if (band) band.to = e.step;
      }
      return true;
    }
    case 'epoch': {
      if (e.model === 'transfer') ensureBand(s, e.phase, e.learningRate);
      const m = s.models[e.model];
      m.epochLoss.push({ x: e.step, y: e.loss });
      m.epochAccuracy.push({ x: e.step, y: e.accuracy });
      if (e.val_loss !== undefined) m.valLoss.push({ x: e.step, y: e.val_loss });
      if (e.val_accuracy !== undefined) m.valAccuracy.push({ x: e.step, y: e.val_accuracy });
      if (e.model === 'transfer') {
        s.lastStep = Math.max(s.lastStep, e.step);
        s.imagesPerSecond = e.imagesPerSecond;
        s.etaSeconds = e.etaSeconds;
        s.epoch = e.epoch;
        s.epochs = e.epochs;
        const band = s.bands.at(-1);
        if (band) band.to = Math.max(band.to, e.step);
      }
      return true;
    }
    case 'run-end':
      s.etaSeconds = 0;
      return true;
    default:
      return false;
  }
}

/**
 * metrics.jsonl keeps batch and epoch events only (no phase-start): a change of phase index
 * opens the band there. The name is filled in from the experiment when the panel draws it.
 */
function ensureBand(s: RunSeries, phase: number, learningRate: number | null): void {
  const last = s.bands.at(-1);
  if (last && last.index === phase) {
    if (learningRate !== null && Number.isNaN(last.learningRate)) last.learningRate = learningRate;
    return;
  }
  s.bands.push({ index: phase, name: '', learningRate: learningRate ?? Number.NaN, from: s.lastStep, to: s.lastStep });
}

export function buildSeries(events: readonly RunEvent[]): RunSeries {
  const s = emptySeries();
  for (const e of events) addEvent(s, e);
  return s;
}

/** The step where phase `index` starts, for lining runs up on a relative-step axis (0 when absent). */
export function phaseOffset(s: RunSeries, index: number | null): number {
  if (index === null) return 0;
  return s.bands.find((b) => b.index === index)?.from ?? 0;
}

export function shift(points: readonly Point[], dx: number): Point[] {
  return dx === 0 ? points.slice() : points.map((p) => ({ x: p.x - dx, y: p.y }));
}

/**
 * Largest-Triangle-Three-Buckets: at most `max` points that keep the curve's visual shape
 * (peaks survive, unlike taking every n-th point). First and last points are always kept.
 */
export function lttb(points: readonly Point[], max: number): Point[] {
  const n = points.length;
  if (max < 3) throw new RangeError(`lttb keeps at least 3 points (asked for ${max})`);
  if (n <= max) return points.slice();
  const out: Point[] = [points[0]!];
  const every = (n - 2) / (max - 2);
  let a = 0;
  for (let i = 0; i < max - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let ax = 0;
    let ay = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      ax += points[j]!.x;
      ay += points[j]!.y;
    }
    const count = Math.max(nextEnd - nextStart, 1);
    ax /= count;
    ay /= count;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const pa = points[a]!;
    let best = -1;
    let chosen = start;
    for (let j = start; j < end; j++) {
      const p = points[j]!;
      const area = Math.abs((pa.x - ax) * (p.y - pa.y) - (pa.x - p.x) * (ay - pa.y));
      if (area > best) {
        best = area;
        chosen = j;
      }
    }
    out.push(points[chosen]!);
    a = chosen;
  }
  out.push(points[n - 1]!);
  return out;
}
