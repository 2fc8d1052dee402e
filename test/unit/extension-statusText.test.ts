import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEta, runStatusText } from '../../src/extension/status/statusText';
import type { PhaseInfo, RunEvent, RunSummary } from '../../src/shared/events';

const phase = (name: string, epochs: number): PhaseInfo => ({ index: 0, name, epochs, learningRate: 1e-3, trainableLayers: [], trainableParams: 1, frozenParams: 1, cacheBoundary: null });

test('status text follows the run through its phases', () => {
  const ev: RunEvent[] = [];
  assert.equal(runStatusText('rps', ev), 'rps · starting');
  ev.push({ kind: 'run-start', runId: 'r', experiment: 'rps', runDir: '/r', backend: 'wasm', classes: [], counts: { train: 1, validation: 1, test: 1 }, phases: [phase('head', 4), phase('ft', 6)], baseline: false });
  ev.push({ kind: 'progress', task: 'features', done: 150, total: 600 });
  assert.equal(runStatusText('rps', ev), 'rps · features 25%');
  ev.push({ kind: 'phase-start', model: 'transfer', phase: phase('head', 4) });
  ev.push({ kind: 'batch', model: 'transfer', phase: 0, epoch: 1, batch: 2, batches: 10, step: 2, loss: 1, accuracy: 0.5, imagesPerSecond: 100 });
  assert.equal(runStatusText('rps', ev), 'rps · head · epoch 1/10');
  ev.push({ kind: 'epoch', model: 'transfer', phase: 0, epoch: 3, epochs: 10, step: 30, learningRate: 1e-3, imagesPerSecond: 100, seconds: 5, etaSeconds: 65, loss: 0.3, accuracy: 0.9 });
  assert.equal(runStatusText('rps', ev), 'rps · head · epoch 3/10 · ETA 1m 05s');
  ev.push({ kind: 'phase-start', model: 'baseline', phase: phase('head', 4) });
  assert.equal(runStatusText('rps', ev), 'rps · baseline head · ETA 1m 05s');
  ev.push({ kind: 'run-end', summary: { status: 'stopped' } as RunSummary });
  assert.equal(runStatusText('rps', ev), 'rps · stopped');
});

test('ETA formatting', () => {
  assert.equal(formatEta(4.4), '4s');
  assert.equal(formatEta(600), '10m 00s');
  assert.equal(formatEta(7260), '2h 01m');
});
