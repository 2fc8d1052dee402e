import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerInfo } from '../../src/shared/model';
import { buildTree, filterRows, formatShape, headRows } from '../../webview/logic/layerTree';
import { normalizeFreeze, planPanelEdit, flattenLayers, type FreezeSettings } from '../../src/shared/panelFreeze';

const layer = (name: string, className: string, outputShape: (number | null)[], params: number, nonTrainableParams = 0): LayerInfo => ({
  name,
  className,
  outputShape,
  params,
  nonTrainableParams,
  isBatchNorm: className === 'BatchNormalization',
  inbound: [],
});

// A miniature MobileNet-like base: conv, bn, relu twice, then a classifier that the cut drops.
const LAYERS: LayerInfo[] = [
  layer('input_1', 'InputLayer', [null, 8, 8, 3], 0),
  layer('conv1', 'Conv2D', [null, 4, 4, 4], 108),
  layer('conv1_bn', 'BatchNormalization', [null, 4, 4, 4], 16, 8),
  layer('conv1_relu', 'Activation', [null, 4, 4, 4], 0),
  layer('conv2', 'Conv2D', [null, 2, 2, 8], 32),
  layer('conv2_bn', 'BatchNormalization', [null, 2, 2, 8], 32, 16),
  layer('conv2_relu', 'Activation', [null, 2, 2, 8], 0),
  layer('pool', 'GlobalAveragePooling2D', [null, 8], 0),
  layer('predictions', 'Dense', [null, 10], 90),
];
const NAMES = LAYERS.map((l) => l.name);
const HEAD = { pooling: 'avg' as const, hidden: [], dropout: 0 };

test('rows carry the freeze plan states, BatchNorm in inference mode, cut layers and the head', () => {
  const settings: FreezeSettings = { cutAt: 'conv2_relu', freeze: { upTo: 'conv1_relu' }, phases: [{}] };
  const tree = buildTree({ layers: LAYERS, settings, head: HEAD, classes: 3, phase: null });
  assert.deepEqual(
    tree.rows.map((r) => `${r.name}:${r.state}`),
    ['input_1:frozen', 'conv1:frozen', 'conv1_bn:bn-inference', 'conv1_relu:frozen', 'conv2:trainable', 'conv2_bn:trainable', 'conv2_relu:trainable', 'pool:cut', 'predictions:cut', 'head_avg_pool:head', 'head_classifier:head'],
  );
  // Head: 8 features -> 3 classes = 8*3+3 = 27. Trainable: conv2 32 + conv2_bn 32-16 + head 27.
  // Frozen: conv1 108 + conv1_bn 16 + conv2_bn's 16 moving statistics. Cut: predictions 90.
  assert.deepEqual(tree.totals, { trainable: 32 + 16 + 27, frozen: 108 + 16 + 16, cut: 90, head: 27 });
  assert.equal(tree.rows.find((r) => r.name === 'head_classifier')!.shape, '[?, 3]');
});

test('totals follow a toggle: freezing conv2 moves its parameters from trainable to frozen', () => {
  const before = buildTree({ layers: LAYERS, settings: { cutAt: 'conv2_relu', freeze: 'none', phases: [{}] }, head: HEAD, classes: 3, phase: null });
  const change = planPanelEdit(NAMES, { cutAt: 'conv2_relu', freeze: 'none', phases: [{}] }, { kind: 'set-frozen', phase: null, layer: 'conv2', frozen: true });
  assert.deepEqual(change, [{ path: ['model', 'freeze'], value: { layers: ['conv2'] } }]);
  const after = buildTree({ layers: LAYERS, settings: { cutAt: 'conv2_relu', freeze: { layers: ['conv2'] }, phases: [{}] }, head: HEAD, classes: 3, phase: null });
  assert.equal(before.totals.trainable - after.totals.trainable, 32);
  assert.equal(after.totals.frozen - before.totals.frozen, 32);
});

test('per-phase columns show which layers each phase trains', () => {
  const settings: FreezeSettings = { cutAt: 'conv2_relu', freeze: 'all', phases: [{}, { unfreezeFrom: 'conv2' }] };
  const tree = buildTree({ layers: LAYERS, settings, head: HEAD, classes: 3, phase: 1 });
  const trains = (name: string) => tree.rows.find((r) => r.name === name)!.phaseTrains;
  assert.deepEqual(trains('conv1'), [false, false]);
  assert.deepEqual(trains('conv2'), [false, true]);
  assert.deepEqual(trains('conv2_bn'), [false, true]);
  assert.deepEqual(trains('head_classifier'), [true, true]);
  assert.equal(tree.rows.find((r) => r.name === 'conv2')!.state, 'trainable');
});

test('head with hidden layers, dropout and flatten pooling counts its parameters', () => {
  const rows = headRows([null, 2, 2, 8], { pooling: 'flatten', hidden: [4], dropout: 0.5 }, 3);
  assert.deepEqual(rows.map((r) => [r.className, r.params]), [['Flatten', 0], ['Dropout', 0], ['Dense', 32 * 4 + 4], ['Dropout', 0], ['Dense', 4 * 3 + 3]]);
  assert.equal(headRows([null, 7, 7, 256], HEAD, null).at(-1)!.shape, '[?, ?]');
});

