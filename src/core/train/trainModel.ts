// Trains one network (the transfer model or the from-scratch baseline) through the experiment's
// phases: per phase, rebuild the trainable variable list from the freeze plan, compute the frozen
// prefix once, then run epochs of optimizer steps on the trainable suffix.
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data';
import type { EpochMetrics, ModelResult, PhaseInfo, RunEvent, RunModel } from '../../shared/events';
import type { LayerState } from '../../shared/model';
import type { PhaseSpec, TrainingSpec } from '../experiment/schema';
import { applyPhase, type TransferModel } from '../model';
import { createRng } from '../util/random';
import { EarlyStopping } from './earlyStopping';
import type { FeatureCache } from '../cache';
import { oneHot, prefetched, type InputSource } from './sources';
import { phaseInputs } from './phaseInputs';
import { evaluate, makeOptimizer, trainStep, type Evaluation } from './steps';
import { classificationMetrics } from './evaluate';

export interface PhasePlan {
  info: PhaseInfo;
  spec: PhaseSpec;
  states: LayerState[];
}

/** Shared across the models of one run: events, stop requests and the ETA clock. */
export interface TrainSession {
  emit(event: RunEvent): void;
  shouldStop(): boolean;
  /** Epochs planned over every model of the run, for the ETA. */
  totalEpochs: number;
  epochsDone: number;
  trainSeconds: number;
  /** The disk cache for boundary activations; without one they are computed per run, in memory. */
  featureCache?: FeatureCache | null;
}

export interface TrainOutcome extends ModelResult {
  stopped: boolean;
  phases: { name: string; epochsRun: number; seconds: number }[];
  featureBoundary: string | null;
  /** Boundary activations found in / added to the feature cache, over all phases. */
  featureCacheStats: { hits: number; misses: number };
}

const secondsSince = (t: number) => (performance.now() - t) / 1000;
const tick = () => new Promise((r) => setImmediate(r));

