// Runs the node --test tiers with the TypeScript loader. Node 20's --test takes no globs,
// so the files are listed here.   node scripts/test.mjs [unit|trainer ...]
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'trainer'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.test\.(ts|mjs)$/.test(name)) files.push(path.relative(root, p));
  }
};
for (const t of tiers) walk(path.join(root, 'test', t));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
