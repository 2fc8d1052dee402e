import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkShardPath, groupBytes, parseModelJson, ModelFileError } from '../../src/core/model/manifest';
import { fsLoadHandler } from '../../src/core/model/fsHandler';

const F = '/models/m/model.json';

test('shard paths must stay inside the model folder', () => {
  assert.equal(checkShardPath('group1-shard1of1', F), 'group1-shard1of1');
  assert.equal(checkShardPath('./sub/w.bin', F), 'sub/w.bin');
  for (const [bad, why] of [
    ['../secret.bin', 'goes up a folder'],
    ['sub/../../x', 'goes up a folder'],
    ['..\\x.bin', 'goes up a folder'],
    ['/etc/passwd', 'is absolute'],
    ['C:\\w.bin', 'is absolute'],
    ['https://evil.example/w.bin', 'is a URL'],
  ]) {
    assert.throws(() => checkShardPath(bad, F), (err: Error) => {
      assert.ok(err instanceof ModelFileError);
      assert.equal(err.message, `${F}: weight shard path "${bad}" ${why}${why === 'goes up a folder' ? ' ("..")' : ''}; shards must be files inside the model's folder`);
      return true;
    });
  }
});

test('group sizes count dtype and quantization bytes', () => {
  assert.equal(groupBytes([{ name: 'k', shape: [3, 3, 3, 8], dtype: 'float32' }, { name: 'b', shape: [8], dtype: 'float32' }]), 896);
  assert.equal(groupBytes([{ name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }]), 10);
  assert.equal(groupBytes([{ name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } }]), 20);
  assert.equal(groupBytes([{ name: 's', shape: [2], dtype: 'string' }]), null);
});

test('model.json must be a LayersModel', () => {
  assert.throws(() => parseModelJson('{', F), /models\/m\/model.json: not valid JSON/);
  assert.throws(() => parseModelJson('{"format":"graph-model","modelTopology":null}', F), /no "modelTopology": this is not a TensorFlow.js LayersModel/);
  assert.throws(() => parseModelJson('{"modelTopology":{},"weightsManifest":[{"paths":"x"}]}', F), /weightsManifest\[0\] needs "paths" and "weights" arrays/);
});

async function tinyModel(dir: string, manifest: unknown, shards: Record<string, number>) {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Model', config: {} }, weightsManifest: manifest }));
  for (const [name, bytes] of Object.entries(shards)) await fs.writeFile(path.join(dir, name), new Uint8Array(bytes));
}

test('the fs loader reads shards in manifest order and rejects missing, escaping or wrongly sized shards', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-manifest-'));
  try {
    const weights = (n: string, k: number) => [{ name: n, shape: [k], dtype: 'float32' }];
    const good = path.join(tmp, 'good');
    await tinyModel(good, [{ paths: ['a.bin'], weights: weights('a', 2) }, { paths: ['b1.bin', 'b2.bin'], weights: weights('b', 3) }], { 'a.bin': 8, 'b1.bin': 8, 'b2.bin': 4 });
    const art = await fsLoadHandler(path.join(good, 'model.json')).load!();
    assert.deepEqual(art.weightSpecs!.map((w) => w.name), ['a', 'b']);
    assert.equal((art.weightData as ArrayBuffer).byteLength, 20);

    const missing = path.join(tmp, 'missing');
    await tinyModel(missing, [{ paths: ['a.bin'], weights: weights('a', 2) }], {});
    await assert.rejects(fsLoadHandler(path.join(missing, 'model.json')).load!(), {
      name: 'ModelFileError',
      message: `${path.join(missing, 'model.json')}: weight shard "a.bin" is missing (expected ${path.join(missing, 'a.bin')})`,
    });

    const escaping = path.join(tmp, 'escaping');
    await tinyModel(escaping, [{ paths: ['a.bin'], weights: weights('a', 2) }, { paths: ['../good/a.bin'], weights: weights('b', 2) }], { 'a.bin': 8 });
    await assert.rejects(fsLoadHandler(path.join(escaping, 'model.json')).load!(), {
      message: `${path.join(escaping, 'model.json')}: weight shard path "../good/a.bin" goes up a folder (".."); shards must be files inside the model's folder`,
    });

    const short = path.join(tmp, 'short');
    await tinyModel(short, [{ paths: ['a.bin'], weights: weights('a', 2) }], { 'a.bin': 7 });
    await assert.rejects(fsLoadHandler(path.join(short, 'model.json')).load!(), {
      message: `${path.join(short, 'model.json')}: weight shard "a.bin" holds 7 bytes, but the tensors listed for it (a) need 8 bytes`,
    });

    await assert.rejects(fsLoadHandler(path.join(tmp, 'nowhere', 'model.json')).load!(), /nowhere\/model.json: cannot read the model file \(ENOENT\)/);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
