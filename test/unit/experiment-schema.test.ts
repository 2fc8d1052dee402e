import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExperiment, ExperimentFileError } from '../../src/core/experiment/load';
import { experimentJsonSchema } from '../../src/core/experiment/schema';

const valid = {
  name: 'rps-mobilenet',
  model: { base: 'mobilenet_v1_0.25_224', cutAt: 'conv_pw_13_relu' },
  data: { type: 'imageFolder', path: 'data/rps' },
  training: { phases: [{ name: 'head', epochs: 5, learningRate: 0.001 }] },
};

function issuesOf(text: string) {
  try {
    parseExperiment(text, '/ws/x.experiment.json');
  } catch (err) {
    assert.ok(err instanceof ExperimentFileError);
    return err;
  }
  assert.fail('expected an ExperimentFileError');
}

test('a minimal experiment gets its defaults', () => {
  const e = parseExperiment(JSON.stringify(valid), 'x.experiment.json');
  assert.equal(e.seed, 42);
  assert.equal(e.model.freeze, 'all');
  assert.deepEqual(e.model.head, { pooling: 'avg', hidden: [], dropout: 0 });
  assert.equal(e.data.type, 'imageFolder');
  if (e.data.type === 'imageFolder') {
    assert.deepEqual(e.data.imageSize, [224, 224]);
    assert.deepEqual(e.data.split, { validation: 0.15, test: 0.15 });
  }
  assert.equal(e.training.batchSize, 32);
  assert.equal(e.baseline.fromScratch, false);
});

test('every freeze form is accepted, and a wrong one is rejected', () => {
  for (const freeze of ['all', 'none', { upTo: 'conv_pw_5_relu' }, { layers: ['conv1', 'conv1_bn'] }]) {
    const e = parseExperiment(JSON.stringify({ ...valid, model: { ...valid.model, freeze } }), 'f.json');
    assert.deepEqual(e.model.freeze, freeze);
  }
  const err = issuesOf(JSON.stringify({ ...valid, model: { ...valid.model, freeze: { upto: 'x' } } }, null, 2));
  assert.equal(err.issues[0]!.path, 'model.freeze');
});

test('schema errors name the file, the line and column, and the JSON path', () => {
  const text = JSON.stringify({ ...valid, training: { phases: [{ name: 'head', epochs: -1, learningRate: 0.001 }] } }, null, 2);
  const err = issuesOf(text);
  const issue = err.issues.find((i) => i.path === 'training.phases[0].epochs');
  assert.ok(issue, err.message);
  const lines = text.split('\n');
  assert.match(lines[issue.line - 1]!, /"epochs": -1/);
  assert.equal(lines[issue.line - 1]!.indexOf('"epochs"') + 1, issue.column);
  assert.match(err.message, /^\/ws\/x\.experiment\.json:\d+:\d+: training\.phases\[0\]\.epochs: /);
});

test('a missing required key is reported on its parent object', () => {
  const { training: _t, ...noTraining } = valid;
  const err = issuesOf(JSON.stringify(noTraining, null, 2));
  assert.equal(err.issues[0]!.path, 'training');
  assert.equal(err.issues[0]!.line, 1);
});

test('broken JSON is reported with its position', () => {
  const err = issuesOf('{\n  "name": "x",\n  "model": {\n}');
  assert.match(err.issues[0]!.message, /invalid JSON/);
  assert.equal(err.issues[0]!.line, 4);
});

test('the committed JSON Schema is the generated one', () => {
  const committed = JSON.parse(readFileSync(new URL('../../schemas/experiment.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(committed, experimentJsonSchema());
  assert.deepEqual((committed as { required: string[] }).required, ['name', 'model', 'data', 'training']);
});
