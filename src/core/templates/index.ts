// Starting points for new experiment files, shared by the extension's "New Experiment"
// command and the CLI's `transfer-lab new`. Every template renders to a file that
// parseExperiment accepts (test/unit/templates.test.ts checks it).
import type { ExperimentInput } from '../experiment/schema';

export interface TemplateInfo {
  id: TemplateId;
  label: string;
  description: string;
}

export type TemplateId = 'image-feature-extraction' | 'image-fine-tune' | 'mnist-transfer';

export interface TemplateOptions {
  /** The experiment's name (names the runs folder). */
  name: string;
  /** Image folder (one sub-folder per class), relative to the experiment file. Ignored by MNIST. */
  dataPath?: string;
  /**
   * Written as "$schema" so editors validate the file. Left out when not given: inside VS Code
   * the extension's jsonValidation contribution already matches *.experiment.json.
   */
  schemaUrl?: string;
  /** Overrides the base model (a catalog id, model.json path or URL). */
  base?: string;
}

export const TEMPLATES: readonly TemplateInfo[] = [
  {
    id: 'image-feature-extraction',
    label: 'Feature extraction on an image folder',
    description: 'MobileNet v1 0.25 frozen up to conv_pw_13_relu, a new classifier head trained on your images.',
  },
  {
    id: 'image-fine-tune',
    label: 'Fine-tune on an image folder',
    description: 'Train the head first, then unfreeze the last block (conv_dw_13 on) at a learning rate of 1e-5.',
  },
  {
    id: 'mnist-transfer',
    label: 'MNIST demo: digits 0-4 to digits 5-9',
    description: 'Reuse a network trained on digits 0-4 (run:mnist-source) for digits 5-9, against a from-scratch baseline.',
  },
];

const DEFAULT_DATA = 'data';
const MOBILENET = 'mobilenet_v1_0.25_224';

function imageData(dataPath: string | undefined): Extract<ExperimentInput['data'], { type: 'imageFolder' }> {
  return {
    type: 'imageFolder',
    path: dataPath ?? DEFAULT_DATA,
    imageSize: [224, 224],
    preprocess: 'mobilenet',
    split: { validation: 0.15, test: 0.15 },
  };
}

function build(id: TemplateId, o: TemplateOptions): ExperimentInput {
  switch (id) {
    case 'image-feature-extraction':
      return {
        name: o.name,
        description: 'Frozen MobileNet features and a new classifier head.',
        seed: 42,
        model: { base: o.base ?? MOBILENET, cutAt: 'conv_pw_13_relu', freeze: 'all', head: { pooling: 'avg', hidden: [], dropout: 0 } },
        data: imageData(o.dataPath),
        training: { batchSize: 32, optimizer: 'adam', phases: [{ name: 'head', epochs: 5, learningRate: 0.001 }] },
        featureCache: true,
      };
    case 'image-fine-tune':
      return {
        name: o.name,
        description: 'Train a new head on frozen features, then fine-tune the last block at a low learning rate.',
        seed: 42,
        model: { base: o.base ?? MOBILENET, cutAt: 'conv_pw_13_relu', freeze: 'all', head: { pooling: 'avg', hidden: [], dropout: 0.2 } },
        data: { ...imageData(o.dataPath), augment: { flipHorizontal: true } },
        training: {
          batchSize: 32,
          optimizer: 'adam',
          phases: [
            { name: 'head', epochs: 5, learningRate: 0.001 },
            { name: 'fine-tune', epochs: 3, learningRate: 1e-5, unfreezeFrom: 'conv_dw_13' },
          ],
          earlyStopping: { monitor: 'val_loss', patience: 3, minDelta: 0 },
        },
        featureCache: true,
      };
    case 'mnist-transfer':
      return {
        name: o.name,
        description: 'Features learned on digits 0-4 reused for digits 5-9, compared with training from scratch.',
        seed: 42,
        model: { base: o.base ?? 'run:mnist-source', cutAt: 'features', freeze: 'all', head: { pooling: 'flatten', hidden: [], dropout: 0 } },
        data: { type: 'mnist', digits: [5, 6, 7, 8, 9], trainPerClass: 50, validationPerClass: 100, testPerClass: 500, preprocess: 'unit' },
        training: { batchSize: 32, optimizer: 'adam', phases: [{ name: 'head', epochs: 10, learningRate: 0.001 }] },
        baseline: { fromScratch: true },
        featureCache: true,
      };
  }
}

export function isTemplateId(id: string): id is TemplateId {
  return TEMPLATES.some((t) => t.id === id);
}

/** The experiment file text for a template: pretty JSON ending in a newline. */
export function renderTemplate(id: string, opts: TemplateOptions): string {
  if (!isTemplateId(id)) {
    throw new Error(`unknown template "${id}" (one of: ${TEMPLATES.map((t) => t.id).join(', ')})`);
  }
  const body = build(id, opts);
  const withSchema = opts.schemaUrl ? { $schema: opts.schemaUrl, ...body } : body;
  return JSON.stringify(withSchema, null, 2) + '\n';
}
