// Micro benchmark of one model on the current (or a chosen) backend: images per second of a
// forward pass and of one full training step (every layer trained, BatchNorm in training mode).
// Returns numbers only; `npm run bench` formats them.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend, type BackendPreference } from './select';
import { useFastTrainingOps } from '../model/batchNormMode';

export interface MeasureOptions {
  batchSize: number;
  /** Switch to this backend first; otherwise the current one is measured. */
  backend?: BackendPreference;
  /** Untimed runs first (kernel setup, wasm heap growth). Default 1. */
  warmup?: number;
  /** Timed runs; the median is reported. Default 3. */
  repeats?: number;
}

export interface Throughput {
  imagesPerSecond: number;
  /** Median seconds for one batch. */
  secondsPerBatch: number;
  /** Every timed run, in seconds. */
  runs: number[];
}

export interface ModelMeasurement {
  backend: string;
  batchSize: number;
  forward: Throughput;
  train: Throughput;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Throughput of `once` (one batch of `batchSize`): median over `repeats` after `warmup` untimed runs. */
export async function timeBatches(batchSize: number, warmup: number, repeats: number, once: () => Promise<void> | void): Promise<Throughput> {
  for (let i = 0; i < warmup; i++) await once();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await once();
    runs.push((performance.now() - t0) / 1000);
  }
  const secondsPerBatch = median(runs);
  return { imagesPerSecond: batchSize / secondsPerBatch, secondsPerBatch, runs };
}

function randomBatch(model: tfl.LayersModel, batchSize: number): tf.Tensor {
  const shape = model.inputs[0]!.shape.slice(1);
  if (shape.some((d) => d == null)) throw new Error(`measure: model '${model.name}' has an input of unknown size ${JSON.stringify(shape)}`);
  return tf.randomUniform([batchSize, ...(shape as number[])], -1, 1, 'float32', 7);
}

/** Images/s of `model.predict` on random inputs. */
export async function measureForward(model: tfl.LayersModel, opts: MeasureOptions): Promise<Throughput> {
  if (opts.backend) await selectBackend(opts.backend);
  const x = randomBatch(model, opts.batchSize);
  try {
    return await timeBatches(opts.batchSize, opts.warmup ?? 1, opts.repeats ?? 3, async () => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    });
  } finally {
    x.dispose();
  }
}

/**
 * One SGD step over every trainable weight: forward in training mode, softmax cross-entropy
 * against random labels (or mean square when the output is not a class vector), gradients, update.
 */
export async function measureTrainStep(model: tfl.LayersModel, opts: MeasureOptions): Promise<Throughput> {
  if (opts.backend) await selectBackend(opts.backend);
  // The layers run as the engine trains them (fused BatchNorm and relu6 where the backend has them).
  useFastTrainingOps(model);
  const x = randomBatch(model, opts.batchSize);
  const outShape = model.outputs[0]!.shape;
  const classes = outShape.length === 2 ? (outShape[1] as number) : 0;
  const labels = classes > 0 ? tf.oneHot(tf.randomUniform([opts.batchSize], 0, classes, 'int32', 11) as tf.Tensor1D, classes) : null;
  const optimizer = tf.train.sgd(1e-4);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    return await timeBatches(opts.batchSize, opts.warmup ?? 1, opts.repeats ?? 3, async () => {
      const loss = optimizer.minimize(
        () => {
          const y = model.apply(x, { training: true }) as tf.Tensor;
          return labels ? tf.losses.softmaxCrossEntropy(labels, y) : tf.mean(tf.square(y));
        },
        true,
        weights,
      );
      await loss!.data();
      loss!.dispose();
    });
  } finally {
    tf.dispose([x, labels ?? []]);
    optimizer.dispose();
  }
}

/** Forward and full-training throughput of one model at one batch size. */
export async function measureModel(model: tfl.LayersModel, opts: MeasureOptions): Promise<ModelMeasurement> {
  if (opts.backend) await selectBackend(opts.backend);
  const forward = await measureForward(model, { ...opts, backend: undefined });
  const train = await measureTrainStep(model, { ...opts, backend: undefined });
  return { backend: tf.getBackend(), batchSize: opts.batchSize, forward, train };
}