export async function trainModel(
  which: RunModel,
  tm: TransferModel,
  plans: PhasePlan[],
  ds: Dataset,
  training: TrainingSpec,
  augmentFlip: boolean,
  seed: number,
  session: TrainSession,
  /** false runs the frozen prefix in every step instead of once (the slow reference path). */
  useFeatureCache = true,
): Promise<TrainOutcome> {
  const started = performance.now();
  const classes = ds.classes.length;
  const bs = training.batchSize;
  const rng = createRng(seed, `train:${which}`);
  const epochsPlanned = plans.reduce((a, p) => a + p.info.epochs, 0);
  const outcome: TrainOutcome = { final: null, best: null, test: null, epochsRun: 0, seconds: 0, stopped: false, phases: [], featureBoundary: null, featureCacheStats: { hits: 0, misses: 0 } };
  let step = 0;
  let lastSources: { val: InputSource; test: InputSource } | null = null;
  let lastSuffix: ReturnType<typeof applyPhase>['suffix'] | null = null;

  for (const plan of plans) {
    if (session.shouldStop()) break;
    const phaseStart = performance.now();
    session.emit({ kind: 'phase-start', model: which, phase: plan.info });
    const applied = applyPhase(tm, plan.states);
    const inputs = await phaseInputs(applied, ds, augmentFlip, bs, session, useFeatureCache);
    if (!inputs) {
      outcome.stopped = true;
      break;
    }
    const sources = inputs.sources;
    // Without a cached prefix the whole model trains on images; frozen BatchNorm still runs in inference mode.
    const trainable = applied.prefix && !useFeatureCache ? tm.model : applied.suffix;
    if (inputs.boundary) {
      outcome.featureBoundary = inputs.boundary;
      outcome.featureCacheStats.hits += inputs.hits;
      outcome.featureCacheStats.misses += inputs.misses;
    }
    lastSources = { val: sources.val, test: sources.test };
    lastSuffix = trainable;
    const varList = applied.trainableWeights;
    const optimizer = makeOptimizer(training.optimizer, plan.spec.learningRate);
    const stopper = training.earlyStopping
      ? new EarlyStopping(training.earlyStopping.monitor, training.earlyStopping.patience, training.earlyStopping.minDelta)
      : null;
    let phaseEpochs = 0;
    for (let e = 0; e < plan.info.epochs; e++) {
      const epochStart = performance.now();
      const order = Array.from({ length: ds.train.count }, (_, i) => i);
      rng.shuffle(order);
      const batches = Math.ceil(order.length / bs);
      // The epoch's batches and flips up front (the same draws, in the same order, as drawn
      // batch by batch), so that batch b + 1 loads while batch b trains.
      const epochBatches = Array.from({ length: batches }, (_, b) => {
        const idx = order.slice(b * bs, (b + 1) * bs);
        return { idx, flips: augmentFlip ? idx.map(() => rng.next() < 0.5) : undefined };
      });
      const load = (b: number) => sources.train.load(epochBatches[b]!.idx, epochBatches[b]!.flips);
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      let b = 0;
      for await (const x of prefetched(batches, load)) {
        const idx = epochBatches[b++]!.idx;
        const y = oneHot(ds.train, idx, classes);
        const batchStart = performance.now();
        let r: { loss: number; accuracy: number };
        try {
          r = trainStep(trainable, optimizer, varList, x, y);
        } finally {
          tf.dispose([x, y]);
        }
        step++;
        lossSum += r.loss * idx.length;
        accSum += r.accuracy * idx.length;
        seen += idx.length;
        session.emit({
          kind: 'batch', model: which, phase: plan.info.index, epoch: outcome.epochsRun + 1, batch: b, batches, step,
          loss: r.loss, accuracy: r.accuracy, imagesPerSecond: idx.length / Math.max(1e-6, secondsSince(batchStart)),
        });
        await tick();
        if (session.shouldStop()) break;
      }
      if (seen < ds.train.count) {
        // Stopped mid-epoch: the partial epoch is not reported as an epoch.
        outcome.stopped = true;
        break;
      }
      const val: Evaluation | null = ds.validation.count ? await evaluate(trainable, sources.val, ds.validation, classes, bs * 4) : null;
      const seconds = secondsSince(epochStart);
      outcome.epochsRun++;
      phaseEpochs++;
      session.epochsDone++;
      session.trainSeconds += seconds;
      const metrics: EpochMetrics = { loss: lossSum / seen, accuracy: accSum / seen, ...(val ? { val_loss: val.loss, val_accuracy: val.accuracy } : {}) };
      outcome.final = metrics;
      if (val && (!outcome.best || val.accuracy > (outcome.best.val_accuracy ?? -1))) {
        outcome.best = { epoch: outcome.epochsRun, val_accuracy: val.accuracy, val_loss: val.loss };
      }
      const etaSeconds = (session.trainSeconds / session.epochsDone) * (session.totalEpochs - session.epochsDone);
      session.emit({
        kind: 'epoch', model: which, phase: plan.info.index, epoch: outcome.epochsRun, epochs: epochsPlanned, step,
        learningRate: plan.spec.learningRate, imagesPerSecond: seen / seconds, seconds, etaSeconds: Math.max(0, etaSeconds), ...metrics,
      });
      if (stopper && stopper.update(metrics[stopper.monitor])) {
        session.emit({ kind: 'early-stop', model: which, phase: plan.info.index, epoch: outcome.epochsRun, monitor: stopper.monitor, best: stopper.bestValue! });
        // The skipped epochs no longer count toward the ETA.
        session.totalEpochs -= plan.info.epochs - (e + 1);
        break;
      }
      if (session.shouldStop()) {
        outcome.stopped = true;
        break;
      }
    }
    optimizer.dispose();
    // Drops the batch worker's hold on the phase's pixels (batch() keeps working for the test pass).
    for (const src of Object.values(sources)) src.dispose();
    outcome.phases.push({ name: plan.info.name, epochsRun: phaseEpochs, seconds: secondsSince(phaseStart) });
    if (outcome.stopped) break;
  }
  if (session.shouldStop()) outcome.stopped = true;

  if (!outcome.stopped && lastSuffix && lastSources && ds.test.count) {
    const t = await evaluate(lastSuffix, lastSources.test, ds.test, classes, bs * 4);
    outcome.test = classificationMetrics(ds.classes, ds.test.labels, t.predicted, t.loss);
    session.emit({ kind: 'evaluation', model: which, metrics: outcome.test });
  }
  outcome.seconds = secondsSince(started);
  return outcome;
}
