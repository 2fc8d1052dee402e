import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG, catalogAt } from '../../src/core/model/catalog';
import { cacheKey, cachedModelDir, defaultModelCacheDir, isCached } from '../../src/core/model/cache';
import { resolveModelRef, ModelRefError } from '../../src/core/model/resolve';

test('the catalog lists the hosted MobileNet v1 models at 224 with their real URLs', () => {
  assert.deepEqual(
    CATALOG.map((e) => e.url),
    ['0.25', '0.50', '0.75', '1.0'].map((a) => `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${a}_224/model.json`),
  );
  for (const e of CATALOG) {
    assert.deepEqual(e.inputSize, [224, 224]);
    assert.equal(e.preprocess, 'mobilenet');
    assert.equal(e.cutAt, 'conv_pw_13_relu');
    assert.equal(e.fineTuneFrom, 'conv_dw_13');
    assert.ok(e.description.startsWith('MobileNet v1'));
  }
  assert.equal(catalogAt('http://127.0.0.1:9/models/')[0]!.url, 'http://127.0.0.1:9/models/mobilenet_v1_0.25_224/model.json');
});

test('cache folders: sanitized ids, hashed URLs, env override', () => {
  assert.equal(cacheKey('mobilenet_v1_0.25_224'), 'mobilenet_v1_0.25_224');
  assert.equal(cacheKey('a/b:c'), 'a_b_c');
  assert.equal(cacheKey('..'), '_');
  assert.match(cacheKey('https://x.example/m/model.json'), /^url-[0-9a-f]{20}$/);
  assert.notEqual(cacheKey('https://x.example/m/model.json'), cacheKey('https://x.example/n/model.json'));
  const saved = process.env.TRANSFER_LAB_CACHE;
  try {
    process.env.TRANSFER_LAB_CACHE = '/tmp/tl-cache-env';
    assert.equal(defaultModelCacheDir(), '/tmp/tl-cache-env');
    delete process.env.TRANSFER_LAB_CACHE;
    assert.equal(defaultModelCacheDir(), path.join(os.homedir(), '.cache', 'transfer-lab', 'models'));
  } finally {
    if (saved === undefined) delete process.env.TRANSFER_LAB_CACHE;
    else process.env.TRANSFER_LAB_CACHE = saved;
  }
});

test('isCached is true only for a cache folder holding a model.json', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-cache-'));
  try {
    assert.equal(isCached('mobilenet_v1_0.25_224', tmp), false);
    await fs.mkdir(cachedModelDir('mobilenet_v1_0.25_224', tmp));
    assert.equal(isCached('mobilenet_v1_0.25_224', tmp), false);
    await fs.writeFile(path.join(cachedModelDir('mobilenet_v1_0.25_224', tmp), 'model.json'), '{}');
    assert.equal(isCached('mobilenet_v1_0.25_224', tmp), true);
    assert.equal(isCached('mobilenet_v1_0.50_224', tmp), false);
    assert.equal(isCached('not-in-catalog', tmp), false);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('model references resolve to catalog entries, URLs, files, builtins and runs', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-refs-'));
  try {
    const r1 = await resolveModelRef('mobilenet_v1_0.75_224', { baseDir: tmp });
    assert.equal(r1.kind, 'remote');
    assert.equal(r1.kind === 'remote' && r1.url, 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json');
    const r2 = await resolveModelRef('mobilenet_v1_0.75_224', { baseDir: tmp, catalogBaseUrl: 'http://127.0.0.1:1' });
    assert.equal(r2.kind === 'remote' && r2.url, 'http://127.0.0.1:1/mobilenet_v1_0.75_224/model.json');
    assert.deepEqual(await resolveModelRef('https://h.example/a/model.json', { baseDir: tmp }), { kind: 'remote', ref: 'https://h.example/a/model.json', url: 'https://h.example/a/model.json', catalog: null });
    assert.deepEqual(await resolveModelRef('builtin:mnist-cnn', { baseDir: tmp }), { kind: 'builtin', ref: 'builtin:mnist-cnn', arch: 'mnist-cnn' });
    await assert.rejects(resolveModelRef('builtin:resnet', { baseDir: tmp }), { message: 'model "builtin:resnet": no built-in architecture "resnet" (known: builtin:mnist-cnn)' });

    await fs.mkdir(path.join(tmp, 'm'));
    await fs.writeFile(path.join(tmp, 'm', 'model.json'), '{}');
    assert.deepEqual(await resolveModelRef('m', { baseDir: tmp }), { kind: 'file', ref: 'm', modelJson: path.join(tmp, 'm', 'model.json') });
    assert.deepEqual(await resolveModelRef('m/model.json', { baseDir: tmp }), { kind: 'file', ref: 'm/model.json', modelJson: path.join(tmp, 'm', 'model.json') });
    await fs.mkdir(path.join(tmp, 'empty'));
    await assert.rejects(resolveModelRef('empty', { baseDir: tmp }), { message: `model "empty": the folder ${path.join(tmp, 'empty')} holds no model.json` });
    await assert.rejects(resolveModelRef('mobilenet_v1_025_224', { baseDir: tmp }), (err: Error) => {
      assert.ok(err instanceof ModelRefError);
      assert.match(err.message, /no file or folder .*mobilenet_v1_025_224 exists \(did you mean "mobilenet_v1_0.25_224"/);
      return true;
    });

    // run:<name> picks the newest run whose summary says completed and that saved a model.
    const runs = path.join(tmp, 'runs');
    const mkRun = async (id: string, status: string, withModel = true) => {
      const dir = path.join(runs, 'pre', id);
      await fs.mkdir(path.join(dir, 'model'), { recursive: true });
      await fs.writeFile(path.join(dir, 'summary.json'), JSON.stringify({ status }));
      if (withModel) await fs.writeFile(path.join(dir, 'model', 'model.json'), '{}');
    };
    await assert.rejects(resolveModelRef('run:pre', { baseDir: tmp, runsDir: runs }), { message: `model "run:pre": no completed run of experiment "pre" with a saved model in ${path.join(runs, 'pre')}` });
    await mkRun('20260101-000000', 'completed');
    await mkRun('20260102-000000', 'completed');
    await mkRun('20260103-000000', 'failed');
    await mkRun('20260104-000000', 'completed', false);
    const r = await resolveModelRef('run:pre', { baseDir: tmp, runsDir: runs });
    assert.equal(r.kind === 'run' && r.modelJson, path.join(runs, 'pre', '20260102-000000', 'model', 'model.json'));
    await assert.rejects(resolveModelRef('run:pre', { baseDir: tmp }), /no runs folder is known/);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
