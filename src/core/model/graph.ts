// A layer can be applied in several graphs (a base model and the transfer model built from
// it, or a nested model that also has its own defining node), so "the layer's inputs" depend
// on which model is asked: these helpers pick the layer's nodes that belong to that model.
import type * as tfl from '@tensorflow/tfjs-layers';

export type Layer = tfl.LayersModel['layers'][number];
export type GraphNode = Layer['inboundNodes'][number];

/** The nodes of `layer` whose inputs all come from `members` (an input layer's own node when it has none). */
export function nodesIn(layer: Layer, members: ReadonlySet<Layer>): GraphNode[] {
  const own = layer.inboundNodes.filter((n) => n.inboundLayers.length > 0 && n.inboundLayers.every((l) => members.has(l)));
  if (own.length) return own;
  return layer.inboundNodes.filter((n) => n.inboundLayers.length === 0).slice(0, 1);
}
