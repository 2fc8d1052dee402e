// One optimizer step and one evaluation pass of the trainable suffix.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Split } from '../data';
import { oneHot, type InputSource } from './sources';

const EPSILON = 1e-7;

/** Mean categorical cross-entropy of softmax probabilities. */
export function crossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, EPSILON, 1 - EPSILON))), -1))) as tf.Scalar);
}

function correct(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(y, -1), tf.argMax(p, -1)), 'float32'));
}

export function makeOptimizer(name: 'adam' | 'sgd' | 'rmsprop', learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** Trains one batch; returns its loss and accuracy. */
export function trainStep(
  suffix: LayersModel,
  optimizer: tf.Optimizer,
  varList: tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor,
): { loss: number; accuracy: number } {
  let acc: tf.Tensor | undefined;
  const loss = optimizer.minimize(
    () => {
      const p = suffix.apply(x, { training: true }) as tf.Tensor;
      // Kept past minimize's internal tidy so the batch accuracy costs no second forward pass.
      acc = tf.keep(tf.mean(correct(y, p)));
      return crossEntropy(y, p);
    },
    true,
    varList,
  );
  const result = { loss: loss!.dataSync()[0]!, accuracy: acc!.dataSync()[0]! };
  tf.dispose([loss!, acc!]);
  return result;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  predicted: Int32Array;
}

/** Loss, accuracy and predicted labels over a whole split, in inference mode. */
export async function evaluate(
  suffix: LayersModel,
  source: InputSource,
  split: Split,
  classes: number,
  batchSize: number,
): Promise<Evaluation> {
  const predicted = new Int32Array(split.count);
  let lossSum = 0;
  let correctSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    const x = source.batch(indices);
    const y = oneHot(split, indices, classes);
    try {
      const [l, c, arg] = tf.tidy(() => {
        const p = suffix.predict(x) as tf.Tensor;
        return [tf.mul(crossEntropy(y, p), indices.length), tf.sum(correct(y, p)), tf.argMax(p, -1)];
      });
      try {
        lossSum += (await l.data())[0]!;
        correctSum += (await c.data())[0]!;
        predicted.set(await arg.data(), start);
      } finally {
        tf.dispose([l, c, arg]);
      }
    } finally {
      tf.dispose([x, y]);
    }
  }
  const n = Math.max(1, split.count);
  return { loss: lossSum / n, accuracy: correctSum / n, predicted };
}
