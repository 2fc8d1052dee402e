// Small untrained architectures built in code ("builtin:<arch>"), e.g. to pre-train a source
// model on MNIST for the demo. Every layer is named so experiments can cut at it, and every
// initializer is seeded so the same seed gives the same starting weights.
import * as tfl from '@tensorflow/tfjs-layers';

type Builder = (seed: number) => tfl.LayersModel;

function mnistCnn(seed: number): tfl.LayersModel {
  let n = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed * 101 + n++ });
  const input = tfl.input({ shape: [28, 28, 1], name: 'input' });
  let x = tfl.layers.conv2d({ name: 'conv1', filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init() }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ name: 'conv2', filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init() }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten({ name: 'features' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: init() }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ name: 'predictions', units: 10, activation: 'softmax', kernelInitializer: init() }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: 'mnist-cnn' });
}

const BUILDERS: Readonly<Record<string, Builder>> = { 'mnist-cnn': mnistCnn };

export function buildBuiltin(arch: string, seed: number, ref = `builtin:${arch}`): tfl.LayersModel {
  const build = BUILDERS[arch];
  if (!build) {
    throw new Error(`model "${ref}": no built-in architecture "${arch}" (known: ${Object.keys(BUILDERS).map((a) => `builtin:${a}`).join(', ')})`);
  }
  return build(seed);
}
