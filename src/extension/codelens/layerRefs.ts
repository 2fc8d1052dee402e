// Where an experiment file names base-model layers (cutAt, freeze, unfreezeFrom), and which of
// those names the base model does not have. Pure (jsonc only), so the editor features built on
// it (diagnostics, hovers) are unit-tested without VS Code.
import * as jsonc from 'jsonc-parser';
import { ExperimentFileError, parseExperiment, type ExperimentIssue } from '../../core/experiment/load';
import type { Experiment } from '../../core/experiment/schema';
import { closestNames, referencedLayers } from '../../shared/freezePlan';

export interface LayerRef {
  /** e.g. "model.cutAt", "training.phases[1].unfreezeFrom". */
  field: string;
  layer: string;
  /** Of the string literal, quotes included. */
  offset: number;
  length: number;
}

export interface Problem {
  offset: number;
  length: number;
  message: string;
  /** Replacement names offered as quick fixes. */
  suggestions: string[];
}

/** "training.phases[1].freeze.layers[0]" -> ['training', 'phases', 1, 'freeze', 'layers', 0] */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

export type Parsed = { experiment: Experiment; issues: [] } | { experiment: null; issues: ExperimentIssue[] };

export function parseForEditor(text: string, file: string): Parsed {
  try {
    return { experiment: parseExperiment(text, file), issues: [] };
  } catch (err) {
    if (err instanceof ExperimentFileError) return { experiment: null, issues: err.issues };
    throw err;
  }
}

/** Every layer name the experiment refers to, with the position of its string in `text`. */
export function layerRefs(text: string, experiment: Experiment): LayerRef[] {
  const tree = jsonc.parseTree(text);
  if (!tree) return [];
  const out: LayerRef[] = [];
  for (const r of referencedLayers(experiment.model, experiment.training.phases)) {
    const node = jsonc.findNodeAtLocation(tree, fieldPath(r.field));
    if (node && node.type === 'string') out.push({ ...r, offset: node.offset, length: node.length });
  }
  return out;
}

/** The layer names `layers` does not contain, each with up to three closest names. */
export function unknownLayerProblems(refs: readonly LayerRef[], layers: readonly string[], base: string): Problem[] {
  const known = new Set(layers);
  return refs
    .filter((r) => !known.has(r.layer))
    .map((r) => {
      const suggestions = closestNames(r.layer, layers);
      return {
        offset: r.offset,
        length: r.length,
        message: `${r.field}: no layer named "${r.layer}" in ${base}${suggestions.length ? ` (did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?)` : ''}`,
        suggestions,
      };
    });
}

/** The layer reference under `offset`, if any. */
export function refAt(refs: readonly LayerRef[], offset: number): LayerRef | undefined {
  return refs.find((r) => offset >= r.offset && offset <= r.offset + r.length);
}
