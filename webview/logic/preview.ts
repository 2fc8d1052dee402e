// Applies a panel edit to the webview's copy of the experiment at once, so toggles and totals
// update without waiting for the host's file edit to come back (which then confirms it).
import { planPanelEdit } from '../../src/shared/panelFreeze';
import type { PanelEdit, PanelExperiment } from '../../src/shared/panelProtocol';

export function previewEdit(e: PanelExperiment, names: readonly string[], edit: PanelEdit): PanelExperiment {
  const changes = planPanelEdit(names, { cutAt: e.cutAt, freeze: e.freeze, phases: e.phases }, edit);
  const next: PanelExperiment = { ...e, phases: e.phases.map((p) => ({ ...p })) };
  for (const { path, value } of changes) {
    if (path[0] === 'model' && path[1] === 'freeze') next.freeze = value as PanelExperiment['freeze'];
    else if (path[0] === 'model' && path[1] === 'cutAt') next.cutAt = value as string;
    else if (path[0] === 'training' && path[1] === 'phases' && typeof path[2] === 'number') {
      const phase = next.phases[path[2]] as Record<string, unknown> | undefined;
      if (!phase) continue;
      if (value === undefined) delete phase[path[3] as string];
      else phase[path[3] as string] = value;
    }
  }
  return next;
}
