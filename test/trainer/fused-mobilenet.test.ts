// compilePrefix on the real MobileNet v1 0.25, split by applyPhase as the trainer splits it: cut at
// conv_pw_13_relu (the whole feature extractor) and at an early layer, on the wasm and cpu
// backends, a few images. The compiled forward must equal predict within 1e-4 of the activation
// scale, run one fused kernel per conv+BN+relu6 block, and leave no tensor behind.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyPhase, buildTransferModel, loadBaseModel } from '../../src/core/model';
import { compileOrThrow } from '../../src/core/model/fusedPrefix';
import { layerStates } from '../../src/shared/freezePlan';

const MODEL = path.resolve(__dirname, '../../../shared/assets/models/mobilenet_v1_0.25_224/model.json');

before(async () => {
  await tf.setBackend('cpu');
});

/** A base loaded for this cut (a base's layers take part in one transfer model). */
async function prefixAt(cutAt: string): Promise<{ prefix: tfl.LayersModel; base: tfl.LayersModel }> {
  const base = (await loadBaseModel(MODEL, { baseDir: '/' })).model;
  const tm = buildTransferModel(base, { cutAt, head: { pooling: 'avg', hidden: [], dropout: 0 } }, 3, 1);
  const applied = applyPhase(tm, layerStates(tm.baseLayerNames, (n) => tm.isBatchNorm(n), { cutAt, freeze: 'all' }));
  assert.equal(applied.boundary, cutAt);
  return { prefix: applied.prefix!, base };
}

const CASES = [
  // 27 conv+BN+relu6 blocks (conv1, 13 depthwise, 13 pointwise).
  { cutAt: 'conv_pw_13_relu', blocks: 27, shape: [2, 7, 7, 256] },
  { cutAt: 'conv_dw_2_relu', blocks: 4, shape: [2, 56, 56, 16] },
];

for (const backend of ['wasm', 'cpu']) {
  for (const { cutAt, blocks, shape } of CASES) {
    test(`${backend}: MobileNet 0.25 cut at ${cutAt}: compiled forward equals predict`, async () => {
      await tf.setBackend(backend);
      const { prefix, base } = await prefixAt(cutAt);
      const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 42) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const compiled = compileOrThrow(prefix);
      assert.equal(compiled.plan.length, blocks);
      assert.ok(compiled.plan.every((p) => /^conv\w+\+conv\w+_bn\+conv\w+_relu: (conv2d|depthwiseConv2d) (3x3|1x1)\/\d same relu6$/.test(p)), compiled.plan.join('\n'));
      assert.equal(compiled.plan[0], 'conv1+conv1_bn+conv1_relu: conv2d 3x3/2 same relu6');
      const got = compiled.run(x);
      const expected = prefix.predict(x) as tf.Tensor;
      assert.deepEqual(got.shape, shape);
      const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(expected, got))).dataSync()[0]!, tf.max(tf.abs(expected)).dataSync()[0]!]);
      assert.ok(scale > 1, `activation scale ${scale}`);
      assert.ok(diff / scale < 1e-4, `max |diff| ${diff} at activation scale ${scale}`);
      tf.dispose([got, expected]);
      compiled.dispose();
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
      x.dispose();
      base.dispose();
    });
  }
}
