// One build for every bundle: extension host, trainer process, batch worker, CLI, benchmark (Node, CommonJS)
// and the panel's front end (browser). Also writes the experiment JSON Schema and assembles the
// training ops' WebAssembly (scripts/assembleWat.mjs).
//   node scripts/build.mjs [--watch] [--schema-only]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { writeAssembled } from './assembleWat.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));

async function writeSchema() {
  // Bundle the schema module to a temporary CommonJS file so this script needs no TS loader.
  const out = path.join(root, 'dist', 'schema-gen.cjs');
  await esbuild.build({ entryPoints: [path.join(root, 'src/core/experiment/schema.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning' });
  const { experimentJsonSchema } = createRequire(import.meta.url)(out);
  mkdirSync(path.join(root, 'schemas'), { recursive: true });
  writeFileSync(path.join(root, 'schemas/experiment.schema.json'), JSON.stringify(experimentJsonSchema(), null, 2) + '\n');
}

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native and wasm packages load their binaries relative to themselves: keep every package external.
  packages: 'external',
  logLevel: 'warning',
};

const bundles = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js' },
  // The batch worker thread (src/core/data/prefetch.ts finds it next to the bundle using it).
  { ...node, entryPoints: ['src/core/data/batchWorker.ts'], outfile: 'dist/batchWorker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' },
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    minify: true,
    loader: { '.css': 'text' },
    logLevel: 'warning',
  },
].filter((b) => existsSync(path.join(root, b.entryPoints[0])));

await writeSchema();
await writeAssembled();
if (!args.has('--schema-only')) {
  if (args.has('--watch')) {
    for (const b of bundles) await (await esbuild.context({ ...b, absWorkingDir: root })).watch();
    console.log(`watching ${bundles.length} bundles`);
  } else {
    await Promise.all(bundles.map((b) => esbuild.build({ ...b, absWorkingDir: root })));
  }
}
