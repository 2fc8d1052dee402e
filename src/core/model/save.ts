// A trained model on disk: tfjs LayersModel files plus transfer-lab.json, which says how to
// feed it (labels in output order, pixel preprocessing, image size).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { fsLoadHandler, fsSaveHandler } from './fsHandler';
import { ModelFileError } from './manifest';

export interface SavedModelMeta {
  labels: string[];
  preprocess: 'mobilenet' | 'unit' | 'none';
  /** [height, width]. */
  imageSize: [number, number];
}

export const META_FILE = 'transfer-lab.json';

/** Writes `<dir>/model.json`, `<dir>/weights.bin` and `<dir>/transfer-lab.json`. */
export async function saveModel(model: tfl.LayersModel, dir: string, meta: SavedModelMeta): Promise<void> {
  await model.save(fsSaveHandler(dir));
  await fs.writeFile(path.join(dir, META_FILE), JSON.stringify(meta, null, 2) + '\n');
}

/** The transfer-lab.json next to a model.json, or null when there is none. */
export async function readModelMeta(dir: string): Promise<SavedModelMeta | null> {
  const file = path.join(dir, META_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  let meta: Partial<SavedModelMeta>;
  try {
    meta = JSON.parse(text) as Partial<SavedModelMeta>;
  } catch (err) {
    throw new ModelFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  const okLabels = Array.isArray(meta.labels) && meta.labels.every((l) => typeof l === 'string');
  const okPre = meta.preprocess === 'mobilenet' || meta.preprocess === 'unit' || meta.preprocess === 'none';
  const okSize = Array.isArray(meta.imageSize) && meta.imageSize.length === 2 && meta.imageSize.every((n) => Number.isInteger(n) && n > 0);
  if (!okLabels || !okPre || !okSize) throw new ModelFileError(file, 'expected {"labels": [strings], "preprocess": "mobilenet"|"unit"|"none", "imageSize": [height, width]}');
  return meta as SavedModelMeta;
}

/** Loads a folder written by saveModel. */
export async function loadSavedModel(dir: string): Promise<{ model: tfl.LayersModel; meta: SavedModelMeta }> {
  const meta = await readModelMeta(dir);
  if (!meta) throw new ModelFileError(path.join(dir, META_FILE), 'missing: this folder was not written by Transfer Lab');
  const model = await tfl.loadLayersModel(fsLoadHandler(path.join(dir, 'model.json')));
  return { model, meta };
}
