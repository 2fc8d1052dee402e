// The data side of the engine: load a dataset from its spec, and turn it into batches.
import type { DataSpec } from '../experiment/schema';
import { loadImageFolder } from './imageFolder';
import { loadMnist } from './mnist';
import type { Dataset, LoadOptions } from './types';

export type { Dataset, LoadOptions, Preprocess, SkippedImage, Split } from './types';
export { preprocessPixels, flipHorizontal, checkExampleIndex, fillBatch, makeBatch, toTensors, type Batch, type BatchOptions, type HostBatch } from './batch';
export { listImageFolder, planImageFolder, decodeImage, IMAGE_EXTENSIONS } from './imageFolder';
export { splitCounts, splitClass } from './split';

/** Loads and splits the data an experiment describes. Throws naming the path when it cannot. */
export async function loadDataset(spec: DataSpec, opts: LoadOptions): Promise<Dataset> {
  switch (spec.type) {
    case 'imageFolder':
      return loadImageFolder(spec, opts);
    case 'mnist':
      return loadMnist(spec, opts);
  }
}
