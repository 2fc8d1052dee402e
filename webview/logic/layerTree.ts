// The rows of the panel's layer table: every base layer with its state under the experiment's
// freeze plan (computed by the same `layerStates` the engine uses), the new head's layers,
// and the parameter totals. Pure, so it is unit tested and cheap to recompute per toggle.
import { layerStates } from '../../src/shared/freezePlan';
import { formatShape as formatShapeWith, type LayerInfo, type LayerState, type Shape } from '../../src/shared/model';
import { flattenLayers, type FreezeSettings } from '../../src/shared/panelFreeze';

export interface LayerRow {
  name: string;
  className: string;
  shape: string;
  params: number;
  depth: number;
  isGroup: boolean;
  /** A layer of the new head (no toggles). */
  isHead: boolean;
  /** A top-level base layer: the freeze plan can name it. */
  toggleable: boolean;
  state: LayerState;
  /** Per phase: does this layer train in it? */
  phaseTrains: boolean[];
}

export interface Totals {
  trainable: number;
  frozen: number;
  /** Parameters of layers after cutAt, which the transfer model drops. */
  cut: number;
  head: number;
}

export interface HeadSettings {
  pooling: 'avg' | 'max' | 'flatten';
  hidden: readonly number[];
  dropout: number;
}

export const formatShape = (shape: Shape | Shape[]): string => formatShapeWith(shape, { separator: ', ' });

function firstShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape as Shape[])[0]! : (shape as Shape);
}

/** The new head's layers on a feature map of `cutShape`, with their parameter counts. */
export function headRows(cutShape: Shape, head: HeadSettings, classes: number | null): { name: string; className: string; shape: string; params: number }[] {
  const dims = cutShape.slice(1).map((d) => d ?? 1);
  let width = head.pooling === 'flatten' || dims.length <= 1 ? dims.reduce((a, b) => a * b, 1) : dims.at(-1)!;
  const rows: { name: string; className: string; shape: string; params: number }[] = [];
  if (dims.length > 1) {
    const cls = { avg: 'GlobalAveragePooling2D', max: 'GlobalMaxPooling2D', flatten: 'Flatten' }[head.pooling];
    rows.push({ name: `head_${head.pooling === 'flatten' ? 'flatten' : `${head.pooling}_pool`}`, className: cls, shape: `[?, ${width}]`, params: 0 });
  }
  const dense = (name: string, units: number | null) => {
    if (head.dropout > 0) rows.push({ name: `${name}_dropout`, className: 'Dropout', shape: `[?, ${width}]`, params: 0 });
    rows.push({ name, className: 'Dense', shape: `[?, ${units ?? '?'}]`, params: units === null ? 0 : width * units + units });
    width = units ?? 0;
  };
  head.hidden.forEach((units, i) => dense(`head_dense_${i + 1}`, units));
  dense('head_classifier', classes);
  return rows;
}

export interface TreeInput {
  layers: readonly LayerInfo[];
  settings: FreezeSettings;
  head: HeadSettings;
  classes: number | null;
  /** The phase whose states the State column shows; null shows model.freeze alone. */
  phase: number | null;
}

export interface Tree {
  rows: LayerRow[];
  totals: Totals;
}

export function buildTree(input: TreeInput): Tree {
  const flat = flattenLayers(input.layers);
  const names = input.layers.map((l) => l.name);
  const isBN = (n: string) => input.layers[names.indexOf(n)]?.isBatchNorm ?? false;
  const model = { cutAt: input.settings.cutAt, freeze: input.settings.freeze };
  const shown = layerStates(names, isBN, model, input.phase === null ? {} : input.settings.phases[input.phase] ?? {});
  const perPhase = input.settings.phases.map((p, i) => layerStates(names, isBN, model, p, `training.phases[${i}]`));
  const totals: Totals = { trainable: 0, frozen: 0, cut: 0, head: 0 };
  // Count top-level layers only: a nested model's parameters are the sum of its children's.
  input.layers.forEach((l, i) => {
    const state = shown[i]!;
    if (state === 'cut') totals.cut += l.params;
    else if (state === 'trainable') {
      // BatchNorm moving statistics never train, even in a trainable layer.
      totals.trainable += l.params - l.nonTrainableParams;
      totals.frozen += l.nonTrainableParams;
    } else totals.frozen += l.params;
  });
  const rows: LayerRow[] = flat.map((f) => {
    const topState = shown[f.top]!;
    // A nested BatchNorm in a frozen container runs in inference mode too.
    const state = topState === 'frozen' && f.info.isBatchNorm ? 'bn-inference' : topState;
    return {
      name: f.info.name,
      className: f.info.className,
      shape: formatShape(f.info.outputShape),
      params: f.info.params,
      depth: f.depth,
      isGroup: f.isGroup,
      isHead: false,
      toggleable: f.depth === 0,
      state,
      phaseTrains: perPhase.map((s) => s[f.top] === 'trainable'),
    };
  });
  const cutLayer = input.layers[names.indexOf(input.settings.cutAt)]!;
  for (const h of headRows(firstShape(cutLayer.outputShape), input.head, input.classes)) {
    totals.head += h.params;
    rows.push({ ...h, depth: 0, isGroup: false, isHead: true, toggleable: false, state: 'head', phaseTrains: perPhase.map(() => true) });
  }
  totals.trainable += totals.head;
  return { rows, totals };
}

/** Indexes of the rows whose name or type contains `filter` (case-insensitive); all when empty. */
export function filterRows(rows: readonly LayerRow[], filter: string): number[] {
  const f = filter.trim().toLowerCase();
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (!f || r.name.toLowerCase().includes(f) || r.className.toLowerCase().includes(f)) out.push(i);
  });
  return out;
}
