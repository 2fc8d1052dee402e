import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { parseExperiment } from '../../src/core/experiment/load';

function fakeIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (c: string) => out.push(c) },
    stderr: { write: (c: string) => err.push(c) },
    stderrIsTTY: false,
    env: {},
    cwd,
    onInterrupt: () => () => {},
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

test('new writes a valid experiment file and refuses to overwrite it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-new-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = fakeIo(dir);
  assert.equal(await main(['new', 'image-feature-extraction', 'exp', '--name', 'flowers', '--data', '../photos'], a.io), 0);
  const file = path.join(dir, 'exp', 'flowers.experiment.json');
  assert.equal(a.out(), `wrote ${file}\n`);
  const e = parseExperiment(readFileSync(file, 'utf8'), file);
  assert.equal(e.name, 'flowers');
  assert.ok(e.data.type === 'imageFolder' && e.data.path === '../photos');

  writeFileSync(file, '{"edited": true}\n');
  const b = fakeIo(dir);
  assert.equal(await main(['new', 'image-feature-extraction', 'exp', '--name', 'flowers'], b.io), 1);
  assert.equal(b.err(), `error: ${file} already exists; not overwriting it (choose another --name or folder)\n`);
  assert.equal(readFileSync(file, 'utf8'), '{"edited": true}\n');
});

test('new names the file after the template by default and rejects unknown templates', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-new-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = fakeIo(dir);
  assert.equal(await main(['new', 'mnist-transfer'], a.io), 0);
  assert.equal(parseExperiment(readFileSync(path.join(dir, 'mnist-transfer.experiment.json'), 'utf8'), 'x').name, 'mnist-transfer');
  const b = fakeIo(dir);
  assert.equal(await main(['new', 'resnet'], b.io), 1);
  assert.match(b.err(), /^error: unknown template "resnet"; one of: image-feature-extraction, image-fine-tune, mnist-transfer\n$/);
});

test('usage errors exit 2 with one line; help lists the templates', async () => {
  const a = fakeIo(tmpdir());
  assert.equal(await main(['bogus'], a.io), 2);
  assert.equal(a.err().split('\n').length, 2);
  const b = fakeIo(tmpdir());
  assert.equal(await main(['new', '--help'], b.io), 0);
  assert.match(b.out(), /Templates:\n {2}image-feature-extraction +MobileNet/);
  const c = fakeIo(tmpdir());
  assert.equal(await main(['--version'], c.io), 0);
  assert.match(c.out(), /^transfer-lab \d+\.\d+\.\d+\n$/);
});
