// One run of an experiment file, end to end: backend, data, base model, the transfer model's
// phases, the optional from-scratch baseline, test evaluation, and the run folder on disk.
import * as path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunEvent, RunSummary, ModelResult } from '../../shared/events';
import { loadExperimentFile } from '../experiment/load';
import { selectBackend, type BackendPreference } from '../backend/select';
import { loadDataset, type Dataset } from '../data';
import { loadBaseModel, buildTransferModel, freshCopy, saveModel, type TransferModel } from '../model';
import { trainModel, type TrainOutcome, type TrainSession } from '../train/trainModel';
import { checkLayerNames, phasePlans } from './phasePlans';
import { RunWriter } from './store';
import { FeatureCache } from '../cache';

export interface RunOptions {
  /** Folder that holds <experiment name>/<run id>/; default: runs/ beside the experiment file. */
  runsDir?: string;
  backend?: BackendPreference;
  modelCacheDir?: string;
  featureCacheDir?: string;
  onEvent?: (event: RunEvent) => void;
  /** Aborting stops after the current batch; the partial run is saved with status "stopped". */
  signal?: AbortSignal;
}

export function defaultRunsDir(experimentFile: string): string {
  return path.join(path.dirname(path.resolve(experimentFile)), 'runs');
}

/** A fixed-size base model needs images of its size; say so before any run folder exists. */
function checkInputShape(expected: readonly (number | null)[], actual: readonly number[], ref: string): void {
  const mismatch = expected.slice(1).some((d, i) => d !== null && d !== actual[i]);
  if (mismatch) {
    throw new Error(
      `the base model ${ref} takes images of ${expected.slice(1).map((d) => d ?? 'any').join('x')}, but the data gives ${actual.join('x')}: set data.imageSize to [${expected[1]}, ${expected[2]}]`,
    );
  }
}

/**
 * Disposes every weight of these models once. LayersModel.dispose() is reference-counted per
 * layer, and the per-phase suffix models share layers with the transfer model, so disposing the
 * models alone leaves the head's weights behind.
 */
function releaseWeights(models: LayersModel[]): void {
  for (const m of models) {
    for (const layer of m.layers) {
      for (const w of layer.weights) {
        try {
          const v = w.read();
          if (!v.isDisposed) v.dispose();
        } catch {
          // Already released through another model that shares the layer.
        }
      }
    }
  }
}

function result(o: TrainOutcome): ModelResult {
  return { final: o.final, best: o.best, test: o.test, epochsRun: o.epochsRun, seconds: o.seconds };
}

/** A stop that arrived while images or the model were loading: no run folder was written. */
export class RunStoppedError extends Error {
  constructor() {
    super('stopped before training started (no run folder was written)');
    this.name = 'RunStoppedError';
  }
}

