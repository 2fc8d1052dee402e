// A run's settings as dotted paths, so the panel's comparison can show which ones differ.
// The host flattens each run's experiment.json with it; pure and shared.

/** Dotted-path view of a JSON value ("training.phases[1].learningRate" -> "0.0001"). */
export function flattenSettings(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) out[prefix] = JSON.stringify(value);
    else value.forEach((v, i) => flattenSettings(v, `${prefix}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$schema' || k === 'description') continue;
      flattenSettings(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}
