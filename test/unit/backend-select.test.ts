// Backend detection and selection on this machine: no native TensorFlow installed, wasm and cpu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, probeBackends, selectBackend, type BackendPreference } from '../../src/core/backend/select';

test('probeBackends lists tensorflow, wasm, cpu best first, and switches nothing', async () => {
  const before = tf.engine().backendName;
  const report = await probeBackends();
  assert.equal(tf.engine().backendName, before);
  assert.deepEqual(report.candidates.map((c) => c.name), ['tensorflow', 'wasm', 'cpu']);
  const [native, wasm, cpu] = report.candidates;
  assert.equal(native!.available, false);
  assert.match(native!.reason, /not installed: npm install @tensorflow\/tfjs-node-gpu \(needs .*CUDA/);
  assert.match(native!.reason, /npm install @tensorflow\/tfjs-node \(/);
  assert.equal(wasm!.available, true);
  assert.match(wasm!.reason, /^WebAssembly, SIMD, 1 thread$/);
  assert.equal(cpu!.available, true);
  assert.equal(report.chosen, 'wasm');
});

test("selectBackend('auto') picks wasm with its gradient kernels", async () => {
  const report = await selectBackend('auto');
  assert.equal(report.chosen, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(report.candidates.find((c) => c.name === 'tensorflow')!.available, false);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'wasm gradients not registered');
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
  assert.deepEqual(y, [4, 6]);
});

test("forcing 'tensorflow' fails naming the reason and what is available", async () => {
  await selectBackend('wasm');
  await assert.rejects(selectBackend('tensorflow'), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /^Backend 'tensorflow' is not available: not installed: npm install @tensorflow\/tfjs-node-gpu/);
    assert.match(e.message, /Available here: wasm, cpu\.$/);
    assert.equal(e.report.chosen, 'tensorflow');
    return true;
  });
  assert.equal(tf.getBackend(), 'wasm', 'a failed selection must leave the current backend alone');
});

test("selectBackend('cpu') and back to 'wasm' switch the tf backend", async () => {
  assert.equal((await selectBackend('cpu')).chosen, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal((await selectBackend('wasm')).chosen, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('an unknown preference is refused with the accepted names', async () => {
  await assert.rejects(selectBackend('webgl' as BackendPreference), /Unknown backend 'webgl': expected one of auto, tensorflow, wasm, cpu/);
});
