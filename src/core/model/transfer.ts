// The transfer model: the base up to the cut layer, then a new classification head. Per
// training phase, applyPhase sets which layers train and splits the model at the end of the
// frozen prefix, so the prefix can run once (feature cache) and only the suffix trains.
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerState } from '../../shared/model';
import { UnknownLayerError, closestNames } from '../../shared/freezePlan';
import type { HeadSpec } from '../experiment/schema';
import { countParams, fixedParams, isBatchNormLayer, isContainer } from './inspect';
import { useFastTrainingOps } from './batchNormMode';
import { nodesIn } from './graph';

type Layer = tfl.LayersModel['layers'][number];
type Kwargs = Record<string, unknown>;

/** One application of a layer in a graph: what it read and what it produced. */
interface Step {
  layer: Layer;
  inputs: tfl.SymbolicTensor[];
  outputs: tfl.SymbolicTensor[];
  kwargs: Kwargs;
}

export interface TransferSpec {
  cutAt: string;
  head: HeadSpec;
}

export interface TransferModel {
  /** Input -> base up to cutAt -> head. Shares its base layers (and weights) with `base`. */
  model: tfl.LayersModel;
  base: tfl.LayersModel;
  /** Every layer name of the base, in its topological order: the order of LayerState[]. */
  baseLayerNames: string[];
  headLayerNames: string[];
  cutAt: string;
  isBatchNorm(name: string): boolean;
  /** Parameters that train and that stay fixed (frozen layers, BN statistics) under `states`. */
  paramCounts(states: readonly LayerState[]): { trainable: number; frozen: number };
  /** The layer applyPhase would split at for `states`, or null. */
  boundaryFor(states: readonly LayerState[]): string | null;
  /** @internal the model's graph, base steps then head steps, in order. */
  readonly steps: readonly Step[];
  /** @internal how many of `steps` belong to the base. */
  readonly baseSteps: number;
}

export interface AppliedPhase {
  /** Input -> boundary output, to run in inference mode once per example; null without a boundary. */
  prefix: tfl.LayersModel | null;
  /**
   * Boundary output (or the model input) -> head output; shares the model's layer objects.
   * Prefix and suffix are views: dispose the transfer model and the base, never these.
   */
  suffix: tfl.LayersModel;
  boundary: string | null;
  /** The variables to pass to `optimizer.minimize(..., varList)`. */
  trainableWeights: tf.Variable[];
}

const isInputLayer = (l: Layer) => l.getClassName() === 'InputLayer';

/** Applies each step's layer again to the tensors `map` gives for its inputs, extending `map`. */
function replay(steps: readonly Step[], map: Map<number, tfl.SymbolicTensor>): Step[] {
  return steps.map((s) => {
    const inputs = s.inputs.map((t) => map.get(t.id)!);
    const out = s.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, s.kwargs) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
    const outputs = Array.isArray(out) ? out : [out];
    s.outputs.forEach((t, i) => map.set(t.id, outputs[i]!));
    return { layer: s.layer, inputs, outputs, kwargs: s.kwargs };
  });
}

/** The base's own graph: for each non-input layer, its application inside the base. */
function baseGraph(base: tfl.LayersModel): Step[] {
  const members = new Set(base.layers);
  return base.layers.filter((l) => !isInputLayer(l)).map((layer) => {
    const nodes = nodesIn(layer, members);
    if (nodes.length !== 1 || nodes[0]!.inboundLayers.length === 0) {
      throw new Error(`base model layer "${layer.name}" is ${nodes.length > 1 ? 'applied more than once (shared layers are not supported)' : 'not connected'}`);
    }
    const node = nodes[0]!;
    return { layer, inputs: node.inputTensors, outputs: node.outputTensors, kwargs: (node.callArgs ?? {}) as Kwargs };
  });
}

function unknownLayer(name: string, field: string, names: string[]): UnknownLayerError {
  return new UnknownLayerError(name, field, closestNames(name, names));
}

