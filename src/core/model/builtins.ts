// The names and descriptions of the "builtin:<arch>" architectures (no TensorFlow.js here,
// so the extension host can offer them); builtinModels.ts builds them.
export const BUILTIN_ARCHITECTURES: Readonly<Record<string, string>> = {
  'mnist-cnn':
    '28x28x1 input; conv 3x3x16 relu, max-pool, conv 3x3x32 relu, max-pool, flatten ("features"), dense 64 relu ("fc1"), dense 10 softmax ("predictions").',
};
