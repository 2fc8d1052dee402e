import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { buildBuiltin } from '../../src/core/model/builtinModels';
import { applyPhase, buildTransferModel } from '../../src/core/model/transfer';
import { parseExperiment } from '../../src/core/experiment/load';
import { phasePlans } from '../../src/core/run/phasePlans';

before(async () => {
  await tf.setBackend('cpu');
});

const experiment = (freeze: unknown, featureCache: boolean) =>
  parseExperiment(
    JSON.stringify({
      name: 'plans',
      model: { base: 'builtin:mnist-cnn', cutAt: 'fc1', freeze },
      data: { type: 'mnist', digits: [0, 1] },
      training: { phases: [{ name: 'head', epochs: 1, learningRate: 0.01 }] },
      featureCache,
    }),
    'plans.experiment.json',
  );

test('a phase reports the cache boundary the engine splits at, and none without the feature cache', () => {
  const base = buildBuiltin('mnist-cnn', 1);
  const tm = buildTransferModel(base, { cutAt: 'fc1', head: { pooling: 'avg', hidden: [], dropout: 0 } }, 2, 1);
  // [freeze, boundary]: a "layers" list that leaves the input layer out still freezes the first conv.
  const cases: [unknown, string | null][] = [['all', 'fc1'], [{ upTo: 'pool1' }, 'pool1'], [{ layers: ['conv1'] }, 'conv1'], ['none', null]];
  for (const [freeze, boundary] of cases) {
    const [plan] = phasePlans(tm, experiment(freeze, true), false);
    assert.equal(plan!.info.cacheBoundary, boundary, JSON.stringify(freeze));
    assert.equal(applyPhase(tm, plan!.states).boundary, boundary, JSON.stringify(freeze));
    assert.equal(phasePlans(tm, experiment(freeze, false), false)[0]!.info.cacheBoundary, null, `${JSON.stringify(freeze)} without cache`);
  }
  assert.equal(phasePlans(tm, experiment('all', true), true)[0]!.info.cacheBoundary, null, 'baseline trains everything');
  tm.model.dispose();
  base.dispose();
});