export function buildTransferModel(base: tfl.LayersModel, spec: TransferSpec, numClasses: number, seed: number): TransferModel {
  if (base.inputs.length !== 1) throw new Error(`base model "${base.name}" has ${base.inputs.length} inputs; only single-input models can be used`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`a classifier needs at least 2 classes, got ${numClasses}`);
  const baseLayerNames = base.layers.map((l) => l.name);
  const cutLayer = base.layers.find((l) => l.name === spec.cutAt);
  if (!cutLayer) throw unknownLayer(spec.cutAt, 'model.cutAt', baseLayerNames);
  if (isInputLayer(cutLayer)) throw new Error(`model.cutAt: "${spec.cutAt}" is the input layer; cut at a later layer`);

  // Only the layers the cut layer depends on are kept (later layers and dead branches go).
  const all = baseGraph(base);
  const producer = new Map<number, Step>();
  for (const s of all) for (const t of s.outputs) producer.set(t.id, s);
  const needed = new Set<Step>();
  const visit = (s: Step) => {
    if (needed.has(s)) return;
    needed.add(s);
    for (const t of s.inputs) {
      const p = producer.get(t.id);
      if (p) visit(p);
    }
  };
  const cutStep = all.find((s) => s.layer === cutLayer)!;
  if (cutStep.outputs.length !== 1) throw new Error(`model.cutAt: layer "${spec.cutAt}" has ${cutStep.outputs.length} outputs; cut at a layer with one`);
  visit(cutStep);

  // A fresh input with the base input layer's name, so the transfer model's layer names are the base's.
  const baseInput = base.inputs[0]!;
  const input = tfl.input({ batchShape: baseInput.shape, dtype: baseInput.dtype, name: baseInput.sourceLayer.name });
  const map = new Map<number, tfl.SymbolicTensor>([[baseInput.id, input]]);
  const baseSteps = replay(all.filter((s) => needed.has(s)), map);
  const features = map.get(cutStep.outputs[0]!.id)!;

  // The head, its initial weights seeded from the experiment's seed.
  const headSteps: Step[] = [];
  let x = features;
  let n = 0;
  const add = (layer: Layer) => {
    const inputs = [x];
    x = layer.apply(x) as tfl.SymbolicTensor;
    headSteps.push({ layer, inputs, outputs: [x], kwargs: {} });
  };
  const init = () => tfl.initializers.glorotUniform({ seed: seed * 7919 + 17 * n++ });
  const rank = features.shape.length;
  const pooling = spec.head.pooling;
  if (rank === 4) {
    add(pooling === 'avg' ? tfl.layers.globalAveragePooling2d({ name: 'head_pool' }) : pooling === 'max' ? tfl.layers.globalMaxPooling2d({ name: 'head_pool' }) : tfl.layers.flatten({ name: 'head_flatten' }));
  } else if (rank === 3) {
    add(pooling === 'avg' ? tfl.layers.globalAveragePooling1d({ name: 'head_pool' }) : pooling === 'max' ? tfl.layers.globalMaxPooling1d({ name: 'head_pool' }) : tfl.layers.flatten({ name: 'head_flatten' }));
  } else if (rank !== 2) {
    throw new Error(`model.cutAt: layer "${spec.cutAt}" outputs rank-${rank} tensors [${features.shape.join(',')}]; the head takes rank 2, 3 or 4`);
  }
  spec.head.hidden.forEach((units, i) => {
    if (spec.head.dropout > 0) add(tfl.layers.dropout({ name: `head_dropout_${i + 1}`, rate: spec.head.dropout, seed: seed + i }));
    add(tfl.layers.dense({ name: `head_dense_${i + 1}`, units, activation: 'relu', kernelInitializer: init() }));
  });
  if (spec.head.dropout > 0) add(tfl.layers.dropout({ name: 'head_dropout', rate: spec.head.dropout, seed: seed + spec.head.hidden.length }));
  add(tfl.layers.dense({ name: 'head_predictions', units: numClasses, activation: 'softmax', kernelInitializer: init() }));

  const model = tfl.model({ inputs: input, outputs: x, name: 'transfer' });
  const steps = [...baseSteps, ...headSteps];
  const byName = new Map(base.layers.map((l) => [l.name, l]));
  const tm: TransferModel = {
    model,
    base,
    baseLayerNames,
    headLayerNames: headSteps.map((s) => s.layer.name),
    cutAt: spec.cutAt,
    steps,
    baseSteps: baseSteps.length,
    isBatchNorm: (name) => {
      const l = byName.get(name);
      return l ? isBatchNormLayer(l) : false;
    },
    paramCounts: (states) => {
      const st = stateMap(tm, states);
      let trainable = 0;
      let frozen = 0;
      steps.forEach((s, i) => {
        const all = countParams(s.layer);
        if (i >= baseSteps.length || st.get(s.layer.name) === 'trainable') {
          const fixed = fixedParams(s.layer);
          trainable += all - fixed;
          frozen += fixed;
        } else frozen += all;
      });
      return { trainable, frozen };
    },
    boundaryFor: (states) => {
      const k = boundaryIndex(tm, stateMap(tm, states));
      return k < 0 ? null : steps[k]!.layer.name;
    },
  };
  return tm;
}

