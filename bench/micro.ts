// Per-model rows: base forward, training with the frozen base run every step, training every
// layer, and training the head on precomputed boundary features. A few batches each.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { measureForward, measureTrainStep } from '../src/core/backend/measure';
import { applyPhase, buildTransferModel, loadBaseModel } from '../src/core/model';
import { compileOrThrow } from '../src/core/model/fusedPrefix';
import { makeOptimizer, trainStep } from '../src/core/train/steps';
import { layerStates } from '../src/shared/freezePlan';
import { imagesPerSecond, peakRssBytes, wasmHeapBytes } from './timing';

export const CUT = 'conv_pw_13_relu';

export interface MicroResult {
  model: string;
  backend: string;
  forward: number;
  /** The base to CUT, compiled (BN folded, fused conv kernels), and the same prefix through predict. */
  forwardFused: number;
  forwardPrefix: number;
  frozenBaseEveryStep: number;
  trainAll: number;
  trainAllBatch: number;
  headOnFeatures: number;
  featureShape: number[];
  peakRss: number;
  wasmHeap: number;
}

export async function microRows(modelJson: string, name: string): Promise<MicroResult> {
  const { model: base } = await loadBaseModel(modelJson, { baseDir: process.cwd() });
  const forward = (await measureForward(base, { batchSize: 32, warmup: 1, repeats: 2 })).imagesPerSecond;
  const { fused: forwardFused, predict: forwardPrefix } = await prefixForward(base);
  // Before the freeze plan is applied: every base layer is still trainable here. Batch 32 like
  // the other rows (MobileNet 0.75 needs about 3.3 GiB of the 4 GiB wasm heap for it).
  const trainAllBatch = 32;
  const trainAll = (await measureTrainStep(base, { batchSize: trainAllBatch, warmup: 1, repeats: 2 })).imagesPerSecond;

  const tm = buildTransferModel(base, { cutAt: CUT, head: { pooling: 'avg', hidden: [], dropout: 0 } }, 3, 1);
  const applied = applyPhase(tm, layerStates(tm.baseLayerNames, (n) => tm.isBatchNorm(n), { cutAt: CUT, freeze: 'all' }));
  const opt = makeOptimizer('adam', 1e-3);
  const bs = 32;
  const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: bs }, (_, i) => i % 3), 'int32'), 3), 'float32');
  // What featureCache: false does: the whole model each step, gradients only for the head.
  const images = tf.randomUniform([bs, 224, 224, 3], -1, 1, 'float32', 3);
  const frozenBaseEveryStep = await imagesPerSecond(bs, 1, 2, () => void trainStep(tm.model, opt, applied.trainableWeights, images, y));
  images.dispose();
  // What the cache does after the first pass: the suffix on boundary activations.
  const featureShape = (applied.prefix!.outputs[0]!.shape as number[]).slice(1);
  const features = tf.randomUniform([bs, ...featureShape], 0, 6, 'float32', 5);
  const headOnFeatures = await imagesPerSecond(bs, 5, 40, () => void trainStep(applied.suffix, opt, applied.trainableWeights, features, y));
  tf.dispose([features, y]);
  opt.dispose();
  return { model: name, backend: tf.getBackend(), forward, forwardFused, forwardPrefix, frozenBaseEveryStep, trainAll, trainAllBatch, headOnFeatures, featureShape, peakRss: peakRssBytes(), wasmHeap: wasmHeapBytes() };
}

/** Images/s of the base up to CUT: compiled by compilePrefix, and through predict, alternating in one process. */
async function prefixForward(base: tfl.LayersModel): Promise<{ fused: number; predict: number }> {
  const prefix = tfl.model({ inputs: base.inputs, outputs: base.getLayer(CUT).output as tfl.SymbolicTensor });
  const compiled = compileOrThrow(prefix);
  const bs = 32;
  const x = tf.randomUniform([bs, 224, 224, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const once = (f: () => tf.Tensor) => async () => {
    const y = f();
    await y.data();
    y.dispose();
  };
  const fusedStep = once(() => compiled.run(x));
  const predictStep = once(() => prefix.predict(x) as tf.Tensor);
  // Two rounds each, interleaved, so drifting load on the machine hits both alike; best round kept.
  const fused: number[] = [];
  const predict: number[] = [];
  for (let round = 0; round < 2; round++) {
    fused.push(await imagesPerSecond(bs, 1, 2, fusedStep));
    predict.push(await imagesPerSecond(bs, 1, 2, predictStep));
  }
  x.dispose();
  compiled.dispose();
  return { fused: Math.max(...fused), predict: Math.max(...predict) };
}
