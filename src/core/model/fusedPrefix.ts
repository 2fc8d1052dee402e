// A faster inference-only forward pass for a frozen prefix made of MobileNet-style layers.
// LayersModel.predict runs every layer as its own kernel: convolution, then BatchNormalization,
// then the activation, each reading and writing the whole activation tensor. Here each
// inference-mode BatchNormalization is folded into the preceding convolution's kernel and bias
// and the activation is fused too, so a conv+BN+ReLU block is one tf.fused.conv2d /
// tf.fused.depthwiseConv2d kernel. A ZeroPadding2D before a 'valid' convolution becomes the
// convolution's explicit padding. Anything else (branches, other layer types, BN that does not
// follow a convolution) is not compiled: compilePrefix returns null and the caller keeps
// predict. Outputs differ from predict only by float rounding.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.LayersModel['layers'][number];
type Activation = 'linear' | 'relu' | 'relu6';
type Padding = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

export interface CompiledPrefix {
  /** The prefix's output for a batch of inputs (NHWC float32), in inference mode. The caller owns the result. */
  run(x: tf.Tensor4D): tf.Tensor4D;
  /** One line per kernel the forward pass runs, e.g. "conv1+conv1_bn+conv1_relu: conv2d 3x3/2 relu6". */
  readonly plan: readonly string[];
  /** Frees the folded weights. */
  dispose(): void;
}

export interface CompileOptions {
  /**
   * Turn ZeroPadding2D + 'valid' convolution into one convolution with explicit padding.
   * Default: on for the backends whose conv kernels read explicit padding (wasm, cpu); native
   * TensorFlow's kernels take only 'valid'/'same', so there the padding stays a tf.pad.
   */
  mergePadding?: boolean;
}

const PADDING_IN_KERNEL = new Set(['wasm', 'cpu']);

/** Why a prefix was not compiled (for logs and tests); compilePrefix itself returns null. */
export class NotCompilable extends Error {}

interface ConvOp {
  kind: 'conv2d' | 'depthwise';
  names: string[];
  /** Kernel in float64 while folding: [kh, kw, cin, cout] or [kh, kw, cin, mult]. */
  kernel: Float64Array;
  kernelShape: [number, number, number, number];
  bias: Float64Array;
  strides: [number, number];
  dilations: [number, number];
  pad: Padding;
  activation: Activation;
  /** A BatchNormalization is folded in already. */
  normalized: boolean;
}

type Op =
  | ConvOp
  | { kind: 'pad'; names: string[]; pads: [[number, number], [number, number]] }
  | { kind: 'activation'; names: string[]; activation: 'relu' | 'relu6' }
  | { kind: 'reshape'; names: string[]; shape: number[] };

const pair = (v: unknown, what: string): [number, number] => {
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : null;
  if (!a || a.length !== 2 || !a.every((n) => Number.isInteger(n))) throw new NotCompilable(`${what}: ${JSON.stringify(v)}`);
  return [a[0] as number, a[1] as number];
};

/** The values of one weight as float64. */
function values(t: tf.Tensor): Float64Array {
  if (t.dtype !== 'float32') throw new NotCompilable(`weight of dtype ${t.dtype}`);
  return Float64Array.from(t.dataSync() as Float32Array);
}

function activationOf(layer: Layer, cfg: Record<string, unknown>): Activation | null {
  const cls = layer.getClassName();
  if (cls === 'ReLU') {
    const max = cfg.maxValue;
    if (max == null) return 'relu';
    if (max === 6) return 'relu6';
    return null;
  }
  const a = cfg.activation;
  return a === 'linear' || a === 'relu' || a === 'relu6' ? a : null;
}

/** The layers from the prefix's input to its output, when that path is a single chain. */
function chainOf(prefix: tfl.LayersModel): Layer[] {
  if (prefix.inputs.length !== 1 || prefix.outputs.length !== 1) throw new NotCompilable('more than one input or output');
  const input = prefix.inputs[0]!;
  const chain: Layer[] = [];
  let t = prefix.outputs[0]!;
  const seen = new Set<number>();
  while (t.id !== input.id) {
    if (seen.has(t.id) || chain.length > 10_000) throw new NotCompilable('cyclic graph');
    seen.add(t.id);
    const layer = t.sourceLayer;
    const node = layer.inboundNodes[t.nodeIndex];
    if (!node || node.inputTensors.length !== 1 || node.outputTensors.length !== 1) {
      throw new NotCompilable(`layer "${layer.name}" does not have exactly one input and one output`);
    }
    chain.push(layer);
    t = node.inputTensors[0]!;
    if (t.sourceLayer.getClassName() === 'InputLayer' && t.id !== input.id) throw new NotCompilable('path reaches another input');
  }
  return chain.reverse();
}