function stateMap(tm: TransferModel, states: readonly LayerState[]): Map<string, LayerState> {
  if (states.length !== tm.baseLayerNames.length) {
    throw new Error(`expected one layer state per base layer (${tm.baseLayerNames.length}), got ${states.length}`);
  }
  return new Map(tm.baseLayerNames.map((n, i) => [n, states[i]!]));
}

const isFrozen = (s: LayerState | undefined) => s === 'frozen' || s === 'bn-inference';

/**
 * The step that ends the longest frozen prefix after which the graph reads nothing but that
 * step's output (so prefix and suffix meet at one tensor); -1 when there is none.
 */
function boundaryIndex(tm: TransferModel, st: Map<string, LayerState>): number {
  let end = -1;
  while (end + 1 < tm.baseSteps && isFrozen(st.get(tm.steps[end + 1]!.layer.name))) end++;
  for (let k = end; k >= 0; k--) {
    const b = tm.steps[k]!;
    if (b.outputs.length !== 1) continue;
    const available = new Set<number>([b.outputs[0]!.id]);
    let closed = true;
    for (const s of tm.steps.slice(k + 1)) {
      if (!s.inputs.every((t) => available.has(t.id))) {
        closed = false;
        break;
      }
      for (const t of s.outputs) available.add(t.id);
    }
    if (closed) return k;
  }
  return -1;
}

/**
 * Sets `trainable` on a layer (and inside nested models), then the training hooks that follow
 * from it: frozen-BatchNorm inference, the fused training ops.
 */
function setFrozen(layer: Layer, frozen: boolean): void {
  const mark = (l: Layer): void => {
    l.trainable = !frozen;
    if (isContainer(l)) for (const inner of l.layers) mark(inner);
  };
  mark(layer);
  useFastTrainingOps(layer);
}

/**
 * Applies one phase's layer states (from `layerStates()`, one per base layer): frozen layers
 * stop training and frozen BatchNorm layers normalize with their moving statistics even in
 * training mode. Returns the prefix/suffix split at the frozen boundary.
 */
export function applyPhase(tm: TransferModel, states: readonly LayerState[]): AppliedPhase {
  const st = stateMap(tm, states);
  tm.steps.forEach((s, i) => setFrozen(s.layer, i < tm.baseSteps && st.get(s.layer.name) !== 'trainable'));
  const k = boundaryIndex(tm, st);
  if (k < 0) {
    return { prefix: null, suffix: tm.model, boundary: null, trainableWeights: variablesOf(tm.model) };
  }
  const b = tm.steps[k]!;
  const boundaryOut = b.outputs[0]!;
  const prefix = tfl.model({ inputs: tm.model.inputs, outputs: boundaryOut, name: `prefix_to_${b.layer.name}` });
  const input = tfl.input({ batchShape: boundaryOut.shape, dtype: boundaryOut.dtype, name: `${b.layer.name}_features` });
  const map = new Map<number, tfl.SymbolicTensor>([[boundaryOut.id, input]]);
  const replayed = tm.steps.slice(k + 1);
  replay(replayed, map);
  // Applying a layer counts as owning it (tfjs disposes a layer's weights when its count
  // reaches 0). The suffix is a view of the transfer model, so it takes no share: disposing
  // the transfer model and the base still frees every weight, and phases can be re-applied.
  for (const s of replayed) (s.layer as unknown as { _refCount: number | null })._refCount! -= 1;
  const output = map.get(tm.model.outputs[0]!.id)!;
  const suffix = tfl.model({ inputs: input, outputs: output, name: `suffix_from_${b.layer.name}` });
  return { prefix, suffix, boundary: b.layer.name, trainableWeights: variablesOf(suffix) };
}

/** The tf.Variables behind a model's trainable LayerVariables. */
function variablesOf(model: tfl.LayersModel): tf.Variable[] {
  // LayerVariable.read() returns the variable itself (typed as a Tensor).
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
