// The same architecture with newly initialized weights, for the from-scratch baseline.
import * as tfl from '@tensorflow/tfjs-layers';

/** Gives every random initializer in a (TypeScript-style) model config its own seed. */
function seedInitializers(node: unknown, next: () => number): void {
  if (Array.isArray(node)) {
    for (const item of node) seedInitializers(item, next);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (/Initializer$/.test(key) && value && typeof value === 'object') {
      const init = value as { className?: string; config?: Record<string, unknown> };
      if (init.config && !/^(Zeros|Ones|Constant|Identity)$/.test(init.className ?? '')) init.config.seed = next();
    } else seedInitializers(value, next);
  }
}

/**
 * A new model with `model`'s architecture and fresh random weights (BatchNorm statistics
 * reset to 0 and 1). The same seed gives the same weights.
 */
export function freshCopy(model: tfl.LayersModel, seed = 42): tfl.LayersModel {
  const config = JSON.parse(JSON.stringify(model.getConfig())) as Record<string, unknown>;
  let n = 0;
  seedInitializers(config, () => seed * 100_003 + n++);
  return tfl.LayersModel.fromConfig(tfl.LayersModel, config as Parameters<typeof tfl.LayersModel.fromConfig>[1]) as tfl.LayersModel;
}
