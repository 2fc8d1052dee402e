// Plain descriptions of a model's layers, shared by the engine (which computes them),
// the trainer protocol, the extension's explorer and the webview's layer tree.

export type Shape = (number | null)[];

export interface LayerInfo {
  name: string;
  /** The Keras/tfjs class name, e.g. "Conv2D", "BatchNormalization". */
  className: string;
  /** Output shape with the batch dimension as null; several for multi-output layers. */
  outputShape: Shape | Shape[];
  /** Number of weights in the layer (trainable and non-trainable variables together). */
  params: number;
  /** Of `params`, those that are non-trainable by nature (BatchNorm moving statistics). */
  nonTrainableParams: number;
  isBatchNorm: boolean;
  /** Names of the layers that feed this one. */
  inbound: string[];
  /** Layers of a nested model, expanded. */
  children?: LayerInfo[];
}

export interface ModelInspection {
  /** What the user named: catalog id, path, URL or run reference. */
  ref: string;
  /** Where the model.json was read from. */
  source: string;
  inputShape: Shape;
  outputShape: Shape;
  layers: LayerInfo[];
  totalParams: number;
}

/** A layer's role under an experiment's freeze plan in one phase. */
export type LayerState = 'frozen' | 'trainable' | 'bn-inference' | 'cut' | 'head';

export type FreezePlanSpec = 'all' | 'none' | { upTo: string } | { layers: string[] };

/** "[?,7,7,256]"; several outputs side by side. `unknown` stands for the batch and other free dimensions. */
export function formatShape(shape: Shape | Shape[], opts: { unknown?: string; separator?: string } = {}): string {
  const { unknown = '?', separator = ',' } = opts;
  const one = (s: Shape) => `[${s.map((d) => (d === null ? unknown : String(d))).join(separator)}]`;
  return shape.length > 0 && shape.every((d) => Array.isArray(d)) ? (shape as Shape[]).map(one).join(' ') : one(shape as Shape);
}