export async function runExperiment(experimentFile: string, opts: RunOptions = {}): Promise<RunSummary> {
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  const throwIfStopped = () => {
    if (opts.signal?.aborted) throw new RunStoppedError();
  };
  const { file, dir, experiment: e } = await loadExperimentFile(experimentFile);
  const runsDir = path.resolve(opts.runsDir ?? defaultRunsDir(file));
  const started = new Date();
  const backend = await selectBackend(opts.backend ?? e.backend);
  const ds: Dataset = await loadDataset(e.data, {
    baseDir: dir,
    seed: e.seed,
    onProgress: (done, total) => emit({ kind: 'progress', task: 'loading images', done, total }),
  });
  throwIfStopped();
  if (ds.skipped.length) {
    emit({ kind: 'warning', message: `skipped ${ds.skipped.length} unreadable image(s): ${ds.skipped.map((s) => `${s.file} (${s.reason})`).join('; ')}` });
  }
  const { model: base } = await loadBaseModel(e.model.base, {
    baseDir: dir,
    cacheDir: opts.modelCacheDir,
    runsDir,
    seed: e.seed,
    onProgress: (done, total) => emit({ kind: 'progress', task: `downloading ${e.model.base}`, done, total }),
  });
  let tm: TransferModel;
  try {
    throwIfStopped();
    checkLayerNames(e, base.layers.map((l) => l.name));
    checkInputShape(base.inputs[0]!.shape, ds.imageShape, e.model.base);
    tm = buildTransferModel(base, e.model, ds.classes.length, e.seed);
  } catch (err) {
    releaseWeights([base]);
    throw err;
  }
  const transferPlans = phasePlans(tm, e, false);
  if (e.training.earlyStopping && ds.validation.count === 0) {
    emit({ kind: 'warning', message: 'training.earlyStopping monitors the validation split, which is empty (data.split.validation is 0): early stopping is off' });
  }

  const writer = await RunWriter.create(runsDir, e.name, { ...e, $resolved: { file, runsDir, backend: backend.chosen } });
  const record = (ev: RunEvent) => {
    if (ev.kind === 'batch' || ev.kind === 'epoch' || ev.kind === 'evaluation' || ev.kind === 'early-stop' || ev.kind === 'phase-start') writer.record(ev);
    emit(ev);
  };
  const counts = { train: ds.train.count, validation: ds.validation.count, test: ds.test.count };
  const summary: RunSummary = {
    schemaVersion: 1,
    runId: writer.runId,
    experiment: e.name,
    status: 'running',
    backend: backend.chosen,
    startedAt: started.toISOString(),
    endedAt: null,
    durationSeconds: 0,
    classes: ds.classes,
    counts,
    skippedImages: ds.skipped.map((s) => s.file),
    phases: [],
    transfer: { final: null, best: null, test: null, epochsRun: 0, seconds: 0 },
  };
  await writer.writeSummary(summary);
  record({ kind: 'run-start', runId: writer.runId, experiment: e.name, runDir: writer.runDir, backend: backend.chosen, classes: ds.classes, counts, phases: transferPlans.map((p) => p.info), baseline: e.baseline.fromScratch });

  const epochs = e.training.phases.reduce((a, p) => a + p.epochs, 0);
  const session: TrainSession = {
    emit: record,
    shouldStop: () => opts.signal?.aborted ?? false,
    totalEpochs: epochs * (e.baseline.fromScratch ? 2 : 1),
    epochsDone: 0,
    trainSeconds: 0,
    // On disk, shared by runs: <featureCacheDir ?? TRANSFER_LAB_FEATURE_CACHE ?? ~/.cache/transfer-lab/features>.
    featureCache: e.featureCache ? new FeatureCache({ dir: opts.featureCacheDir }) : null,
  };
  const flip = e.data.type === 'imageFolder' && e.data.augment.flipHorizontal;
  const finish = async (status: RunSummary['status'], error?: string) => {
    summary.status = status;
    if (error) summary.error = error;
    summary.endedAt = new Date().toISOString();
    summary.durationSeconds = (Date.now() - started.getTime()) / 1000;
    await writer.writeSummary(summary);
    record({ kind: 'run-end', summary });
    return summary;
  };
  let models: LayersModel[] = [tm.model];
  try {
    const transfer = await trainModel('transfer', tm, transferPlans, ds, e.training, flip, e.seed, session, e.featureCache);
    summary.transfer = result(transfer);
    summary.phases = transfer.phases;
    summary.featureCache = transfer.featureBoundary ? { boundary: transfer.featureBoundary, ...transfer.featureCacheStats } : null;
    await saveModel(tm.model, writer.modelDir, { labels: ds.classes, preprocess: ds.preprocess, imageSize: [ds.imageShape[0], ds.imageShape[1]] });
    if (transfer.stopped) return await finish('stopped');

    if (e.baseline.fromScratch) {
      const scratchBase = freshCopy(base, e.seed + 1);
      const scratch = buildTransferModel(scratchBase, e.model, ds.classes.length, e.seed + 1);
      models.push(scratchBase, scratch.model);
      const baseline = await trainModel('baseline', scratch, phasePlans(scratch, e, true), ds, e.training, flip, e.seed, session, e.featureCache);
      summary.baseline = result(baseline);
      if (baseline.stopped) return await finish('stopped');
      if (summary.transfer.test && summary.baseline.test) {
        summary.transferGain = summary.transfer.test.accuracy - summary.baseline.test.accuracy;
        summary.negativeTransfer = summary.transferGain < 0;
        if (summary.negativeTransfer) {
          record({ kind: 'warning', message: `negative transfer: the pre-trained model scored ${summary.transfer.test.accuracy.toFixed(3)} on the test split, below the from-scratch baseline's ${summary.baseline.test.accuracy.toFixed(3)}` });
        }
      }
    }
    return await finish('completed');
  } catch (err) {
    return await finish('failed', err instanceof Error ? err.message.split('\n')[0] : String(err));
  } finally {
    session.featureCache?.close();
    // Free the weights now: a long-lived trainer process runs many experiments.
    releaseWeights([...models, base]);
    models = [];
  }
}
