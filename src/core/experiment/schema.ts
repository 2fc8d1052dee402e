// The one source of the experiment file format: the TypeScript type, the runtime
// validator and (through scripts/build.mjs) the JSON Schema VS Code uses in the editor.
import { z } from 'zod';

const layerName = z.string().min(1).describe('A layer name of the base model (see "Transfer Lab: Inspect Model").');

export const FreezeSchema = z
  .union([
    z.enum(['all', 'none']),
    z.object({ upTo: layerName.describe('Freeze every layer from the input up to and including this one.') }).strict(),
    z.object({ layers: z.array(layerName).min(1).describe('Freeze exactly these layers.') }).strict(),
  ])
  .describe('Which base layers keep their pre-trained weights. Frozen BatchNormalization layers run in inference mode.');

export const HeadSchema = z
  .object({
    pooling: z.enum(['avg', 'max', 'flatten']).default('avg').describe('How the cut layer\'s feature map becomes a vector.'),
    hidden: z.array(z.int().positive()).default([]).describe('Sizes of hidden dense layers (ReLU) before the classifier.'),
    dropout: z.number().min(0).max(0.9).default(0).describe('Dropout rate before each dense layer of the head.'),
  })
  .strict()
  .describe('The new classification head put on the cut layer.');

export const ModelSpecSchema = z
  .object({
    base: z
      .string()
      .min(1)
      .describe('Base model: a catalog id (e.g. "mobilenet_v1_0.25_224"), a path to a model.json, an http(s) URL, "builtin:<architecture>" for a small untrained network, or "run:<experiment name>" for the model an earlier run produced.'),
    cutAt: layerName.describe('The layer whose output feeds the new head; later layers of the base are dropped.'),
    freeze: FreezeSchema.default('all'),
    head: HeadSchema.default({ pooling: 'avg', hidden: [], dropout: 0 }),
  })
  .strict();

const splitSchema = z
  .object({
    validation: z.number().min(0).max(0.5).default(0.15).describe('Fraction of each class held out for validation.'),
    test: z.number().min(0).max(0.5).default(0.15).describe('Fraction of each class held out for the final test.'),
  })
  .strict()
  .describe('Deterministic from the seed, stratified per class.');

const augmentSchema = z
  .object({ flipHorizontal: z.boolean().default(false).describe('Randomly mirror training images left to right.') })
  .strict();

export const ImageFolderDataSchema = z
  .object({
    type: z.literal('imageFolder'),
    path: z.string().min(1).describe('Folder with one sub-folder of images (jpg, png, webp) per class; relative to the experiment file.'),
    imageSize: z.tuple([z.int().positive(), z.int().positive()]).default([224, 224]).describe('[height, width] the images are resized to.'),
    preprocess: z.enum(['mobilenet', 'unit', 'none']).default('mobilenet').describe('mobilenet: x/127.5-1; unit: x/255; none: raw 0..255.'),
    split: splitSchema.default({ validation: 0.15, test: 0.15 }),
    augment: augmentSchema.default({ flipHorizontal: false }),
    maxPerClass: z.int().positive().optional().describe('Use at most this many images of each class (chosen by the seed).'),
  })
  .strict();

export const MnistDataSchema = z
  .object({
    type: z.literal('mnist'),
    digits: z.array(z.int().min(0).max(9)).min(2).default([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).describe('The digits that are the classes, in label order.'),
    trainPerClass: z.int().positive().optional().describe('Labelled training images per digit, chosen by the seed (default: all).'),
    validationPerClass: z.int().positive().default(100).describe('Validation images per digit, held out of the MNIST training set.'),
    testPerClass: z.int().positive().optional().describe('Test images per digit from the MNIST test set (default: all).'),
    preprocess: z.enum(['unit', 'none']).default('unit'),
  })
  .strict();

export const DataSchema = z.discriminatedUnion('type', [ImageFolderDataSchema, MnistDataSchema]);

export const PhaseSchema = z
  .object({
    name: z.string().min(1),
    epochs: z.int().positive(),
    learningRate: z.number().positive(),
    unfreezeFrom: layerName.optional().describe('Make this layer and every later base layer trainable in this phase (fine-tuning).'),
    freeze: FreezeSchema.optional().describe('Replace model.freeze for this phase.'),
  })
  .strict();

export const TrainingSchema = z
  .object({
    batchSize: z.int().positive().default(32),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
    phases: z.array(PhaseSchema).min(1).describe('Run in order: train the head first, then fine-tune at a low learning rate.'),
    earlyStopping: z
      .object({
        monitor: z.enum(['val_loss', 'val_accuracy']).default('val_loss'),
        patience: z.int().positive().default(3),
        minDelta: z.number().min(0).default(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export const ExperimentSchema = z
  .object({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-" (it names the runs folder)')
      .describe('The experiment\'s name; its runs go to runs/<name>/.'),
    description: z.string().optional(),
    seed: z.int().default(42).describe('Seeds the split, the shuffling, the augmentation and the initial weights.'),
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto').describe('TensorFlow.js backend; auto picks the fastest available.'),
    model: ModelSpecSchema,
    data: DataSchema,
    training: TrainingSchema,
    baseline: z
      .object({ fromScratch: z.boolean().default(false).describe('Also train the same architecture from random weights and report the transfer gain.') })
      .strict()
      .default({ fromScratch: false }),
    featureCache: z.boolean().default(true).describe('Compute the frozen part once and reuse it across epochs and runs.'),
  })
  .strict();

export type Experiment = z.output<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentSchema>;
export type FreezeSpec = z.output<typeof FreezeSchema>;
export type HeadSpec = z.output<typeof HeadSchema>;
export type ModelSpec = z.output<typeof ModelSpecSchema>;
export type DataSpec = z.output<typeof DataSchema>;
export type ImageFolderDataSpec = z.output<typeof ImageFolderDataSchema>;
export type MnistDataSpec = z.output<typeof MnistDataSchema>;
export type PhaseSpec = z.output<typeof PhaseSchema>;
export type TrainingSpec = z.output<typeof TrainingSchema>;

/** The JSON Schema contributed to VS Code for *.experiment.json. */
export function experimentJsonSchema(): object {
  const schema = z.toJSONSchema(ExperimentSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'Transfer Lab experiment', $id: 'https://transfer-lab.dev/experiment.schema.json' };
}
