// Replacing a kernel the wasm backend already has: the stock one is unregistered, kept, and still
// runs for the inputs the replacement does not handle. Marked, so replacing twice is a no-op.
import * as tf from '@tensorflow/tfjs-core';

const OVERRIDDEN = Symbol.for('transfer-lab.wasmOverride');

type Marked = Record<symbol, boolean>;

/** Installs `replacement` for `handles(args)`, the stock kernel for the rest. Idempotent. */
export function overrideKernel(replacement: tf.KernelConfig, handles: (args: Parameters<tf.KernelFunc>[0]) => boolean): void {
  const stock = tf.getKernel(replacement.kernelName, replacement.backendName);
  if ((stock as unknown as Marked | undefined)?.[OVERRIDDEN]) return;
  const config: tf.KernelConfig = {
    ...(stock ?? replacement),
    kernelName: replacement.kernelName,
    backendName: replacement.backendName,
    kernelFunc: (args) => (stock === undefined || handles(args) ? replacement.kernelFunc(args) : stock.kernelFunc(args)),
  };
  (config as unknown as Marked)[OVERRIDDEN] = true;
  if (stock !== undefined) tf.unregisterKernel(replacement.kernelName, replacement.backendName);
  tf.registerKernel(config);
}
