import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES, renderTemplate } from '../../src/core/templates/index';
import { parseExperiment } from '../../src/core/experiment/load';
import { referencedLayers } from '../../src/shared/freezePlan';

test('every template renders to a valid experiment with the given name', () => {
  assert.deepEqual(TEMPLATES.map((t) => t.id), ['image-feature-extraction', 'image-fine-tune', 'mnist-transfer']);
  for (const t of TEMPLATES) {
    const text = renderTemplate(t.id, { name: `my-${t.id}`, dataPath: 'images/rps' });
    assert.ok(text.endsWith('}\n'));
    const e = parseExperiment(text, `${t.id}.experiment.json`);
    assert.equal(e.name, `my-${t.id}`);
    if (e.data.type === 'imageFolder') assert.equal(e.data.path, 'images/rps');
  }
});

test('feature extraction: MobileNet 0.25 cut at conv_pw_13_relu, all frozen, one head phase', () => {
  const e = parseExperiment(renderTemplate('image-feature-extraction', { name: 'fx' }), 'fx');
  assert.equal(e.model.base, 'mobilenet_v1_0.25_224');
  assert.equal(e.model.cutAt, 'conv_pw_13_relu');
  assert.equal(e.model.freeze, 'all');
  assert.equal(e.training.phases.length, 1);
  assert.equal(e.data.type === 'imageFolder' && e.data.path, 'data');
});

test('fine-tune: head phase then conv_dw_13 on at 1e-5', () => {
  const e = parseExperiment(renderTemplate('image-fine-tune', { name: 'ft' }), 'ft');
  assert.equal(e.training.phases.length, 2);
  assert.equal(e.training.phases[1]!.unfreezeFrom, 'conv_dw_13');
  assert.equal(e.training.phases[1]!.learningRate, 1e-5);
  assert.deepEqual(
    referencedLayers(e.model, e.training.phases).map((r) => r.layer),
    ['conv_pw_13_relu', 'conv_dw_13'],
  );
});

test('mnist: digits 5-9 on run:mnist-source with a from-scratch baseline', () => {
  const e = parseExperiment(renderTemplate('mnist-transfer', { name: 'mn', dataPath: 'ignored' }), 'mn');
  assert.equal(e.model.base, 'run:mnist-source');
  assert.equal(e.model.cutAt, 'features');
  assert.equal(e.baseline.fromScratch, true);
  assert.ok(e.data.type === 'mnist');
  assert.deepEqual(e.data.type === 'mnist' && e.data.digits, [5, 6, 7, 8, 9]);
});

test('$schema is written first when a schema URL is given, and only then', () => {
  const withUrl = JSON.parse(renderTemplate('image-feature-extraction', { name: 'a', schemaUrl: './schema.json' }));
  assert.equal(Object.keys(withUrl)[0], '$schema');
  assert.equal(withUrl.$schema, './schema.json');
  assert.equal('$schema' in JSON.parse(renderTemplate('image-feature-extraction', { name: 'a' })), false);
});

test('an unknown template id is a clear error listing the ids', () => {
  assert.throws(() => renderTemplate('resnet', { name: 'a' }), /unknown template "resnet" \(one of: image-feature-extraction, image-fine-tune, mnist-transfer\)/);
});

test('a bad name is rejected by the schema, naming the field', () => {
  assert.throws(() => parseExperiment(renderTemplate('image-feature-extraction', { name: 'bad name' }), 'x.experiment.json'), /name/);
});
