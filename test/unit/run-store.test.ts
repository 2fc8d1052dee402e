import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunWriter } from '../../src/core/run/store';

test('a metrics write that fails is reported by writeSummary, not as an unhandled rejection', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tl-run-store-'));
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const writer = await RunWriter.create(root, 'exp', { name: 'exp' });
    // The run folder goes away under the run (deleted, disk gone): every append fails.
    rmSync(writer.runDir, { recursive: true, force: true });
    writer.record({ kind: 'warning', message: 'one' });
    writer.record({ kind: 'warning', message: 'two' });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
    await assert.rejects(writer.writeSummary({} as never), /ENOENT/);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    rmSync(root, { recursive: true, force: true });
  }
});
