// Where a full training step's time goes on wasm, and A/B timings of the kernels that
// src/core/backend/wasmGradients replaces. Not part of `npm run bench`; run by hand:
//   node --import tsx bench/wasmTrainProfile.ts ALPHA BATCH [profile | ab KERNEL,KERNEL...]
// profile: per-kernel milliseconds of one step (nested kernels are counted in their parent too;
//   SHAPES=1 splits rows by input shapes). ab: steps alternating between the current kernels and
//   the stock wasm kernels for the listed names, median seconds per step of each.
// Without a mode: measureTrainStep's images/s (REPEATS timed steps, default 3) and the wasm heap.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import * as path from 'node:path';
import { selectBackend } from '../src/core/backend/select';
import { measureTrainStep } from '../src/core/backend/measure';
import { fsLoadHandler } from '../src/core/model/fsHandler';
import { useFastTrainingOps } from '../src/core/model/batchNormMode';
import { wasmHeapBytes } from './timing';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [alpha = '0.25', batch = '8', mode = '', names = ''] = process.argv.slice(2);
  const bs = Number(batch);
  // Stock wasm kernels, captured before selectBackend registers the replacements.
  const stock = new Map(names.split(',').filter(Boolean).map((n) => [n, tf.getKernel(n, 'wasm')]));
  await selectBackend('wasm');
  const modelJson = path.resolve(__dirname, `../../shared/assets/models/mobilenet_v1_${alpha}_224/model.json`);
  const model = await tfl.loadLayersModel(fsLoadHandler(modelJson));
  // As the engine trains it; STOCK_LAYERS=1 keeps tfjs-layers' own BatchNormalization and relu6.
  if (!process.env.STOCK_LAYERS) useFastTrainingOps(model);
  if (mode === '') {
    const r = await measureTrainStep(model, { batchSize: bs, warmup: 1, repeats: Number(process.env.REPEATS ?? 3) });
    console.log(`alpha ${alpha} batch ${bs}: ${r.imagesPerSecond.toFixed(2)} img/s, runs ${r.runs.map((s) => s.toFixed(2)).join(' ')}, wasm heap ${(wasmHeapBytes() / 2 ** 20).toFixed(0)} MiB`);
    return;
  }
  const x = tf.randomUniform([bs, 224, 224, 3], -1, 1);
  const labels = tf.oneHot(tf.randomUniform([bs], 0, 1000, 'int32') as tf.Tensor1D, 1000);
  const opt = tf.train.sgd(1e-4);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = (): void => {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), true, weights);
    l!.dataSync();
    l!.dispose();
  };
  step();
  if (mode === 'profile') {
    const info = await tf.profile(step);
    const agg = new Map<string, { ms: number; n: number }>();
    for (const k of info.kernels) {
      const key = k.name + (process.env.SHAPES ? ' ' + JSON.stringify(k.inputShapes) : '');
      const e = agg.get(key) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      agg.set(key, e);
    }
    const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms);
    console.log(`kernel ms (nested counted twice): ${rows.reduce((s, r) => s + r[1].ms, 0).toFixed(0)}`);
    for (const [k, v] of rows.slice(0, Number(process.env.TOP ?? 25))) console.log(`${v.ms.toFixed(1).padStart(8)} ${String(v.n).padStart(4)} ${k}`);
    return;
  }
  const ours = new Map([...stock.keys()].map((n) => [n, tf.getKernel(n, 'wasm')]));
  const use = (which: Map<string, tf.KernelConfig | undefined>): void => {
    for (const [n, k] of which) {
      if (!k) throw new Error(`no wasm kernel ${n}`);
      tf.unregisterKernel(n, 'wasm');
      tf.registerKernel(k);
    }
  };
  const times = { ours: [] as number[], stock: [] as number[] };
  for (let i = 0; i < Number(process.env.REPEATS ?? 5); i++) {
    for (const which of ['stock', 'ours'] as const) {
      use(which === 'ours' ? ours : stock);
      const t0 = performance.now();
      step();
      times[which].push((performance.now() - t0) / 1000);
    }
  }
  console.log(`alpha ${alpha} batch ${bs}, stock ${names}: ${median(times.stock).toFixed(3)} s/step (${times.stock.map((t) => t.toFixed(2)).join(' ')}); ours: ${median(times.ours).toFixed(3)} s/step (${times.ours.map((t) => t.toFixed(2)).join(' ')})`);
}

void main();
