import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhaseInfo, RunEvent } from '../../src/shared/events';
import { buildSeries, lttb, phaseOffset, shift, type Point } from '../../webview/logic/series';

const phase = (index: number, name: string, epochs: number, learningRate: number): PhaseInfo => ({
  index, name, epochs, learningRate, trainableLayers: [], trainableParams: 0, frozenParams: 0, cacheBoundary: null,
});

/** A run of two phases, 2 batches per epoch, epochs 1-2 then 3, with a baseline. */
function events(): RunEvent[] {
  const phases = [phase(0, 'head', 2, 1e-3), phase(1, 'fine-tune', 1, 1e-4)];
  const out: RunEvent[] = [
    { kind: 'run-start', runId: 'r1', experiment: 'rps', runDir: '/runs/rps/r1', backend: 'wasm', classes: ['a', 'b'], counts: { train: 8, validation: 2, test: 2 }, phases, baseline: true },
  ];
  let step = 0;
  for (const [p, info] of phases.entries()) {
    out.push({ kind: 'phase-start', model: 'transfer', phase: info });
    for (let e = 0; e < info.epochs; e++) {
      const epoch = p === 0 ? e + 1 : 3;
      for (let b = 1; b <= 2; b++) {
        step++;
        out.push({ kind: 'batch', model: 'transfer', phase: p, epoch, batch: b, batches: 2, step, loss: 1 / step, accuracy: step / 10, imagesPerSecond: 100 + step });
      }
      out.push({ kind: 'epoch', model: 'transfer', phase: p, epoch, epochs: 3, step, learningRate: info.learningRate, imagesPerSecond: 200, seconds: 1, etaSeconds: 3 - epoch, loss: 1 / step, accuracy: step / 10, val_loss: 2 / step, val_accuracy: step / 12 });
    }
  }
  out.push({ kind: 'batch', model: 'baseline', phase: 0, epoch: 1, batch: 1, batches: 2, step: 1, loss: 2.5, accuracy: 0.3, imagesPerSecond: 50 });
  return out;
}

test('series follow the events: per batch, per epoch, validation, phases as bands', () => {
  const s = buildSeries(events());
  assert.equal(s.runId, 'r1');
  assert.deepEqual(s.models.transfer.batchLoss.map((p) => p.x), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.models.transfer.epochAccuracy, [{ x: 2, y: 0.2 }, { x: 4, y: 0.4 }, { x: 6, y: 0.6 }]);
  assert.deepEqual(s.models.transfer.valLoss.map((p) => p.y), [1, 0.5, 2 / 6]);
  assert.deepEqual(s.models.baseline.batchLoss, [{ x: 1, y: 2.5 }]);
  assert.deepEqual(s.bands, [
    { index: 0, name: 'head', learningRate: 1e-3, from: 0, to: 4 },
    { index: 1, name: 'fine-tune', learningRate: 1e-4, from: 4, to: 6 },
  ]);
  assert.equal(s.epoch, 3);
  assert.equal(s.epochs, 3);
  assert.equal(s.etaSeconds, 0);
  assert.equal(s.imagesPerSecond, 200);
});

test('bands come from the phase indexes when the phase-start events are not recorded (metrics.jsonl)', () => {
  const recorded = events().filter((e) => e.kind === 'batch' || e.kind === 'epoch');
  const s = buildSeries(recorded);
  assert.deepEqual(s.bands, [
    { index: 0, name: '', learningRate: 1e-3, from: 0, to: 4 },
    { index: 1, name: '', learningRate: 1e-4, from: 4, to: 6 },
  ]);
});

test('the relative-step axis lines up the fine-tune phase at 0', () => {
  const s = buildSeries(events());
  assert.equal(phaseOffset(s, 1), 4);
  assert.equal(phaseOffset(s, null), 0);
  assert.equal(phaseOffset(s, 7), 0);
  assert.deepEqual(shift(s.models.transfer.epochLoss, phaseOffset(s, 1)).map((p) => p.x), [-2, 0, 2]);
});

test('lttb bounds the points, keeps the ends and the spikes', () => {
  const points: Point[] = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.sin(i / 500) }));
  points[4321] = { x: 4321, y: 50 };
  const out = lttb(points, 500);
  assert.equal(out.length, 500);
  assert.deepEqual(out[0], points[0]);
  assert.deepEqual(out.at(-1), points.at(-1));
  assert.ok(out.some((p) => p.y === 50), 'the spike survives');
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.x > out[i - 1]!.x, 'x stays increasing');
  assert.equal(lttb(points.slice(0, 10), 500).length, 10);
  assert.throws(() => lttb(points, 2), /at least 3 points/);
});
