// What one phase trains on: preprocessed images, or the frozen prefix's activations computed
// once per example (both orientations when flipping) and kept in the on-disk feature cache.
import type { Dataset, Split } from '../data';
import type { applyPhase } from '../model';
import { computeFeatures, featureSource, imageSource, type InputSource } from './sources';
import type { TrainSession } from './trainModel';

export interface PhaseInputs {
  sources: { train: InputSource; val: InputSource; test: InputSource };
  /** The layer whose activations are the inputs, or null when the inputs are images. */
  boundary: string | null;
  hits: number;
  misses: number;
}

/** null when a stop request arrived while the features were being computed. */
export async function phaseInputs(
  applied: ReturnType<typeof applyPhase>,
  ds: Dataset,
  augmentFlip: boolean,
  batchSize: number,
  session: TrainSession,
  useFeatureCache: boolean,
): Promise<PhaseInputs | null> {
  const images = { train: imageSource(ds, ds.train), val: imageSource(ds, ds.validation), test: imageSource(ds, ds.test) };
  const { prefix, boundary } = applied;
  if (!prefix || !boundary || !useFeatureCache) return { sources: images, boundary: null, hits: 0, misses: 0 };

  const trainCost = ds.train.count * (augmentFlip ? 2 : 1);
  const total = trainCost + ds.validation.count + ds.test.count;
  const cache = session.featureCache ?? null;
  const pack = cache && (await cache.packFor({ prefix, boundary, preprocess: ds.preprocess, imageShape: ds.imageShape }));
  const store = (split: Split) => (cache && pack ? { cache, pack, keys: split.keys } : null);
  const features = (source: InputSource, split: Split, mirrored: boolean, doneBefore: number, scale: number) =>
    computeFeatures(prefix, source, mirrored, batchSize, (d) => session.emit({ kind: 'progress', task: `features at ${boundary}`, done: doneBefore + d * scale, total }), session.shouldStop, store(split));

  const train = await features(images.train, ds.train, augmentFlip, 0, augmentFlip ? 2 : 1);
  const val = train && (await features(images.val, ds.validation, false, trainCost, 1));
  const test = val && (await features(images.test, ds.test, false, trainCost + ds.validation.count, 1));
  // The image sources' worker registrations are not needed past the first pass.
  for (const src of Object.values(images)) src.dispose();
  if (!train || !val || !test) return null;
  return {
    sources: { train: featureSource(train, ds.train.count), val: featureSource(val, ds.validation.count), test: featureSource(test, ds.test.count) },
    boundary,
    hits: train.hits + val.hits + test.hits,
    misses: train.misses + val.misses + test.misses,
  };
}
