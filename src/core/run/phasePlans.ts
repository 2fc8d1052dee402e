// Turns an experiment's phases into per-phase layer states and the numbers a person sees
// before training: which base layers train, how many parameters train or stay frozen.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { PhaseInfo } from '../../shared/events';
import { closestNames, layerStates, referencedLayers, UnknownLayerError } from '../../shared/freezePlan';
import type { Experiment } from '../experiment/schema';
import type { PhasePlan } from '../train/trainModel';
import type { TransferModel } from '../model';

const layerParams = (base: LayersModel, name: string) =>
  base.getLayer(name).weights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);

/** Checks every layer name the experiment mentions against the base model, before any work. */
export function checkLayerNames(e: Experiment, names: readonly string[]): void {
  for (const { field, layer } of referencedLayers(e.model, e.training.phases)) {
    if (!names.includes(layer)) throw new UnknownLayerError(layer, field, closestNames(layer, names));
  }
}

/**
 * The baseline trains every layer from random weights, for the same epochs, at the head
 * phase's learning rate (a fine-tune rate would leave random weights nearly untouched).
 */
export function phasePlans(tm: TransferModel, e: Experiment, baseline: boolean): PhasePlan[] {
  const { base, baseLayerNames } = tm;
  const isBn = (n: string) => base.getLayer(n).getClassName() === 'BatchNormalization';
  return e.training.phases.map((spec, index) => {
    const planSpec = baseline
      ? { ...spec, learningRate: e.training.phases[0]!.learningRate, unfreezeFrom: undefined, freeze: 'none' as const }
      : spec;
    const states = layerStates(baseLayerNames, isBn, { cutAt: e.model.cutAt, freeze: e.model.freeze }, planSpec, `training.phases[${index}]`);
    let trainable = 0;
    let frozen = 0;
    baseLayerNames.forEach((n, i) => {
      const s = states[i];
      if (s === 'cut') return;
      const p = layerParams(base, n);
      if (s === 'trainable') trainable += p;
      else frozen += p;
    });
    const info: PhaseInfo = {
      index,
      name: spec.name,
      epochs: spec.epochs,
      learningRate: planSpec.learningRate,
      trainableLayers: baseLayerNames.filter((_, i) => states[i] === 'trainable'),
      trainableParams: trainable,
      frozenParams: frozen,
      // Where the engine splits (tm.boundaryFor: the input layer is no step, and a branching
      // prefix must be closed), and only when the experiment caches features at all.
      cacheBoundary: e.featureCache ? tm.boundaryFor(states) : null,
    };
    return { info, spec: planSpec, states };
  });
}
