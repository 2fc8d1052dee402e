import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldPath, layerRefs, parseForEditor, refAt, unknownLayerProblems } from '../../src/extension/codelens/layerRefs';
import { renderTemplate } from '../../src/core/templates/index';

test('field paths split into keys and indices', () => {
  assert.deepEqual(fieldPath('model.cutAt'), ['model', 'cutAt']);
  assert.deepEqual(fieldPath('training.phases[1].freeze.layers[0]'), ['training', 'phases', 1, 'freeze', 'layers', 0]);
});

test('layer names are found at their string positions; unknown ones get suggestions', () => {
  const text = renderTemplate('image-fine-tune', { name: 'ft' }).replace('"conv_dw_13"', '"conv_dw_31"');
  const parsed = parseForEditor(text, 'ft.experiment.json');
  assert.ok(parsed.experiment);
  const refs = layerRefs(text, parsed.experiment);
  assert.deepEqual(refs.map((r) => [r.field, r.layer]), [['model.cutAt', 'conv_pw_13_relu'], ['training.phases[1].unfreezeFrom', 'conv_dw_31']]);
  for (const r of refs) assert.equal(text.slice(r.offset, r.offset + r.length), JSON.stringify(r.layer));
  const layers = ['input_1', 'conv_dw_13', 'conv_dw_13_bn', 'conv_dw_13_relu', 'conv_pw_13', 'conv_pw_13_relu'];
  const problems = unknownLayerProblems(refs, layers, 'mobilenet_v1_0.25_224');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.message, 'training.phases[1].unfreezeFrom: no layer named "conv_dw_31" in mobilenet_v1_0.25_224 (did you mean "conv_dw_13", "conv_pw_13", "conv_dw_13_bn"?)');
  assert.deepEqual(problems[0]!.suggestions, ['conv_dw_13', 'conv_pw_13', 'conv_dw_13_bn']);
  assert.equal(problems[0]!.offset, refs[1]!.offset);
  assert.equal(refAt(refs, refs[0]!.offset + 3)?.layer, 'conv_pw_13_relu');
  assert.equal(refAt(refs, 0), undefined);
});

test('freeze layer lists are found too', () => {
  const text = JSON.stringify({ name: 'x', model: { base: 'm', cutAt: 'c', freeze: { layers: ['a', 'b'] } }, data: { type: 'mnist' }, training: { phases: [{ name: 'h', epochs: 1, learningRate: 0.1, freeze: { upTo: 'a' } }] } }, null, 2);
  const p = parseForEditor(text, 'x');
  assert.ok(p.experiment);
  assert.deepEqual(layerRefs(text, p.experiment).map((r) => r.field), ['model.cutAt', 'model.freeze.layers[0]', 'model.freeze.layers[1]', 'training.phases[0].freeze.upTo']);
});

test('schema errors come back as positioned issues', () => {
  const text = '{\n  "name": "x",\n  "model": { "base": "m", "cutAt": "c" },\n  "data": { "type": "mnist" },\n  "training": { "phases": [] }\n}';
  const p = parseForEditor(text, 'x.experiment.json');
  assert.equal(p.experiment, null);
  assert.equal(p.issues.length, 1);
  assert.equal(p.issues[0]!.path, 'training.phases');
  assert.equal(p.issues[0]!.line, 5);
});
