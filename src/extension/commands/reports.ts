// Text of the read-only documents the Inspect Model and Show Backend Info commands open. Pure.
import type { ModelInspection } from '../../shared/model';
import type { BackendReport } from '../../shared/trainerProtocol';
import { formatParams, formatShape } from '../explorer/treeModel';

export function inspectionReport(i: ModelInspection): string {
  const rows = i.layers.map((l, n) => [String(n + 1), l.name, l.className, formatShape(l.outputShape), formatParams(l.params)]);
  const head = ['#', 'layer', 'type', 'output shape', 'params'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 4 || c === 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [
    `Model: ${i.ref}`,
    `Source: ${i.source}`,
    `Input: ${formatShape(i.inputShape)}   Output: ${formatShape(i.outputShape)}`,
    `Layers: ${i.layers.length}   Params: ${formatParams(i.totalParams)}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n');
}

/** How to get each backend that is not available (the probe's reason says what is missing). */
const INSTALL_HINTS: Record<string, string> = {
  tensorflow:
    'run `npm install @tensorflow/tfjs-node-gpu@4.22.0` (NVIDIA GPU, Linux x64, with the CUDA and cuDNN versions named above) or `npm install @tensorflow/tfjs-node@4.22.0` (native CPU) in the extension\'s folder, then reload the window.',
  wasm: 'WebAssembly ships with the extension; if it is unavailable, its package or .wasm files are missing: reinstall the extension.',
};

export function backendReport(r: BackendReport): string {
  const lines = [`Transfer Lab runs would use: ${r.chosen}`, '', 'Backends, best first:'];
  for (const c of r.candidates) lines.push(`  ${c.available ? '[available]  ' : '[unavailable]'} ${c.name}: ${c.reason}`);
  const missing = r.candidates.filter((c) => !c.available);
  if (missing.length) {
    lines.push('', 'How to enable the unavailable ones:');
    for (const c of missing) lines.push(`  ${c.name}: ${INSTALL_HINTS[c.name] ?? 'see the README'}`);
  }
  lines.push('', 'Choose one with the setting "transferLab.backend" (auto picks the first available) or "backend" in an experiment file.', '');
  return lines.join('\n');
}
