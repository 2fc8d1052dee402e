// What a click in the panel's layer tree means for the experiment file: the new freeze plan,
// written in the shortest form that says it. Pure and shared: the webview previews with it,
// the host turns the result into a file edit.
import { layerStates, type PlanModel, type PlanPhase } from './freezePlan';
import type { FreezePlanSpec, LayerInfo } from './model';
import type { PanelEdit } from './panelProtocol';

/**
 * A layer of the base model in the tree's order, nested models expanded after their
 * container. The freeze plan names top-level layers only (as the engine does), so a nested
 * layer shares the state of its top-level container.
 */
export interface FlatLayer {
  info: LayerInfo;
  depth: number;
  /** Index of the top-level layer this row is or belongs to. */
  top: number;
  /** A nested model: its parameters are its children's. */
  isGroup: boolean;
}

export function flattenLayers(layers: readonly LayerInfo[]): FlatLayer[] {
  const out: FlatLayer[] = [];
  const walk = (ls: readonly LayerInfo[], depth: number, top: number | null) =>
    ls.forEach((info, i) => {
      const isGroup = !!info.children?.length;
      out.push({ info, depth, top: top ?? i, isGroup });
      if (isGroup) walk(info.children!, depth + 1, top ?? i);
    });
  walk(layers, 0, null);
  return out;
}

/** The settings of an experiment that decide layer states. */
export interface FreezeSettings {
  cutAt: string;
  freeze: FreezePlanSpec;
  phases: readonly PlanPhase[];
}

/** Which layers are frozen (state frozen or bn-inference) in a view: `phase` null is model.freeze alone. */
export function frozenFlags(names: readonly string[], settings: FreezeSettings, phase: number | null): boolean[] {
  const model: PlanModel = { cutAt: settings.cutAt, freeze: settings.freeze };
  const p = phase === null ? {} : settings.phases[phase] ?? {};
  return layerStates(names, () => false, model, p, `training.phases[${phase ?? 0}]`).map((s) => s === 'frozen');
}

/**
 * The shortest freeze spec that freezes exactly `frozen` among the layers up to `cut`
 * (later layers are dropped, so their flags do not matter).
 */
export function normalizeFreeze(names: readonly string[], cut: number, frozen: readonly boolean[]): FreezePlanSpec {
  const kept = frozen.slice(0, cut + 1);
  if (kept.every(Boolean)) return 'all';
  if (!kept.some(Boolean)) return 'none';
  const firstTrainable = kept.indexOf(false);
  if (kept.slice(firstTrainable).every((f) => !f)) return { upTo: names[firstTrainable - 1]! };
  return { layers: names.filter((_, i) => i <= cut && kept[i]) };
}

/** A change to one property of the experiment; `value` undefined removes the property. */
export interface PropertyChange {
  path: (string | number)[];
  value: unknown;
}

function sameFlags(a: readonly boolean[], b: readonly boolean[], upTo: number): boolean {
  for (let i = 0; i <= upTo; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The property changes a panel edit makes. A phase edit keeps the phase's `unfreezeFrom`
 * form when the wanted plan is "model.freeze, then train from layer k on" (the usual
 * fine-tuning shape), and otherwise writes the phase's own `freeze`.
 */
export function planPanelEdit(names: readonly string[], settings: FreezeSettings, edit: PanelEdit): PropertyChange[] {
  const indexOf = (layer: string) => {
    const i = names.indexOf(layer);
    if (i < 0) throw new Error(`no layer named "${layer}" in the base model`);
    return i;
  };
  if (edit.kind === 'cut-at') {
    indexOf(edit.layer);
    return [{ path: ['model', 'cutAt'], value: edit.layer }];
  }
  const cut = indexOf(settings.cutAt);
  const at = indexOf(edit.layer);
  const wanted = frozenFlags(names, settings, edit.phase);
  if (edit.kind === 'set-frozen') wanted[at] = edit.frozen;
  else wanted.fill(true, 0, at + 1).fill(false, at + 1);

  if (edit.phase === null) return [{ path: ['model', 'freeze'], value: normalizeFreeze(names, cut, wanted) }];

  const phasePath = ['training', 'phases', edit.phase];
  const phase = settings.phases[edit.phase];
  if (!phase) throw new Error(`training.phases[${edit.phase}] does not exist`);
  const base = frozenFlags(names, settings, null);
  // Does "model.freeze + unfreezeFrom k" give exactly the wanted plan for some k?
  for (let k = 0; k <= cut + 1; k++) {
    const candidate = base.map((f, i) => f && i < k);
    if (!sameFlags(candidate, wanted, cut)) continue;
    const unfreezeFrom = k > cut || base.slice(k, cut + 1).every((f) => !f) ? undefined : names[k];
    return [
      { path: [...phasePath, 'freeze'], value: undefined },
      { path: [...phasePath, 'unfreezeFrom'], value: unfreezeFrom },
    ];
  }
  return [
    { path: [...phasePath, 'unfreezeFrom'], value: undefined },
    { path: [...phasePath, 'freeze'], value: normalizeFreeze(names, cut, wanted) },
  ];
}
