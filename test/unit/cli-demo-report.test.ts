import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { curveRows, formatDemoReport } from '../../src/cli/demoReport';
import { DEMO_FILES, demoDir } from '../../src/cli/demoFiles';
import { parseExperiment } from '../../src/core/experiment/load';
import { baselineResult, epoch, summary } from './cli-fixtures';

const examples = path.resolve(import.meta.dirname, '../../examples/mnist-transfer');

test('curve rows pair the transfer and baseline epochs', () => {
  const rows = curveRows([epoch({ epoch: 1 }), epoch({ epoch: 2 }), epoch({ model: 'baseline', epoch: 1, accuracy: 0.5 })]);
  assert.deepEqual(rows.map((r) => [r.epoch, r.transfer?.accuracy, r.baseline?.accuracy]), [
    [1, 0.96, 0.5],
    [2, 0.96, undefined],
  ]);
});

test('the demo report shows the curves, both test accuracies and the gain', () => {
  const source = summary({ experiment: 'mnist-source', classes: ['0', '1', '2', '3', '4'], counts: { train: 5000, validation: 500, test: 2500 }, durationSeconds: 40 });
  const target = summary({ baseline: baselineResult, transferGain: 0.948 - 0.79, negativeTransfer: false });
  const text = formatDemoReport({
    source,
    target,
    epochs: [epoch({ epoch: 1, epochs: 2 }), epoch({ model: 'baseline', epoch: 1, epochs: 2, loss: 2, accuracy: 0.3, val_accuracy: 0.25 })],
    sourceRunDir: '/d/runs/mnist-source/1',
    targetRunDir: '/d/runs/mnist-transfer/2',
  });
  const lines = text.split('\n');
  assert.ok(lines[0]!.startsWith('Source model (mnist-source): digits 0, 1, 2, 3, 4, 5,000 training images, test accuracy 0.9480 after 10 epochs (40s)'), lines[0]);
  assert.ok(lines.includes('Learning curves on digits 5, 6, 7, 8, 9 with 250 labelled training images:'));
  assert.ok(lines.includes('    1 | 0.1235  0.9600  0.9412 | 2.0000  0.3000  0.2500'), text);
  assert.match(text, /transfer \(frozen features learned on digits 0, 1, 2, 3, 4\) +0\.9480/);
  assert.match(text, /baseline \(the same network from random weights\) +0\.7900/);
  assert.match(text, /transfer gain \+0\.1580, 5\.2% errors against 21\.0% \(the features learned on the other digits transfer\)/);
  assert.ok(lines.includes('epoch |       transfer         |baseline (from scratch)'), text);
  assert.match(text, /Runs saved in \/d\/runs\/mnist-source\/1\n +and \/d\/runs\/mnist-transfer\/2$/);
});

test('the committed demo experiments are valid and keep the comparison fair', () => {
  const read = (f: string) => parseExperiment(readFileSync(path.join(examples, f), 'utf8'), f);
  const source = read('mnist-source.experiment.json');
  const target = read('mnist-transfer.experiment.json');
  assert.equal(source.name, 'mnist-source');
  assert.equal(target.model.base, `run:${source.name}`);
  assert.equal(target.baseline.fromScratch, true);
  assert.equal(target.model.freeze, 'all');
  assert.ok(source.data.type === 'mnist' && target.data.type === 'mnist');
  if (source.data.type === 'mnist' && target.data.type === 'mnist') {
    // The target digits are new to the source model: nothing about them leaks through the base.
    assert.deepEqual(source.data.digits.filter((d) => target.data.type === 'mnist' && target.data.digits.includes(d)), []);
    assert.equal(target.data.trainPerClass, 20);
  }
});

test('the demo works in examples/ inside the project, else in ./transfer-lab-demo, or where --dir says', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  assert.equal(demoDir(repo), examples);
  assert.equal(demoDir(examples), path.join(examples, 'transfer-lab-demo'));
  assert.equal(demoDir(repo, 'out/demo'), path.join(repo, 'out/demo'));
  // The bundled copies are the committed files.
  assert.deepEqual(DEMO_FILES.source.content, JSON.parse(readFileSync(path.join(examples, DEMO_FILES.source.file), 'utf8')));
  assert.deepEqual(DEMO_FILES.target.content, JSON.parse(readFileSync(path.join(examples, DEMO_FILES.target.file), 'utf8')));
});
