// The end-to-end rows: the RPS feature-extraction experiment (MobileNet 0.25 cut at
// conv_pw_13_relu, 10 epochs, batch 32) through runExperiment, in a process of its own so that
// its peak memory is the trainer's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../src/core/run/runExperiment';
import { peakRssBytes, wasmHeapBytes } from './timing';

export type RpsMode = 'uncached' | 'cold' | 'warm';

export interface RpsResult {
  mode: RpsMode;
  seconds: number;
  status: string;
  testAccuracy: number | null;
  hits: number;
  misses: number;
  peakRss: number;
  wasmHeap: number;
  /** RSS after each epoch, to see growth across epochs. */
  epochRss: number[];
  epochSeconds: number[];
}

export function rpsExperiment(modelJson: string, data: string, featureCache: boolean) {
  return {
    name: 'bench-rps',
    seed: 42,
    model: { base: modelJson, cutAt: 'conv_pw_13_relu', freeze: 'all', head: { pooling: 'avg', hidden: [], dropout: 0 } },
    data: { type: 'imageFolder', path: data, imageSize: [224, 224], preprocess: 'mobilenet', split: { validation: 0.15, test: 0.15 } },
    training: { batchSize: 32, optimizer: 'adam', phases: [{ name: 'head', epochs: 10, learningRate: 0.001 }] },
    featureCache,
  };
}

export async function rpsRow(mode: RpsMode, workDir: string, modelJson: string, data: string): Promise<RpsResult> {
  const file = path.join(workDir, `rps-${mode}.experiment.json`);
  fs.writeFileSync(file, JSON.stringify(rpsExperiment(modelJson, data, mode !== 'uncached'), null, 2));
  const epochRss: number[] = [];
  const epochSeconds: number[] = [];
  const t0 = performance.now();
  const summary = await runExperiment(file, {
    runsDir: path.join(workDir, 'runs'),
    featureCacheDir: path.join(workDir, 'feature-cache'),
    onEvent: (e) => {
      if (e.kind === 'epoch') {
        epochRss.push(process.memoryUsage().rss);
        epochSeconds.push(e.seconds);
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    mode, seconds, status: summary.status, testAccuracy: summary.transfer.test?.accuracy ?? null,
    hits: summary.featureCache?.hits ?? 0, misses: summary.featureCache?.misses ?? 0,
    peakRss: peakRssBytes(), wasmHeap: wasmHeapBytes(), epochRss, epochSeconds,
  };
}
