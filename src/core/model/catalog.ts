// Pre-trained TensorFlow.js LayersModels that experiments can name by id. Imports no
// TensorFlow.js, so the extension host can list the catalog and its cache state.

export interface CatalogEntry {
  id: string;
  url: string;
  description: string;
  /** [height, width] the model expects. */
  inputSize: [number, number];
  /** How pixels must be scaled for this model (see the experiment's data.preprocess). */
  preprocess: 'mobilenet' | 'unit' | 'none';
  /** A good layer to cut at for image features. */
  cutAt: string;
  /** A good first layer to unfreeze when fine-tuning. */
  fineTuneFrom: string;
}

/** Where Google hosts the TensorFlow.js MobileNet v1 LayersModels. */
export const DEFAULT_CATALOG_BASE_URL = 'https://storage.googleapis.com/tfjs-models/tfjs';

const mobilenet = (alpha: string, channels: number, note: string) => ({
  id: `mobilenet_v1_${alpha}_224`,
  description: `MobileNet v1, width ${alpha}, 224x224, ImageNet-pretrained (1000 classes). ${note} Cut at conv_pw_13_relu for 7x7x${channels} features.`,
  inputSize: [224, 224] as [number, number],
  preprocess: 'mobilenet' as const,
  cutAt: 'conv_pw_13_relu',
  fineTuneFrom: 'conv_dw_13',
});

const ENTRIES = [
  mobilenet('0.25', 256, 'Smallest and fastest; good for CPU training.'),
  mobilenet('0.50', 512, 'Small.'),
  mobilenet('0.75', 768, 'Medium.'),
  mobilenet('1.0', 1024, 'Largest and most accurate; slow to fine-tune on a CPU.'),
];

/** The catalog with model URLs under `baseUrl` (`<baseUrl>/<id>/model.json`). */
export function catalogAt(baseUrl: string): CatalogEntry[] {
  const base = baseUrl.replace(/\/+$/, '');
  return ENTRIES.map((e) => ({ ...e, inputSize: [...e.inputSize], url: `${base}/${e.id}/model.json` }));
}

/** The real catalog, with the hosted URLs. */
export const CATALOG: readonly CatalogEntry[] = catalogAt(DEFAULT_CATALOG_BASE_URL);

export function catalogEntry(id: string, baseUrl = DEFAULT_CATALOG_BASE_URL): CatalogEntry | undefined {
  return catalogAt(baseUrl).find((e) => e.id === id);
}
