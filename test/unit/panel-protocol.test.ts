import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHostMessage, isPanelRequest, PANEL_PROTOCOL_VERSION, type PanelComparedRun } from '../../src/shared/panelProtocol';
import { compareRuns, flattenSettings } from '../../webview/logic/compare';
import type { RunSummary } from '../../src/shared/events';

test('webview requests are checked before the host acts on them', () => {
  assert.ok(isPanelRequest({ type: 'ready', protocol: PANEL_PROTOCOL_VERSION }));
  assert.ok(isPanelRequest({ type: 'edit', edit: { kind: 'set-frozen', phase: null, layer: 'conv1', frozen: true } }));
  assert.ok(isPanelRequest({ type: 'edit', edit: { kind: 'freeze-up-to', phase: 1, layer: 'conv1' } }));
  assert.ok(isPanelRequest({ type: 'compare', runDirs: ['/a', '/b'] }));
  assert.ok(!isPanelRequest({ type: 'ready' }));
  assert.ok(!isPanelRequest({ type: 'edit', edit: { kind: 'set-frozen', phase: -1, layer: 'conv1', frozen: true } }));
  assert.ok(!isPanelRequest({ type: 'edit', edit: { kind: 'set-frozen', phase: null, layer: 'conv1', frozen: 'yes' } }));
  assert.ok(!isPanelRequest({ type: 'edit', edit: { kind: 'delete-file' } }));
  assert.ok(!isPanelRequest({ type: 'compare', runDirs: [1] }));
  assert.ok(!isPanelRequest({ type: 'compare', runDirs: Array(9).fill('/a') }));
  assert.ok(!isPanelRequest({ type: 'run-shell', command: 'rm' }));
  assert.ok(!isPanelRequest(null));
  assert.ok(!isPanelRequest(['ready']));
});

test('host messages are checked before the webview draws them', () => {
  const snapshot = {
    experimentFile: '/w/rps.experiment.json',
    experiment: { ok: false, error: 'bad' },
    inspection: { state: 'loading' },
    runs: [],
    running: false,
    events: [],
  };
  assert.ok(isHostMessage({ type: 'snapshot', protocol: 1, snapshot }));
  assert.ok(!isHostMessage({ type: 'snapshot', protocol: 1, snapshot: { ...snapshot, running: 'no' } }));
  assert.ok(!isHostMessage({ type: 'snapshot', protocol: 1, snapshot: { ...snapshot, inspection: { state: 'ok' } } }));
  assert.ok(isHostMessage({ type: 'run-events', events: [{ kind: 'warning', message: 'x' }] }));
  assert.ok(!isHostMessage({ type: 'run-events', events: [{ message: 'x' }] }));
  assert.ok(isHostMessage({ type: 'inspection', inspection: { state: 'error', error: 'not found' } }));
  assert.ok(!isHostMessage({ type: 'experiment', experiment: { ok: true, value: { name: 'x' } } }));
  assert.ok(!isHostMessage({ type: 'eval', code: '1' }));
});

const summary = (over: Partial<RunSummary['transfer']>, status: RunSummary['status'] = 'completed'): RunSummary => ({
  schemaVersion: 1, runId: 'r', experiment: 'rps', status, backend: 'wasm', startedAt: '', endedAt: '', durationSeconds: 12,
  classes: [], counts: { train: 0, validation: 0, test: 0 }, skippedImages: [], phases: [],
  transfer: { final: null, best: null, test: null, epochsRun: 1, seconds: 1, ...over },
});

test('settings flatten to dotted paths; the comparison shows only the ones that differ', () => {
  const a = flattenSettings({ $schema: 'x', name: 'rps', model: { cutAt: 'c13', freeze: 'all' }, training: { phases: [{ learningRate: 0.001 }], batchSize: 32 }, data: { imageSize: [224, 224] } });
  assert.deepEqual(a, { name: 'rps', 'model.cutAt': 'c13', 'model.freeze': 'all', 'training.phases[0].learningRate': '0.001', 'training.batchSize': '32', 'data.imageSize': '[224,224]' });
  const b = { ...a, 'model.freeze': '{"upTo":"c5"}', 'training.phases[1].learningRate': '0.0001' };
  const runs: PanelComparedRun[] = [
    { runId: 'r1', runDir: '/r1', experiment: 'rps', settings: a, events: [], summary: summary({ best: { epoch: 2, val_accuracy: 0.9, val_loss: 0.3 }, final: { loss: 0.2, accuracy: 0.95, val_accuracy: 0.88 } }) },
    { runId: 'r2', runDir: '/r2', experiment: 'rps', settings: b, events: [], summary: null },
  ];
  const table = compareRuns(runs);
  assert.deepEqual(table.keys, ['model.freeze', 'training.phases[1].learningRate']);
  assert.deepEqual(table.rows[0], {
    runId: 'r1', experiment: 'rps', status: 'completed', values: { 'model.freeze': 'all', 'training.phases[1].learningRate': '—' },
    bestValAccuracy: 0.9, finalValAccuracy: 0.88, finalLoss: 0.2, testAccuracy: null, seconds: 12,
  });
  assert.equal(table.rows[1]!.status, 'unknown');
  assert.equal(table.rows[1]!.bestValAccuracy, null);
});