test('nested models are expanded after their container, share its state and are not counted twice', () => {
  const nested: LayerInfo[] = [
    layer('input', 'InputLayer', [null, 8, 8, 3], 0),
    { ...layer('backbone', 'Functional', [null, 2, 2, 8], 156, 8), children: LAYERS.slice(1, 4).concat([layer('conv2b', 'Conv2D', [null, 2, 2, 8], 32)]) },
    layer('extra', 'Conv2D', [null, 2, 2, 8], 72),
  ];
  const flat = flattenLayers(nested);
  assert.deepEqual(flat.map((f) => [f.info.name, f.depth, f.top, f.isGroup]), [
    ['input', 0, 0, false], ['backbone', 0, 1, true], ['conv1', 1, 1, false], ['conv1_bn', 1, 1, false], ['conv1_relu', 1, 1, false], ['conv2b', 1, 1, false], ['extra', 0, 2, false],
  ]);
  const tree = buildTree({ layers: nested, settings: { cutAt: 'extra', freeze: { upTo: 'backbone' }, phases: [{}] }, head: HEAD, classes: 2, phase: null });
  assert.deepEqual(tree.rows.slice(0, 7).map((r) => `${r.name}:${r.state}:${r.toggleable}`), [
    'input:frozen:true', 'backbone:frozen:true', 'conv1:frozen:false', 'conv1_bn:bn-inference:false', 'conv1_relu:frozen:false', 'conv2b:frozen:false', 'extra:trainable:true',
  ]);
  assert.deepEqual(tree.totals, { trainable: 72 + 8 * 2 + 2, frozen: 156, cut: 0, head: 18 });
});

test('filter matches names and types, case-insensitively', () => {
  const tree = buildTree({ layers: LAYERS, settings: { cutAt: 'conv2_relu', freeze: 'all', phases: [{}] }, head: HEAD, classes: 3, phase: null });
  assert.deepEqual(filterRows(tree.rows, 'BN').map((i) => tree.rows[i]!.name), ['conv1_bn', 'conv2_bn']);
  assert.deepEqual(filterRows(tree.rows, 'batchnorm').length, 2);
  assert.equal(filterRows(tree.rows, '  ').length, tree.rows.length);
});

test('formatShape writes unknown dimensions as ? and multi-output shapes side by side', () => {
  assert.equal(formatShape([null, 7, 7, 256]), '[?, 7, 7, 256]');
  assert.equal(formatShape([[null, 2], [null, 3]]), '[?, 2] [?, 3]');
});

test('normalizeFreeze picks the shortest spec and ignores layers after the cut', () => {
  assert.equal(normalizeFreeze(NAMES, 6, [true, true, true, true, true, true, true, false, false]), 'all');
  assert.equal(normalizeFreeze(NAMES, 6, [false, false, false, false, false, false, false, true, true]), 'none');
  assert.deepEqual(normalizeFreeze(NAMES, 6, [true, true, true, false, false, false, false]), { upTo: 'conv1_bn' });
  assert.deepEqual(normalizeFreeze(NAMES, 6, [true, false, true, false, false, false, false]), { layers: ['input_1', 'conv1_bn'] });
});

test('phase edits keep the unfreezeFrom form when it says the plan, and write the phase freeze otherwise', () => {
  const settings: FreezeSettings = { cutAt: 'conv2_relu', freeze: 'all', phases: [{}, { unfreezeFrom: 'conv2' }] };
  assert.deepEqual(planPanelEdit(NAMES, settings, { kind: 'freeze-up-to', phase: 1, layer: 'conv1' }), [
    { path: ['training', 'phases', 1, 'freeze'], value: undefined },
    { path: ['training', 'phases', 1, 'unfreezeFrom'], value: 'conv1_bn' },
  ]);
  assert.deepEqual(planPanelEdit(NAMES, settings, { kind: 'set-frozen', phase: 1, layer: 'conv2_bn', frozen: true }), [
    { path: ['training', 'phases', 1, 'unfreezeFrom'], value: undefined },
    { path: ['training', 'phases', 1, 'freeze'], value: { layers: ['input_1', 'conv1', 'conv1_bn', 'conv1_relu', 'conv2_bn'] } },
  ]);
  // Freezing everything again in phase 1 is model.freeze alone: both overrides go.
  assert.deepEqual(planPanelEdit(NAMES, settings, { kind: 'freeze-up-to', phase: 1, layer: 'conv2_relu' }), [
    { path: ['training', 'phases', 1, 'freeze'], value: undefined },
    { path: ['training', 'phases', 1, 'unfreezeFrom'], value: undefined },
  ]);
  assert.deepEqual(planPanelEdit(NAMES, settings, { kind: 'cut-at', layer: 'conv1_relu' }), [{ path: ['model', 'cutAt'], value: 'conv1_relu' }]);
  assert.throws(() => planPanelEdit(NAMES, settings, { kind: 'cut-at', layer: 'conv9' }), /no layer named "conv9"/);
  assert.throws(() => planPanelEdit(NAMES, settings, { kind: 'freeze-up-to', phase: 5, layer: 'conv1' }), /training\.phases\[5\] does not exist/);
});
