// Gradient kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks, so that convolutional
// networks (MobileNet v1, small CNNs) can be trained on the wasm backend. Built from ops the wasm
// backend runs fast; see convGeometry.ts for the shared index arithmetic.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilter';
import { depthwiseBackpropFilterKernel } from './depthwiseBackpropFilter';
import { depthwiseBackpropInputKernel } from './depthwiseBackpropInput';
import { registerFastTile } from './fastTile';

const KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterKernel, depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel];

/** The kernels this module adds (names), for reports and tests. */
export const WASM_GRADIENT_KERNELS: readonly string[] = KERNELS.map((k) => k.kernelName);

/**
 * Registers the missing gradient kernels for 'wasm', and a Tile that broadcasts (BatchNorm's
 * gradient).  Idempotent; a kernel that a later
 * tfjs-backend-wasm provides itself is left alone.
 */
export function registerWasmGradients(): void {
  for (const k of KERNELS) {
    const existing = tf.getKernel(k.kernelName, 'wasm');
    if (existing === undefined) tf.registerKernel(k);
  }
  registerFastTile();
}
