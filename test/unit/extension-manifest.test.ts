// The manifest and the code agree: every contributed command is registered, every registered
// command is contributed, menus name real commands, and activation never happens on startup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const pj = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

/** Command ids registered in the extension's code: registerCommand('id') or register('id') helpers. */
function registeredCommands(): Set<string> {
  const out = new Set<string>();
  for (const f of sources(path.join(root, 'src/extension'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bregister(?:Command)?\(\s*['"`](transferLab\.[\w.]+)['"`]/g)) out.add(m[1]!);
    // registerCommand(SOME_CONST) with `const SOME_CONST = 'transferLab.x'` in the same file.
    for (const m of text.matchAll(/\bregisterCommand\(\s*([A-Z_][A-Z0-9_]*)\s*,/g)) {
      const def = new RegExp(`const ${m[1]}\\s*=\\s*['"\`](transferLab\\.[\\w.]+)['"\`]`).exec(text);
      assert.ok(def, `${path.relative(root, f)}: registerCommand(${m[1]}) whose id is not a string constant in the file`);
      out.add(def[1]!);
    }
  }
  return out;
}

const contributed = new Set<string>(pj.contributes.commands.map((c: { command: string }) => c.command));

test('every contributed command is registered in code, and every registered command is contributed', () => {
  const registered = registeredCommands();
  // transferLab.openPanel belongs to the panel (src/extension/panel/index.ts registers it).
  const panelReady = existsSync(path.join(root, 'src/extension/panel/index.ts'));
  const expected = new Set(contributed);
  if (!panelReady) expected.delete('transferLab.openPanel');
  assert.deepEqual([...expected].filter((c) => !registered.has(c)), [], 'contributed but not registered');
  assert.deepEqual([...registered].filter((c) => !contributed.has(c)), [], 'registered but not contributed');
  assert.ok(registered.size >= 10, `found ${registered.size} registered commands`);
});

test('menus, keybindings and views refer to contributed commands and views', () => {
  for (const [menu, items] of Object.entries(pj.contributes.menus as Record<string, { command?: string }[]>)) {
    for (const item of items) if (item.command) assert.ok(contributed.has(item.command), `${menu} names unknown command ${item.command}`);
  }
  const views = Object.values(pj.contributes.views as Record<string, { id: string }[]>).flat().map((v) => v.id);
  assert.deepEqual(views, ['transferLab.modelExplorer']);
  assert.ok(readFileSync(path.join(root, 'src/extension/explorer/modelExplorer.ts'), 'utf8').includes("createTreeView('transferLab.modelExplorer'"));
  assert.deepEqual(pj.contributes.viewsContainers.activitybar.map((c: { id: string; title: string }) => c.title), ['Transfer Lab']);
});

test('activation only from contributions, never on startup; titles are "Transfer Lab: ..."', () => {
  assert.ok(!pj.activationEvents.includes('*'));
  assert.ok(!pj.activationEvents.includes('onStartupFinished'));
  assert.ok(pj.activationEvents.includes('workspaceContains:**/*.experiment.json'));
  assert.ok(pj.activationEvents.includes('onWebviewPanel:transferLab.panel'));
  for (const c of pj.contributes.commands) assert.equal(c.category, 'Transfer Lab', c.command);
});

test('the JSON Schema is contributed for *.experiment.json and the file exists', () => {
  const v = pj.contributes.jsonValidation as { fileMatch: string; url: string }[];
  assert.deepEqual(v, [{ fileMatch: '*.experiment.json', url: './schemas/experiment.schema.json' }]);
  const schema = JSON.parse(readFileSync(path.join(root, v[0]!.url), 'utf8'));
  assert.equal(schema.title, 'Transfer Lab experiment');
  assert.ok(schema.properties.model && schema.properties.training);
});

test('settings read in code are contributed; untrusted workspaces are limited', () => {
  const props = Object.keys(pj.contributes.configuration.properties);
  const config = readFileSync(path.join(root, 'src/extension/config.ts'), 'utf8');
  const read = [...config.matchAll(/get<\w+>\('([\w.]+)'/g)].map((m) => `transferLab.${m[1]}`);
  assert.ok(read.length >= 6);
  for (const key of read) assert.ok(props.includes(key), `${key} is read but not contributed`);
  assert.equal(pj.capabilities.untrustedWorkspaces.supported, 'limited');
});
