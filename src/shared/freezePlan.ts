// Which base layers train in which phase. Pure, so the engine, the extension and the
// panel compute the same answer from the same experiment.
import type { FreezePlanSpec, LayerState } from './model';

export interface PlanModel {
  cutAt: string;
  freeze: FreezePlanSpec;
}
export interface PlanPhase {
  unfreezeFrom?: string | undefined;
  freeze?: FreezePlanSpec | undefined;
}

export class UnknownLayerError extends Error {
  constructor(readonly layer: string, readonly field: string, readonly suggestions: string[]) {
    super(
      `${field}: no layer named "${layer}" in the base model` +
        (suggestions.length ? ` (did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?)` : ''),
    );
    this.name = 'UnknownLayerError';
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Up to `max` candidate names closest to `name`, best first. */
export function closestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const limit = Math.max(3, Math.floor(name.length / 2));
  return candidates
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}

function indexOf(layers: readonly string[], name: string, field: string): number {
  const i = layers.indexOf(name);
  if (i < 0) throw new UnknownLayerError(name, field, closestNames(name, layers));
  return i;
}

/** Every layer name a plan refers to, with the field it sits in, for validation and diagnostics. */
export function referencedLayers(model: PlanModel, phases: readonly PlanPhase[]): { field: string; layer: string }[] {
  const out: { field: string; layer: string }[] = [{ field: 'model.cutAt', layer: model.cutAt }];
  const fromFreeze = (f: FreezePlanSpec | undefined, field: string) => {
    if (!f || typeof f === 'string') return;
    if ('upTo' in f) out.push({ field: `${field}.upTo`, layer: f.upTo });
    else f.layers.forEach((layer, i) => out.push({ field: `${field}.layers[${i}]`, layer }));
  };
  fromFreeze(model.freeze, 'model.freeze');
  phases.forEach((p, i) => {
    if (p.unfreezeFrom) out.push({ field: `training.phases[${i}].unfreezeFrom`, layer: p.unfreezeFrom });
    fromFreeze(p.freeze, `training.phases[${i}].freeze`);
  });
  return out;
}

/**
 * The state of every base layer (in the base model's topological order) for one phase.
 * `isBatchNorm` tells which layers run in inference mode when frozen. Layers after `cutAt`
 * are 'cut'. Throws UnknownLayerError for a name that is not in `layers`.
 */
export function layerStates(
  layers: readonly string[],
  isBatchNorm: (name: string) => boolean,
  model: PlanModel,
  phase: PlanPhase = {},
  phaseField = 'training.phases[0]',
): LayerState[] {
  const cut = indexOf(layers, model.cutAt, 'model.cutAt');
  const freeze = phase.freeze ?? model.freeze;
  const freezeField = phase.freeze ? `${phaseField}.freeze` : 'model.freeze';
  const frozen = new Array<boolean>(layers.length).fill(false);
  if (freeze === 'all') frozen.fill(true);
  else if (freeze === 'none') frozen.fill(false);
  else if ('upTo' in freeze) frozen.fill(true, 0, indexOf(layers, freeze.upTo, `${freezeField}.upTo`) + 1);
  else for (const [i, name] of freeze.layers.entries()) frozen[indexOf(layers, name, `${freezeField}.layers[${i}]`)] = true;
  if (phase.unfreezeFrom) frozen.fill(false, indexOf(layers, phase.unfreezeFrom, `${phaseField}.unfreezeFrom`));
  return layers.map((name, i) => {
    if (i > cut) return 'cut';
    if (!frozen[i]) return 'trainable';
    return isBatchNorm(name) ? 'bn-inference' : 'frozen';
  });
}
