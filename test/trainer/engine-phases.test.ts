// Phases rebuild the trainable set: a fine-tune phase trains the unfrozen top block (BatchNorm
// there in training mode) while everything below stays bit-identical. And a pre-trained model
// that is worse than training from scratch is flagged as negative transfer, not hidden.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runExperiment } from '../../src/core/run/runExperiment';
import { loadBaseModel } from '../../src/core/model';
import type { RunEvent } from '../../src/shared/events';
import { mobilenet025, rpsExperiment, smallRps as smallRpsIn, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace();
after(() => ws.dispose());

const smallRps = (perClass: number) => smallRpsIn(ws.dir, perClass);

test('head phase then fine-tune: only the unfrozen block and the head change', async () => {
  const e = rpsExperiment({ name: 'finetune', data: smallRps(20) });
  e.training.phases = [
    { name: 'head', epochs: 1, learningRate: 0.003 },
    { name: 'fine-tune', epochs: 1, learningRate: 0.0005, unfreezeFrom: 'conv_dw_13' } as (typeof e.training.phases)[number],
  ];
  const events: RunEvent[] = [];
  const summary = await runExperiment(ws.write('finetune', e), { onEvent: (ev) => events.push(ev) });
  assert.equal(summary.status, 'completed', summary.error);
  const phases = events.filter((ev) => ev.kind === 'phase-start').map((ev) => ev.kind === 'phase-start' && ev.phase);
  assert.deepEqual(phases.map((p) => p && p.trainableLayers), [[], ['conv_dw_13', 'conv_dw_13_bn', 'conv_dw_13_relu', 'conv_pw_13', 'conv_pw_13_bn', 'conv_pw_13_relu']]);
  assert.deepEqual(phases.map((p) => p && p.cacheBoundary), ['conv_pw_13_relu', 'conv_pw_12_relu']);

  const before = (await loadBaseModel(mobilenet025, { baseDir: ws.dir })).model;
  const after = (await loadBaseModel(path.join(ws.dir, 'runs/finetune', summary.runId, 'model/model.json'), { baseDir: ws.dir })).model;
  const same = (name: string) => before.getLayer(name).getWeights().every((w, i) => {
    const a = w.dataSync();
    const b = after.getLayer(name).getWeights()[i]!.dataSync();
    return a.length === b.length && a.every((v, j) => v === b[j]);
  });
  for (const l of before.layers) {
    if (l.name === 'conv_dw_13') break;
    if (l.getWeights().length) assert.ok(same(l.name), `${l.name} changed`);
  }
  assert.ok(!same('conv_dw_13'), 'conv_dw_13 trained');
  assert.ok(!same('conv_pw_13'), 'conv_pw_13 trained');
  // A trainable BatchNorm runs in training mode: its moving statistics move.
  const bn = (m: typeof before) => m.getLayer('conv_pw_13_bn').getWeights().at(-2)!.dataSync();
  assert.ok(bn(after).some((v, i) => v !== bn(before)[i]), 'moving mean of a trainable BatchNorm updated');
  before.dispose();
  after.dispose();
});

test('a frozen random base loses to training from scratch and is flagged as negative transfer', async () => {
  const file = ws.write('negative', {
    name: 'negative',
    seed: 3,
    model: { base: 'builtin:mnist-cnn', cutAt: 'fc1', freeze: 'all', head: { pooling: 'flatten' } },
    data: { type: 'mnist', digits: [0, 1, 2, 3, 4], trainPerClass: 100, validationPerClass: 30, testPerClass: 100 },
    training: { batchSize: 25, phases: [{ name: 'head', epochs: 4, learningRate: 0.003 }] },
    baseline: { fromScratch: true },
  });
  const warnings: string[] = [];
  const s = await runExperiment(file, { onEvent: (ev) => ev.kind === 'warning' && warnings.push(ev.message) });
  assert.equal(s.status, 'completed', s.error);
  const t = s.transfer.test!.accuracy;
  const b = s.baseline!.test!.accuracy;
  assert.ok(b > 0.8, `baseline ${b}`);
  assert.equal(s.transferGain, t - b);
  assert.equal(s.negativeTransfer, true, `transfer ${t} vs baseline ${b}`);
  assert.ok(warnings.some((w) => w.startsWith('negative transfer:')), warnings.join('\n'));
});