function convOp(layer: Layer, cfg: Record<string, unknown>, depthwise: boolean): ConvOp {
  if (cfg.dataFormat !== 'channelsLast') throw new NotCompilable(`layer "${layer.name}": data format ${String(cfg.dataFormat)}`);
  if (cfg.padding !== 'valid' && cfg.padding !== 'same') throw new NotCompilable(`layer "${layer.name}": padding ${String(cfg.padding)}`);
  const activation = activationOf(layer, cfg);
  if (!activation) throw new NotCompilable(`layer "${layer.name}": activation ${String(cfg.activation)}`);
  const w = layer.getWeights();
  const kernelT = w[0];
  if (!kernelT || kernelT.rank !== 4 || w.length !== (cfg.useBias ? 2 : 1)) throw new NotCompilable(`layer "${layer.name}": unexpected weights`);
  const kernelShape = kernelT.shape as [number, number, number, number];
  const outC = depthwise ? kernelShape[2] * kernelShape[3] : kernelShape[3];
  const bias = cfg.useBias ? values(w[1]!) : new Float64Array(outC);
  if (bias.length !== outC) throw new NotCompilable(`layer "${layer.name}": bias of ${bias.length} for ${outC} channels`);
  return {
    kind: depthwise ? 'depthwise' : 'conv2d',
    names: [layer.name],
    kernel: values(kernelT),
    kernelShape,
    bias,
    strides: pair(cfg.strides, `layer "${layer.name}": strides`),
    dilations: pair(cfg.dilationRate, `layer "${layer.name}": dilation rate`),
    pad: cfg.padding,
    activation,
    normalized: false,
  };
}

/** Folds inference-mode BatchNormalization into the convolution: w*s, (b-mean)*s+beta, s = gamma/sqrt(var+eps). */
function foldBatchNorm(conv: ConvOp, layer: Layer, cfg: Record<string, unknown>): void {
  const axis = cfg.axis;
  if (axis !== -1 && axis !== 3) throw new NotCompilable(`layer "${layer.name}": normalizes axis ${JSON.stringify(axis)}`);
  const eps = cfg.epsilon;
  if (typeof eps !== 'number') throw new NotCompilable(`layer "${layer.name}": epsilon ${String(eps)}`);
  // Weight order of tfjs BatchNormalization: gamma (if scale), beta (if center), moving mean, moving variance.
  const w = layer.getWeights();
  let i = 0;
  const gamma = cfg.scale ? values(w[i++]!) : null;
  const beta = cfg.center ? values(w[i++]!) : null;
  const mean = values(w[i++]!);
  const variance = values(w[i++]!);
  if (i !== w.length) throw new NotCompilable(`layer "${layer.name}": unexpected weights`);
  const c = conv.bias.length;
  if (mean.length !== c || variance.length !== c || (gamma && gamma.length !== c) || (beta && beta.length !== c)) {
    throw new NotCompilable(`layer "${layer.name}": ${mean.length} channels after a convolution with ${c}`);
  }
  const scale = Float64Array.from(variance, (v, ch) => (gamma ? gamma[ch]! : 1) / Math.sqrt(v + eps));
  // Both kernel layouts keep the output channel (cout, or cin*mult for depthwise) innermost.
  for (let k = 0; k < conv.kernel.length; k++) conv.kernel[k]! *= scale[k % c]!;
  for (let ch = 0; ch < c; ch++) conv.bias[ch] = (conv.bias[ch]! - mean[ch]!) * scale[ch]! + (beta ? beta[ch]! : 0);
  conv.names.push(layer.name);
  conv.normalized = true;
}

/** The ops of a prefix's chain, or a NotCompilable saying why not. */
function plan(chain: Layer[], mergePadding: boolean): Op[] {
  const ops: Op[] = [];
  const last = (): Op | undefined => ops[ops.length - 1];
  for (const layer of chain) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const prev = last();
    switch (cls) {
      case 'ZeroPadding2D': {
        if (cfg.dataFormat !== 'channelsLast') throw new NotCompilable(`layer "${layer.name}": data format ${String(cfg.dataFormat)}`);
        const p = cfg.padding as unknown;
        const [top, bottom] = pair(Array.isArray(p) ? p[0] : p, `layer "${layer.name}": padding`);
        const [left, right] = pair(Array.isArray(p) ? p[1] : p, `layer "${layer.name}": padding`);
        ops.push({ kind: 'pad', names: [layer.name], pads: [[top, bottom], [left, right]] });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const conv = convOp(layer, cfg, cls === 'DepthwiseConv2D');
        if (cls === 'DepthwiseConv2D' && conv.kernelShape[3] !== cfg.depthMultiplier) throw new NotCompilable(`layer "${layer.name}": depth multiplier`);
        // Explicit zero padding before a 'valid' convolution is the same as padding inside it.
        if (prev?.kind === 'pad' && conv.pad === 'valid' && mergePadding) {
          ops.pop();
          conv.pad = [[0, 0], prev.pads[0], prev.pads[1], [0, 0]];
          conv.names.unshift(...prev.names);
        }
        ops.push(conv);
        break;
      }
      case 'BatchNormalization': {
        if ((prev?.kind !== 'conv2d' && prev?.kind !== 'depthwise') || prev.normalized || prev.activation !== 'linear') {
          throw new NotCompilable(`layer "${layer.name}": BatchNormalization does not directly follow a convolution`);
        }
        foldBatchNorm(prev, layer, cfg);
        break;
      }
      case 'Activation':
      case 'ReLU': {
        const a = activationOf(layer, cfg);
        if (!a) throw new NotCompilable(`layer "${layer.name}": activation ${String(cfg.activation ?? `relu(max ${String(cfg.maxValue)})`)}`);
        if (a === 'linear') break;
        if ((prev?.kind === 'conv2d' || prev?.kind === 'depthwise') && prev.activation === 'linear') {
          prev.activation = a;
          prev.names.push(layer.name);
        } else ops.push({ kind: 'activation', names: [layer.name], activation: a });
        break;
      }
      case 'Dropout':
        // Inference mode: the identity.
        break;
      case 'Reshape': {
        const out = layer.outputShape as (number | null)[];
        if (out.length !== 4 || out.slice(1).some((d) => d == null)) throw new NotCompilable(`layer "${layer.name}": reshape to ${JSON.stringify(out)}`);
        ops.push({ kind: 'reshape', names: [layer.name], shape: [-1, ...(out.slice(1) as number[])] });
        break;
      }
      default:
        throw new NotCompilable(`layer "${layer.name}" of class ${cls}`);
    }
  }
  return ops;
}

