import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadToCache } from '../../src/core/model/download';

test('with no network, a download says what still works offline', async (t) => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'tl-offline-'));
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  // How Node's fetch reports a host name that does not resolve.
  t.mock.method(globalThis, 'fetch', async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
  });
  const url = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json';
  await assert.rejects(
    downloadToCache(url, url, cacheDir),
    { message: `could not download ${url}: ENOTFOUND (no network? a model downloaded once is used from the cache offline, or point model.base at a local model.json)` },
  );
  assert.deepEqual(readdirSync(cacheDir), []);
});
