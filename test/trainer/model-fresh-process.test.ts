import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { mobilenet025, repoRoot } from '../helpers/experiments';

test('a fresh process inspects a model without selecting a backend first', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/fixtures/inspect-fresh.mts'), mobilenet025], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { layers: 88, totalParams: 475544 });
});
