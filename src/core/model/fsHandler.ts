// Reads and writes TensorFlow.js LayersModels on disk with plain `fs`, so the engine needs
// no tfjs-node (whose native binary is optional): `tf.loadLayersModel(fsLoadHandler(file))`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { ModelFileError, checkGroupSize, parseModelJson, checkShardPath } from './manifest';

/** A load handler for a model.json and its shards next to it (validated before reading). */
export function fsLoadHandler(modelJsonPath: string): io.IOHandler {
  const file = path.resolve(modelJsonPath);
  return {
    async load(): Promise<io.ModelArtifacts> {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        throw new ModelFileError(file, `cannot read the model file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const json = parseModelJson(text, file);
      const dir = path.dirname(file);
      const manifest = json.weightsManifest;
      // Check every path first so a bad manifest is reported before any read.
      const groups = manifest.map((g) => g.paths.map((p) => checkShardPath(p, file)));
      const buffers: ArrayBuffer[] = [];
      for (const [i, paths] of groups.entries()) {
        const sizes: number[] = [];
        for (const rel of paths) {
          const shardFile = path.join(dir, ...rel.split('/'));
          let data: Buffer;
          try {
            data = await fs.readFile(shardFile);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            throw new ModelFileError(file, code === 'ENOENT' ? `weight shard "${rel}" is missing (expected ${shardFile})` : `cannot read weight shard "${rel}" (${code ?? (err as Error).message})`);
          }
          sizes.push(data.byteLength);
          buffers.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
        }
        checkGroupSize(manifest, i, sizes, file);
      }
      const weightSpecs = manifest.flatMap((g) => g.weights);
      return io.getModelArtifactsForJSON(json as unknown as io.ModelJSON, async () => [weightSpecs, io.concatenateArrayBuffers(buffers)]);
    },
  };
}

/** A save handler writing `<dir>/model.json` and one `<dir>/weights.bin`. */
export function fsSaveHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('saving a graph model is not supported');
      await fs.mkdir(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array(weights));
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts),
      };
    },
  };
}
