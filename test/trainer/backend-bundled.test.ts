// The wasm binary must be found when our code runs as an esbuild bundle (dist/*.js, every package
// external), not only under tsx: bundle a small script the way scripts/build.mjs does, run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '../..');

test('a bundled script selects wasm, loads its binary and trains a convolution', async () => {
  // dist/ so that the bundle resolves packages from the project's node_modules, as dist/trainer.js does.
  const work = path.join(root, 'dist', '.test-backend');
  mkdirSync(work, { recursive: true });
  const entry = path.join(work, 'entry.ts');
  const select = path.join(root, 'src/core/backend/select').split(path.sep).join('/');
  writeFileSync(
    entry,
    `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { selectBackend } from '${select}';
(async () => {
  const report = await selectBackend('auto');
  const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
  const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 'same')))(tf.ones([3, 3, 2, 1]));
  process.stdout.write(JSON.stringify({ chosen: report.chosen, backend: tf.getBackend(), dw: Array.from(dw.dataSync()) }));
})().catch((e) => { process.stderr.write(String(e)); process.exit(1); });
`,
  );
  const outfile = path.join(work, 'probe.js');
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'error' });
  // Run from another folder: nothing may depend on the working directory.
  const r = spawnSync(process.execPath, [outfile], { cwd: '/', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { chosen: string; backend: string; dw: number[] };
  assert.equal(out.chosen, 'wasm');
  assert.equal(out.backend, 'wasm');
  // 5x5 input of ones, 3x3 filter, stride 2, 'same' (1 padding row each side): tap i reads input
  // rows {-1, 1, 3} + i, of which 2, 3, 2 exist for i = 0, 1, 2; so dW[i][j][c] = count_i * count_j.
  const counts = [2, 3, 2];
  const expected: number[] = [];
  for (const i of counts) for (const j of counts) expected.push(i * j, i * j);
  assert.deepEqual(out.dw, expected);
});