function describe(op: Op): string {
  const names = op.names.join('+');
  switch (op.kind) {
    case 'conv2d':
    case 'depthwise': {
      const [kh, kw] = op.kernelShape;
      const pad = Array.isArray(op.pad) ? `pad ${JSON.stringify([op.pad[1], op.pad[2]])}` : op.pad;
      return `${names}: ${op.kind === 'conv2d' ? 'conv2d' : 'depthwiseConv2d'} ${kh}x${kw}/${op.strides[0]} ${pad} ${op.activation}`;
    }
    case 'pad':
      return `${names}: pad ${JSON.stringify(op.pads)}`;
    case 'activation':
      return `${names}: ${op.activation}`;
    case 'reshape':
      return `${names}: reshape ${JSON.stringify(op.shape)}`;
  }
}

/**
 * Compiles a prefix (input -> boundary, run in inference mode) into fused kernels with folded
 * BatchNormalization, or returns null when the prefix has anything it does not understand.
 * The folded weights are computed once here; dispose the result when the phase ends.
 */
export function compilePrefix(prefix: tfl.LayersModel, opts: CompileOptions = {}): CompiledPrefix | null {
  try {
    return compileOrThrow(prefix, opts);
  } catch (e) {
    if (e instanceof NotCompilable) return null;
    throw e;
  }
}

/** compilePrefix, but throws a NotCompilable that says why a prefix is not compiled. */
export function compileOrThrow(prefix: tfl.LayersModel, opts: CompileOptions = {}): CompiledPrefix {
  const inShape = prefix.inputs[0]?.shape;
  if (!inShape || inShape.length !== 4 || prefix.inputs[0]!.dtype !== 'float32') throw new NotCompilable(`input ${JSON.stringify(inShape)} is not a float32 NHWC image batch`);
  const outShape = prefix.outputs[0]?.shape;
  if (!outShape || outShape.length !== 4) throw new NotCompilable(`output ${JSON.stringify(outShape)} is not rank 4`);
  const ops = plan(chainOf(prefix), opts.mergePadding ?? PADDING_IN_KERNEL.has(tf.getBackend()));
  const owned: tf.Tensor[] = [];
  type Kernel = (x: tf.Tensor4D) => tf.Tensor4D;
  const kernels: Kernel[] = ops.map((op): Kernel => {
    switch (op.kind) {
      case 'conv2d':
      case 'depthwise': {
        const filter = tf.tensor4d(Float32Array.from(op.kernel), op.kernelShape);
        const bias = tf.tensor1d(Float32Array.from(op.bias));
        owned.push(filter, bias);
        const args = { filter, bias, strides: op.strides, dilations: op.dilations, activation: op.activation, dataFormat: 'NHWC' as const };
        if (op.kind === 'conv2d') return (x) => tf.fused.conv2d({ x, ...args, pad: op.pad });
        // The op's typing omits explicit padding, which its kernels (computeConv2DInfo) accept.
        const pad = op.pad as 'valid' | 'same';
        return (x) => tf.fused.depthwiseConv2d({ x, ...args, pad });
      }
      case 'pad': {
        const pads: [number, number][] = [[0, 0], op.pads[0], op.pads[1], [0, 0]];
        return (x) => tf.pad(x, pads);
      }
      case 'activation':
        return op.activation === 'relu' ? (x) => tf.relu(x) : (x) => tf.relu6(x);
      case 'reshape':
        return (x) => tf.reshape(x, op.shape as [number, number, number, number]);
    }
  });
  let disposed = false;
  return {
    plan: ops.map(describe),
    run(x) {
      if (disposed) throw new Error(`compiled prefix of "${prefix.name}" was disposed`);
      if (x.rank !== 4) throw new Error(`compiled prefix of "${prefix.name}": expected a rank-4 batch, got shape [${x.shape.join(',')}]`);
      return tf.tidy(() => kernels.reduce((t, k) => k(t), x));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(owned);
    },
  };
}
