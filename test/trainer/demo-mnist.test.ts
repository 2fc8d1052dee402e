// The self-contained demo end to end (about a minute on 2 cores): the source model learns digits
// 0-4, and its frozen features beat training from scratch on digits 5-9 with 20 labels per digit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunSummary } from '../../src/shared/events';
import { repoRoot, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace('tl-demo-');
after(() => ws.dispose());

before(() => {
  const b = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

function onlyRun(runsDir: string, experiment: string): { dir: string; summary: RunSummary } {
  const ids = readdirSync(path.join(runsDir, experiment));
  assert.equal(ids.length, 1, `${experiment}: ${ids.join(', ')}`);
  const dir = path.join(runsDir, experiment, ids[0]!);
  return { dir, summary: JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary };
}

test('demo: transfer from digits 0-4 beats training from scratch on digits 5-9', () => {
  const dir = path.join(ws.dir, 'demo');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'demo', '--dir', dir], { cwd: ws.dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);

  // It wrote the committed example files and left both runs on disk.
  for (const f of ['mnist-source.experiment.json', 'mnist-transfer.experiment.json']) {
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), JSON.parse(readFileSync(path.join(repoRoot, 'examples/mnist-transfer', f), 'utf8')));
  }
  const source = onlyRun(path.join(dir, 'runs'), 'mnist-source');
  const target = onlyRun(path.join(dir, 'runs'), 'mnist-transfer');
  assert.equal(source.summary.status, 'completed');
  assert.deepEqual(source.summary.classes, ['0', '1', '2', '3', '4']);
  assert.ok(source.summary.transfer.test!.accuracy >= 0.95, `source test accuracy ${source.summary.transfer.test!.accuracy}`);

  const t = target.summary;
  assert.equal(t.status, 'completed');
  assert.deepEqual(t.classes, ['5', '6', '7', '8', '9']);
  assert.equal(t.counts.train, 100);
  // Same labels, same epochs for both models.
  assert.equal(t.baseline!.epochsRun, t.transfer.epochsRun);
  const transfer = t.transfer.test!.accuracy;
  const baseline = t.baseline!.test!.accuracy;
  assert.ok(transfer >= 0.9, `transfer test accuracy ${transfer}`);
  assert.ok(transfer - baseline >= 0.03, `transfer ${transfer} vs baseline ${baseline}`);
  assert.equal(t.transferGain, transfer - baseline);
  assert.equal(t.negativeTransfer, false);

  // The printed report carries the same numbers.
  assert.match(r.stdout, /Learning curves on digits 5, 6, 7, 8, 9 with 100 labelled training images:/);
  assert.equal(r.stdout.match(/^ {3}\s*\d+ \| [\d.]+ +[\d.]+ +[\d.]+ \| [\d.]+ +[\d.]+ +[\d.]+$/gm)?.length, t.transfer.epochsRun, r.stdout);
  assert.ok(r.stdout.includes(`transfer (frozen features learned on digits 0, 1, 2, 3, 4)  ${transfer.toFixed(4)}`), r.stdout);
  assert.ok(r.stdout.includes(`transfer gain +${(transfer - baseline).toFixed(4)}`), r.stdout);
  assert.ok(r.stdout.includes(`Runs saved in ${source.dir}`));
});
