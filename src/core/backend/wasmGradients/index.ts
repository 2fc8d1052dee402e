// Gradient kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks, so that convolutional
// networks (MobileNet v1, small CNNs) can be trained on the wasm backend, and faster replacements
// for stock kernels on the training path. Built from ops the wasm backend runs fast (XNNPACK
// convolutions and matrix products); see convGeometry.ts and filterGradient.ts for the index
// arithmetic.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilter';
import { conv2dBackpropInputKernel } from './conv2dBackpropInput';
import { depthwiseBackpropFilterKernel } from './depthwiseBackpropFilter';
import { depthwiseBackpropInputKernel } from './depthwiseBackpropInput';
import { registerFastTile } from './fastTile';
import { fusedBatchNormKernel, handlesBatchNorm, handlesScalarOperand, scalarGreaterKernel, scalarMaximumKernel, scalarMinimumKernel } from './elementwise';
import { handlesLeadingReduce, leadingMeanKernel, leadingSumKernel } from './leadingReduce';
import { overrideKernel } from './overrideKernel';
import { handlesIdentity, handlesSameDtypeCast, sharedCastKernel, sharedIdentityKernel } from './sharedIdentity';

const KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterKernel, depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel];

/** The kernels this module adds (names), for reports and tests. */
export const WASM_GRADIENT_KERNELS: readonly string[] = KERNELS.map((k) => k.kernelName);

/** Stock wasm kernels this module replaces (the stock one still runs for what it does not handle). */
export const WASM_REPLACED_KERNELS: readonly string[] = [
  tf.Conv2DBackpropInput,
  tf.Sum,
  tf.Mean,
  tf.Minimum,
  tf.Maximum,
  tf.Greater,
  tf.FusedBatchNorm,
  tf.Identity,
  tf.Cast,
  tf.Tile,
];

const isChannelsLast = (format: unknown): boolean => format === undefined || format === 'NHWC' || format === 'channelsLast';

/**
 * Registers the missing gradient kernels for 'wasm', the faster Conv2DBackpropInput (XNNPACK
 * instead of the stock element loop), Sum and Mean over leading axes as average pooling,
 * Minimum/Maximum/Greater against a scalar and FusedBatchNorm on fast elementwise kernels,
 * Identity and same-dtype Cast sharing their input's data instead of copying it, and a Tile that
 * broadcasts (BatchNorm's gradient).
 * Idempotent; a missing kernel that a later tfjs-backend-wasm provides itself is left alone.
 */
export function registerWasmGradients(): void {
  for (const k of KERNELS) {
    const existing = tf.getKernel(k.kernelName, 'wasm');
    if (existing === undefined) tf.registerKernel(k);
  }
  overrideKernel(conv2dBackpropInputKernel, ({ attrs }) => isChannelsLast((attrs as unknown as tf.Conv2DBackpropInputAttrs).dataFormat));
  overrideKernel(leadingSumKernel, handlesLeadingReduce);
  overrideKernel(leadingMeanKernel, handlesLeadingReduce);
  overrideKernel(scalarMinimumKernel, handlesScalarOperand);
  overrideKernel(scalarMaximumKernel, handlesScalarOperand);
  overrideKernel(scalarGreaterKernel, handlesScalarOperand);
  overrideKernel(fusedBatchNormKernel, handlesBatchNorm);
  overrideKernel(sharedIdentityKernel, handlesIdentity);
  overrideKernel(sharedCastKernel, handlesSameDtypeCast);
  registerFastTile();
}
