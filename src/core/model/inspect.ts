// Plain descriptions of a loaded model's layers (for the explorer, the panel and the CLI).
import type * as tfl from '@tensorflow/tfjs-layers';
import { formatShape, type LayerInfo, type ModelInspection, type Shape } from '../../shared/model';
import { nodesIn } from './graph';

type AnyLayer = tfl.LayersModel['layers'][number];

export const isContainer = (layer: AnyLayer): layer is tfl.LayersModel =>
  Array.isArray((layer as Partial<tfl.LayersModel>).layers) && typeof (layer as Partial<tfl.LayersModel>).getLayer === 'function';

export const isBatchNormLayer = (layer: AnyLayer): boolean => layer.getClassName() === 'BatchNormalization';

const count = (weights: readonly { shape: readonly (number | null)[] }[]) => weights.reduce((a, w) => a + w.shape.reduce<number>((x, y) => x * (y ?? 1), 1), 0);

function safeOutputShape(layer: AnyLayer): Shape | Shape[] {
  try {
    return layer.outputShape as Shape | Shape[];
  } catch {
    // A layer applied several times with different shapes has no single output shape.
    return layer.inboundNodes.at(-1)?.outputShapes as Shape | Shape[];
  }
}

/**
 * Weights that never train whatever the freeze plan says (BatchNorm's moving mean and
 * variance). Told by name because `nonTrainableWeights` also lists a frozen layer's weights.
 */
export function fixedParams(layer: AnyLayer): number {
  if (isContainer(layer)) return layer.layers.reduce((a, l) => a + fixedParams(l), 0);
  return count(layer.weights.filter((w) => /(^|\/)moving_(mean|variance)(_\d+)?$/.test(w.originalName)));
}

export function countParams(layer: AnyLayer): number {
  return count(layer.weights);
}

/** `members`: the layers of the model `layer` is described as part of (for its inbound layers). */
export function describeLayer(layer: AnyLayer, members: ReadonlySet<AnyLayer> = new Set()): LayerInfo {
  const inbound = [...new Set(nodesIn(layer, members).flatMap((n) => n.inboundLayers.map((l) => l.name)))];
  const info: LayerInfo = {
    name: layer.name,
    className: layer.getClassName(),
    outputShape: safeOutputShape(layer),
    params: count(layer.weights),
    // BatchNorm's moving mean and variance never train; frozen trainable weights do not count here.
    nonTrainableParams: isContainer(layer) ? 0 : fixedParams(layer),
    isBatchNorm: isBatchNormLayer(layer),
    inbound,
  };
  if (isContainer(layer)) {
    const inner = new Set(layer.layers);
    info.children = layer.layers.map((l) => describeLayer(l, inner));
    info.nonTrainableParams = fixedParams(layer);
  }
  return info;
}

export function describeModel(model: tfl.LayersModel, ref: string, source: string): ModelInspection {
  return {
    ref,
    source,
    inputShape: model.inputs[0]!.shape as Shape,
    outputShape: model.outputs[0]!.shape as Shape,
    layers: model.layers.map((l) => describeLayer(l, new Set(model.layers))),
    totalParams: model.countParams(),
  };
}

const fmtShape = (s: Shape | Shape[]): string => formatShape(s, { unknown: 'null' });
const fmtInt = (n: number) => n.toLocaleString('en-US');

/** An aligned text table of the layers (nested models indented), with totals. */
export function formatLayerTable(inspection: ModelInspection): string {
  const rows: string[][] = [];
  const walk = (layers: LayerInfo[], depth: number) => {
    for (const l of layers) {
      rows.push([
        String(rows.length + 1),
        '  '.repeat(depth) + l.name,
        l.className,
        fmtShape(l.outputShape),
        fmtInt(l.params),
        l.isBatchNorm ? 'BN' : '',
        l.inbound.join(', '),
      ]);
      if (l.children) walk(l.children, depth + 1);
    }
  };
  walk(inspection.layers, 0);
  const header = ['#', 'Layer', 'Type', 'Output shape', 'Params', '', 'Inbound'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const right = new Set([0, 4]);
  const line = (r: string[]) =>
    r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const bn = inspection.layers.reduce((a, l) => a + l.nonTrainableParams, 0);
  const out = [
    `Model: ${inspection.ref}`,
    `Source: ${inspection.source}`,
    `Input: ${fmtShape(inspection.inputShape)}  Output: ${fmtShape(inspection.outputShape)}`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(),
    ...rows.map(line),
    '',
    `Layers: ${fmtInt(inspection.layers.length)}${rows.length > inspection.layers.length ? ` (${fmtInt(rows.length)} counting those inside nested models)` : ''}`,
    `Total params: ${fmtInt(inspection.totalParams)}`,
    `  of which BatchNorm moving statistics (never trained): ${fmtInt(bn)}`,
  ];
  return out.join('\n');
}
