// The feature cache's disk format: entries persist across opens, a crash's torn index is
// ignored, the size bound drops the least recently used namespaces, locks keep writers apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FeatureCache, namespaceId } from '../../src/core/cache';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-cache-'));
const parts = (modelHash: string, shape = [2, 2, 3]) => ({ shape, boundary: 'conv1', modelHash, preprocess: 'unit', imageShape: [8, 8, 3] });
const values = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i * 0.5);

test('entries written by one open are read back by the next, bit for bit', () => {
  const dir = tmp();
  const a = new FeatureCache({ dir });
  const pack = a.openPack(parts('m1'))!;
  assert.equal(pack.entrySize, 12);
  assert.deepEqual(pack.append(['k0', 'k1'], values(24, 1)), [0, 1]);
  assert.deepEqual(pack.append(['k2'], values(12, -7)), [2]);
  a.close();

  const b = new FeatureCache({ dir });
  const again = b.openPack(parts('m1'))!;
  assert.equal(again.entries, 3);
  const out = new Float32Array(12);
  again.read(again.slotOf('k1')!, out, 0);
  assert.deepEqual(out, values(24, 1).subarray(12, 24));
  again.read(again.slotOf('k2')!, out, 0);
  assert.deepEqual(out, values(12, -7));
  assert.equal(again.slotOf('k3'), undefined);
  b.close();
});

test('an index line whose bytes never reached the disk is ignored, and its slot is reused', () => {
  const dir = tmp();
  const c = new FeatureCache({ dir });
  const pack = c.openPack(parts('m1'))!;
  pack.append(['k0'], values(12, 0));
  c.close();
  // A crash between writing the index line and the data (or a truncated data file).
  fs.appendFileSync(path.join(pack.dir, 'index.tsv'), '1\tghost\n5\tgarbage\nnot a line\n');
  const d = new FeatureCache({ dir });
  const p2 = d.openPack(parts('m1'))!;
  assert.equal(p2.entries, 1);
  assert.equal(p2.has('ghost'), false);
  assert.deepEqual(p2.append(['k1'], values(12, 100)), [1]);
  const out = new Float32Array(12);
  p2.read(1, out, 0);
  assert.deepEqual(out, values(12, 100));
  d.close();
});

test('a namespace whose meta does not match (corrupt or other shape) is wiped, not misread', () => {
  const dir = tmp();
  const c = new FeatureCache({ dir });
  const pack = c.openPack(parts('m1'))!;
  pack.append(['k0'], values(12, 0));
  c.close();
  fs.writeFileSync(path.join(pack.dir, 'meta.json'), '{"format": 1, "shape": [4');
  const d = new FeatureCache({ dir });
  const p2 = d.openPack(parts('m1'))!;
  assert.equal(p2.entries, 0);
  assert.equal(fs.statSync(path.join(p2.dir, 'features.f32')).size, 0);
  d.close();
});

test('the namespace id changes with the model hash, boundary, preprocessing, image size and shape', () => {
  const base = parts('m1');
  const ids = new Set([
    namespaceId(base),
    namespaceId({ ...base, modelHash: 'm2' }),
    namespaceId({ ...base, boundary: 'conv2' }),
    namespaceId({ ...base, preprocess: 'mobilenet' }),
    namespaceId({ ...base, imageShape: [16, 16, 3] }),
    namespaceId({ ...base, shape: [2, 2, 4] }),
  ]);
  assert.equal(ids.size, 6);
  assert.equal(namespaceId(parts('m1')), namespaceId(base));
});

test('the size bound evicts the least recently used namespaces first, never an open one', () => {
  const dir = tmp();
  const entryBytes = 12 * 4;
  const fill = (hash: string, when: number) => {
    const c = new FeatureCache({ dir });
    const p = c.openPack(parts(hash))!;
    p.append(['a', 'b', 'c', 'd'], values(48, 0));
    c.close();
    fs.utimesSync(path.join(p.dir, 'meta.json'), when / 1000, when / 1000);
    return path.basename(p.dir);
  };
  const t = Date.now();
  const old = fill('old', t - 30_000);
  const mid = fill('mid', t - 20_000);
  const recent = fill('recent', t - 10_000);
  const one = new FeatureCache({ dir }).listPacks().find((p) => p.dir.endsWith(old))!.bytes;
  assert.ok(one > 4 * entryBytes, `a namespace holds its data and index (${one} bytes)`);

  // Room for the three, a fourth being written, and 4 more entries: exactly one must go.
  const cache = new FeatureCache({ dir, maxBytes: 4 * one + 4 * entryBytes });
  const current = cache.openPack(parts('current'))!;
  current.append(['a', 'b', 'c', 'd'], values(48, 0));
  assert.equal(cache.reserve(4 * entryBytes), true);
  assert.deepEqual(cache.evicted, [old]);
  const left = fs.readdirSync(dir).sort();
  assert.deepEqual(left, [mid, recent, path.basename(current.dir)].sort());

  // More than the bound even with everything else gone: refused, and the open namespace stays.
  assert.equal(cache.reserve(10 * one), false);
  assert.ok(fs.existsSync(current.dir));
  assert.equal(cache.reserve(3 * one), true);
  assert.deepEqual(cache.evicted, [old, mid, recent]);
  assert.deepEqual(fs.readdirSync(dir), [path.basename(current.dir)]);
  cache.close();
});

test('a namespace locked by another live process is not opened (the run computes in memory)', () => {
  const dir = tmp();
  const c = new FeatureCache({ dir });
  const p = c.openPack(parts('m1'))!;
  c.close();
  fs.writeFileSync(path.join(p.dir, 'lock'), String(process.ppid));
  assert.equal(new FeatureCache({ dir }).openPack(parts('m1')), null);
  // A lock left by a process that no longer exists is taken over.
  fs.writeFileSync(path.join(p.dir, 'lock'), '2147483646');
  const d = new FeatureCache({ dir });
  assert.ok(d.openPack(parts('m1')));
  assert.equal(fs.readFileSync(path.join(p.dir, 'lock'), 'utf8'), String(process.pid));
  d.close();
  assert.equal(fs.existsSync(path.join(p.dir, 'lock')), false);
});
