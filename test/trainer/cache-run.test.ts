// The feature cache through runExperiment on the real MobileNet 0.25 and real RPS photos (a
// few per class, cut early so it stays quick): training on cached activations gives the same
// head as running the frozen base every step, a second run is all hits, and a fine-tune phase
// caches below the first unfrozen layer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../../src/core/run/runExperiment';
import { loadSavedModel } from '../../src/core/model';
import { mobilenet025, rpsData, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace('tl-cache-run-');
after(() => ws.dispose());
const cacheDir = path.join(ws.dir, 'feature-cache');
const PER_CLASS = 10;

function experiment(name: string, featureCache: boolean, phases: object[] = [{ name: 'head', epochs: 1, learningRate: 0.01 }]) {
  return {
    name,
    seed: 3,
    model: { base: mobilenet025, cutAt: 'conv_pw_5_relu', freeze: 'all', head: { pooling: 'avg', hidden: [], dropout: 0 } },
    data: {
      type: 'imageFolder', path: rpsData, imageSize: [224, 224], preprocess: 'mobilenet', maxPerClass: PER_CLASS,
      split: { validation: 0.2, test: 0.2 }, augment: { flipHorizontal: true },
    },
    training: { batchSize: 8, optimizer: 'adam', phases },
    featureCache,
  };
}

async function headWeights(runsDir: string, name: string, runId: string): Promise<Float32Array[]> {
  const { model } = await loadSavedModel(path.join(runsDir, name, runId, 'model'));
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense').at(-1)!;
  const out = dense.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return out;
}

test('cached and uncached training give the same head after one epoch; a second run hits every entry', async () => {
  const runsDir = path.join(ws.dir, 'runs');
  const cached = await runExperiment(ws.write('cached', experiment('cached', true)), { runsDir, featureCacheDir: cacheDir });
  assert.equal(cached.status, 'completed', cached.error);
  const { train, validation, test: testCount } = cached.counts;
  assert.equal(train + validation + testCount, 3 * PER_CLASS);
  // Train in both orientations (flip augmentation), validation and test plain.
  const entries = 2 * train + validation + testCount;
  assert.deepEqual(cached.featureCache, { boundary: 'conv_pw_5_relu', hits: 0, misses: entries });

  const plain = await runExperiment(ws.write('plain', experiment('plain', false)), { runsDir, featureCacheDir: cacheDir });
  assert.equal(plain.status, 'completed', plain.error);
  assert.equal(plain.featureCache, null);

  const a = await headWeights(runsDir, 'cached', cached.runId);
  const b = await headWeights(runsDir, 'plain', plain.runId);
  assert.equal(a.length, 2);
  let maxDiff = 0;
  let maxAbs = 0;
  a.forEach((w, i) => w.forEach((v, j) => ((maxDiff = Math.max(maxDiff, Math.abs(v - b[i]![j]!))), (maxAbs = Math.max(maxAbs, Math.abs(v))))));
  assert.ok(maxDiff < 1e-4, `head weights differ by up to ${maxDiff} (largest weight ${maxAbs})`);
  assert.equal(cached.transfer.final!.loss.toFixed(4), plain.transfer.final!.loss.toFixed(4));

  const again = await runExperiment(ws.write('cached', experiment('cached', true)), { runsDir, featureCacheDir: cacheDir });
  assert.equal(again.status, 'completed', again.error);
  assert.deepEqual(again.featureCache, { boundary: 'conv_pw_5_relu', hits: entries, misses: 0 });
  const c = await headWeights(runsDir, 'cached', again.runId);
  assert.deepEqual(c, a, 'same seed, same cached inputs: bit-identical head');
  assert.equal(fs.readdirSync(cacheDir).length, 1, 'one namespace for one prefix');

  // The comparison above is not vacuous: another learning rate on the same cached inputs moves the head elsewhere.
  const other = await runExperiment(ws.write('lr', experiment('lr', true, [{ name: 'head', epochs: 1, learningRate: 0.03 }])), { runsDir, featureCacheDir: cacheDir });
  assert.deepEqual(other.featureCache, { boundary: 'conv_pw_5_relu', hits: entries, misses: 0 });
  const d = await headWeights(runsDir, 'lr', other.runId);
  const moved = d[0]!.reduce((m, v, j) => Math.max(m, Math.abs(v - a[0]![j]!)), 0);
  assert.ok(moved > 1e-3, `learning rate 0.03 vs 0.01 changed the kernel by only ${moved}`);
});

test('a fine-tune phase trains on cached activations of the layer below the first unfrozen one', async () => {
  const runsDir = path.join(ws.dir, 'runs-ft');
  const phases = [
    { name: 'head', epochs: 1, learningRate: 0.01 },
    { name: 'fine', epochs: 1, learningRate: 1e-4, unfreezeFrom: 'conv_dw_5' },
  ];
  const first = await runExperiment(ws.write('ft', experiment('ft', true, phases)), { runsDir, featureCacheDir: cacheDir });
  assert.equal(first.status, 'completed', first.error);
  const { train, validation, test: testCount } = first.counts;
  const entries = 2 * train + validation + testCount;
  // Phase 1 reuses the namespace of the first test; phase 2's boundary is new.
  assert.deepEqual(first.featureCache, { boundary: 'conv_pw_4_relu', hits: entries, misses: entries });
  assert.equal(fs.readdirSync(cacheDir).length, 2);
  const second = await runExperiment(ws.write('ft', experiment('ft', true, phases)), { runsDir, featureCacheDir: cacheDir });
  assert.deepEqual(second.featureCache, { boundary: 'conv_pw_4_relu', hits: 2 * entries, misses: 0 });
});
