import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewEdit } from '../../webview/logic/preview';
import type { PanelExperiment } from '../../src/shared/panelProtocol';

const NAMES = ['input', 'conv1', 'conv1_bn', 'conv2', 'conv2_bn', 'pool'];
const EXP: PanelExperiment = {
  name: 'x', base: 'b', cutAt: 'conv2_bn', freeze: 'all', head: { pooling: 'avg', hidden: [], dropout: 0 },
  phases: [{ name: 'head', epochs: 1, learningRate: 1e-3 }, { name: 'ft', epochs: 1, learningRate: 1e-4, unfreezeFrom: 'conv2' }],
  batchSize: 8, optimizer: 'adam', baseline: false, classes: ['a', 'b'],
};

test('the webview previews an edit on its copy without touching the original', () => {
  const a = previewEdit(EXP, NAMES, { kind: 'set-frozen', phase: null, layer: 'conv2', frozen: false });
  assert.deepEqual(a.freeze, { layers: ['input', 'conv1', 'conv1_bn', 'conv2_bn'] });
  assert.equal(EXP.freeze, 'all');
  const b = previewEdit(EXP, NAMES, { kind: 'freeze-up-to', phase: 1, layer: 'conv1' });
  assert.equal(b.phases[1]!.unfreezeFrom, 'conv1_bn');
  assert.equal(EXP.phases[1]!.unfreezeFrom, 'conv2');
  const c = previewEdit(EXP, NAMES, { kind: 'set-frozen', phase: 1, layer: 'conv1', frozen: false });
  assert.deepEqual(c.phases[1], { name: 'ft', epochs: 1, learningRate: 1e-4, freeze: { layers: ['input', 'conv1_bn'] } });
  assert.equal(previewEdit(EXP, NAMES, { kind: 'cut-at', layer: 'conv1_bn' }).cutAt, 'conv1_bn');
});
