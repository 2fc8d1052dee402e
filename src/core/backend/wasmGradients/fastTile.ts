// Tile on wasm is very slow (1.65 s for 26 MB), and the BatchNormalization gradient tiles the
// per-channel 1/sqrt(variance) over the whole batch. When tiling only repeats size-1 axes it is a
// broadcast, which wasm's elementwise kernels do at memory speed; other tiles keep the stock kernel.
import * as tf from '@tensorflow/tfjs-core';

const OVERRIDDEN = Symbol.for('transfer-lab.fastTile');

function isBroadcast(shape: number[], reps: number[]): boolean {
  return shape.length === reps.length && shape.every((d, k) => reps[k] === 1 || d === 1);
}

/** Replaces the wasm Tile kernel with one that broadcasts where it can. Idempotent. */
export function registerFastTile(): void {
  const stock = tf.getKernel(tf.Tile, 'wasm');
  if (!stock || (stock as unknown as Record<symbol, boolean>)[OVERRIDDEN]) return;
  const config: tf.KernelConfig = {
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { reps } = args.attrs as unknown as tf.TileAttrs;
      if (x.dtype !== 'float32' || !isBroadcast(x.shape, reps)) return stock.kernelFunc(args);
      return tf.tidy(() => {
        const outShape = x.shape.map((d, k) => d * reps[k]!);
        const xt = x instanceof tf.Tensor ? x : tf.engine().makeTensorFromTensorInfo(x);
        if (!(x instanceof tf.Tensor)) (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
        return tf.add(tf.zeros(outShape), xt);
      });
    },
  };
  (config as unknown as Record<symbol, boolean>)[OVERRIDDEN] = true;
  tf.unregisterKernel(tf.Tile, 'wasm');
  tf.registerKernel(config);
}
