// The built `transfer-lab` command, spawned as a user would run it: real models, real data,
// real exit codes and output streams.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseExperiment } from '../../src/core/experiment/load';
import { mobilenet025, repoRoot, tempWorkspace } from '../helpers/experiments';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const ws = tempWorkspace('tl-cli-');
after(() => ws.dispose());

before(() => {
  // The tests run the bundle, so build it from the current sources first.
  const b = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

function cliSync(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: ws.dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A tiny MNIST experiment (digits 0 and 1) on the built-in CNN, with a from-scratch baseline. */
function tinyMnist(name: string, epochs = 2) {
  return {
    name,
    seed: 3,
    backend: 'auto',
    model: { base: 'builtin:mnist-cnn', cutAt: 'fc1', freeze: 'none', head: { pooling: 'flatten', hidden: [], dropout: 0 } },
    data: { type: 'mnist', digits: [0, 1], trainPerClass: 100, validationPerClass: 50, testPerClass: 200 },
    training: { batchSize: 20, optimizer: 'adam', phases: [{ name: 'all', epochs, learningRate: 0.002 }] },
    baseline: { fromScratch: true },
  };
}

test('inspect prints the MobileNet layer table with every layer and the parameter total', () => {
  const r = cliSync(['inspect', mobilenet025]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\s*\d+ {2}\S/.test(l));
  assert.equal(rows.length, 88);
  assert.match(rows[0]!, /^\s*1 {2}input_1 +InputLayer +\[null,224,224,3\]/);
  assert.match(r.stdout, /^Total params: 475,544$/m);
  assert.match(r.stdout, /conv_pw_13_relu +Activation +\[null,7,7,256\]/);

  const j = cliSync(['inspect', mobilenet025, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const inspection = JSON.parse(j.stdout);
  assert.equal(inspection.layers.length, 88);
  assert.equal(inspection.totalParams, 475544);
});

test('run on a broken experiment file exits non-zero with one line naming the file and line', () => {
  const file = path.join(ws.dir, 'broken.experiment.json');
  writeFileSync(file, '{\n  "name": "broken",\n  "model": { "base": "builtin:mnist-cnn", "cutAt": "fc1", "freeze": "some" },\n  "data": { "type": "mnist" },\n  "training": { "phases": [] }\n}\n');
  const r = cliSync(['run', file, '--json']);
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`error: ${file}:3:`), lines[0]);
  assert.match(lines[0]!, /model\.freeze: /);
  assert.match(lines[0]!, new RegExp(`; ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: training\\.phases: `));
  // --json still ends stdout with a JSON object saying what happened.
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(last.status, 'failed');
  assert.ok(last.error.includes(`${file}:3:`));

  const missing = cliSync(['run', 'nope.experiment.json']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `error: ${path.join(ws.dir, 'nope.experiment.json')}:1:1: file not found\n`);
});

test('usage errors exit 2', () => {
  const r = cliSync(['run', 'x.json', '--epochs', '3']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "transfer-lab run: Unknown option '--epochs' (see transfer-lab run --help)\n");
  assert.equal(cliSync(['frobnicate']).code, 2);
});

test('new writes a valid file and refuses to overwrite it', () => {
  const r = cliSync(['new', 'mnist-transfer', 'exps', '--name', 'digits']);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(ws.dir, 'exps', 'digits.experiment.json');
  const text = readFileSync(file, 'utf8');
  assert.equal(parseExperiment(text, file).name, 'digits');
  const again = cliSync(['new', 'mnist-transfer', 'exps', '--name', 'digits']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists; not overwriting it/);
  assert.equal(readFileSync(file, 'utf8'), text);
});

test('backends reports the chosen backend', () => {
  const r = cliSync(['backends', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.chosen), report.chosen);
  assert.ok(report.candidates.some((c: { name: string; available: boolean }) => c.name === report.chosen && c.available));
});

test('run --json ends stdout with the result: real accuracies, baseline and gain', () => {
  const file = ws.write('tiny-mnist', tinyMnist('tiny-mnist'));
  const r = cliSync(['run', file, '--json', '--runs-dir', 'out']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(result.status, 'completed');
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(result.backend));
  assert.ok(result.runDir.startsWith(path.join(ws.dir, 'out', 'tiny-mnist') + path.sep), result.runDir);
  assert.deepEqual(result.counts, { train: 200, validation: 100, test: 400 });
  // Zeros and ones are easy: both models must learn them, from random weights too.
  assert.ok(result.metrics.test_accuracy >= 0.95, `transfer test accuracy ${result.metrics.test_accuracy}`);
  assert.ok(result.metrics.val_accuracy >= 0.9, `val accuracy ${result.metrics.val_accuracy}`);
  assert.ok(result.baseline.test_accuracy >= 0.9, `baseline test accuracy ${result.baseline.test_accuracy}`);
  assert.equal(result.transferGain, result.metrics.test_accuracy - result.baseline.test_accuracy);
  assert.equal(result.negativeTransfer, result.transferGain < 0);
  // The printed result is the saved one.
  const saved = JSON.parse(readFileSync(path.join(result.runDir, 'summary.json'), 'utf8'));
  assert.equal(saved.transfer.test.accuracy, result.metrics.test_accuracy);
  assert.ok(existsSync(path.join(result.runDir, 'model', 'model.json')));
  // Not a terminal: one progress line per epoch of each model on stderr.
  assert.equal(r.stderr.match(/^transfer +epoch \d\/2 /gm)?.length, 2, r.stderr);
  assert.equal(r.stderr.match(/^baseline +epoch \d\/2 /gm)?.length, 2, r.stderr);
});

test('Ctrl+C stops after the current batch and saves the partial run', async () => {
  const file = ws.write('stoppable', tinyMnist('stoppable', 50));
  const child = spawn(process.execPath, [cli, 'run', file, '--json'], { cwd: ws.dir });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      // Interrupt once the first epoch is done: the run is surely training by then.
      if (/epoch +1\/50/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopping after the current batch/);
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(result.status, 'stopped');
  assert.ok(result.metrics.epochsRun >= 1 && result.metrics.epochsRun < 50, `epochs run ${result.metrics.epochsRun}`);
  assert.equal(JSON.parse(readFileSync(path.join(result.runDir, 'summary.json'), 'utf8')).status, 'stopped');
});
