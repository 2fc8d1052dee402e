// End-to-end checks of the experiment panel in a real VS Code (code-server + Chromium, driven by
// playwright-core). Called by test/e2e/harness.mjs with its helper object `h`. Uses only
// `h.page` (a Playwright Page showing the workbench) and `h.workspaceDir` (the opened folder,
// holding the rock-paper-scissors experiment); optional helpers are used when the harness has them.
// panelMoreChecks(h) returns further named checks for the open panel: the Evaluation tab's
// confusion matrix, a hand edit in the editor, cutAt from the table, the per-phase view, the
// filter and keyboard operation.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results/e2e');
const docs = path.join(root, 'docs/images');

async function findExperiment(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.experiment.json') && !path.join(e.parentPath ?? e.path, e.name).includes(`${path.sep}runs${path.sep}`));
  const pick = files.find((e) => /rps|rock/i.test(e.name)) ?? files[0];
  assert.ok(pick, `no *.experiment.json in ${dir}`);
  return path.join(pick.parentPath ?? pick.path, pick.name);
}

async function runCommand(h, title) {
  if (h.runCommand) return h.runCommand(title);
  const { page } = h;
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
}

async function poll(what, fn, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The panel's document: VS Code nests the webview page in two iframes. */
const panelFrame = (page) => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

async function screenshot(h, name) {
  await mkdir(shots, { recursive: true });
  const file = path.join(shots, name);
  await h.page.screenshot({ path: file });
  // The README's pictures: refreshed on request only, so a test run leaves the clone unchanged.
  if (process.env.E2E_UPDATE_DOCS) {
    await mkdir(docs, { recursive: true });
    await copyFile(file, path.join(docs, name));
  }
}

async function setTheme(h, theme) {
  if (h.setSetting) return h.setSetting('workbench.colorTheme', theme);
  const settings = path.join(h.workspaceDir, '.vscode', 'settings.json');
  let current = {};
  try {
    current = JSON.parse(await readFile(settings, 'utf8'));
  } catch {
    // no workspace settings yet
  }
  await mkdir(path.dirname(settings), { recursive: true });
  await writeFile(settings, JSON.stringify({ ...current, 'workbench.colorTheme': theme }, null, 2));
  await h.page.waitForTimeout(1500);
}

export async function panelChecks(h) {
  const { page } = h;
  const file = h.experimentFile ?? (await findExperiment(h.workspaceDir));
  const original = await readFile(file, 'utf8');

  // Open the experiment, then the panel for it (the command takes the active editor's file).
  if (h.openFile) await h.openFile(file);
  else {
    await page.keyboard.press('Control+P');
    await page.keyboard.type(path.basename(file));
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
  }
  await page.waitForTimeout(1000);
  await runCommand(h, 'Transfer Lab: Open Experiment Panel');
  const panel = panelFrame(page);
  await panel.locator('#layer-table').waitFor({ timeout: 120_000 });
  const rows = await panel.locator('#layer-table tbody tr').count();
  assert.ok(rows >= 88, `the layer table shows the base model's 88 layers and the head (got ${rows} rows)`);
  const totalsBefore = await panel.locator('#param-totals').innerText();
  await screenshot(h, 'panel-layers-dark.png');

  // Toggle one layer: the file changes (saved, since it was clean) and the totals follow.
  const toggle = panel.locator('input[data-action="frozen"][data-layer="conv_pw_13"]');
  const wasFrozen = await toggle.isChecked();
  await toggle.click();
  const edited = await poll('the experiment file to change', async () => {
    const text = await readFile(file, 'utf8');
    return text !== original ? text : null;
  });
  const freeze = JSON.parse(edited.replace(/^\s*\/\/.*$/gm, '')).model.freeze;
  // Unfreezing one layer of a frozen prefix lists the frozen layers without it; freezing it names it.
  assert.equal(JSON.stringify(freeze).includes('"conv_pw_13"'), !wasFrozen, `model.freeze after the toggle: ${JSON.stringify(freeze)}`);
  await poll('the totals to change', async () => (await panel.locator('#param-totals').innerText()) !== totalsBefore);

  // Undo in the editor brings the file and the totals back.
  if (h.undo) await h.undo(file);
  else {
    await page.locator('.editor-group-container .monaco-editor').first().click();
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+S');
  }
  await poll('undo to restore the file', async () => (await readFile(file, 'utf8')) === original);
  await poll('the totals to come back', async () => (await panel.locator('#param-totals').innerText()) === totalsBefore);

  // Light theme screenshot of the same view.
  await setTheme(h, 'Default Light Modern');
  await screenshot(h, 'panel-layers-light.png');
  await setTheme(h, 'Default Dark Modern');

  // Start a run: the training chart gains points while it runs.
  await panel.locator('[data-tab="charts"]').click();
  await panel.locator('#run-button').click();
  const points = async () => Number((await panel.locator('section.charts').getAttribute('data-points')) ?? '0');
  const first = await poll('the chart to get its first points', async () => ((await points()) > 0 ? points() : 0), 300_000);
  await poll('the chart to gain more points', async () => (await points()) > first, 300_000);
  await screenshot(h, 'panel-training-dark.png');
  await panel.locator('#stop-button').click();

  // A second run, stopped early too, then compare the two.
  await poll('the first run to stop', async () => (await panel.locator('body[data-running="false"]').count()) > 0, 120_000);
  await panel.locator('#run-button').click();
  await poll('the second run to draw', async () => (await points()) > 0, 300_000);
  await panel.locator('#stop-button').click();
  await poll('the second run to end', async () => (await panel.locator('body[data-running="false"]').count()) > 0, 120_000);
  await panel.locator('[data-tab="compare"]').click();
  const boxes = panel.locator('.run-list input[type=checkbox]');
  await poll('two runs in the list', async () => (await boxes.count()) >= 2, 30_000);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await panel.locator('#compare-button').click();
  await panel.locator('#compare-table').waitFor({ timeout: 30_000 });
  assert.equal(await panel.locator('#compare-table tbody tr').count(), 2);
  await screenshot(h, 'panel-compare-dark.png');
}

/** The base model's layers as the CLI reports them: an independent source for expected totals. */
function inspectLayers(modelJson) {
  const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'inspect', modelJson, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `transfer-lab inspect failed: ${r.stderr}`);
  return JSON.parse(r.stdout).layers;
}

/** Trainable parameters when the layers from index `first` through `cutAt` train (BN statistics never do). */
function trainableFrom(layers, first, cutAt) {
  const last = layers.findIndex((l) => l.name === cutAt);
  return layers.slice(first, last + 1).reduce((a, l) => a + l.params - l.nonTrainableParams, 0);
}

const pillNumber = async (panel, kind) => {
  const text = await panel.locator(`#param-totals .pill.${kind}`).innerText();
  const m = /([\d,]+)/.exec(text);
  assert.ok(m, `no number in the ${kind} total: "${text}"`);
  return Number(m[1].replaceAll(',', ''));
};
const rowState = (panel, name) => panel.locator(`#layer-table tr[data-name="${name}"] .state`).innerText();
const parseFile = async (file) => JSON.parse((await readFile(file, 'utf8')).replace(/^\s*\/\/.*$/gm, ''));

/**
 * More panel checks, each [name, fn], run by test/e2e/run.mjs after panelChecks (the panel is
 * open). Needs h.experimentFile, h.summaries (the run folders) and h.modelJson (the base model).
 */
export function panelMoreChecks(h) {
  const { page } = h;
  const file = h.experimentFile;
  const panel = panelFrame(page);
  const layers = inspectLayers(h.modelJson);
  const index = (name) => layers.findIndex((l) => l.name === name);
  const showTab = async (tab) => {
    await panel.locator(`vscode-tab-header[data-tab="${tab}"]`).click();
    await panel.locator(`vscode-tab-panel[data-panel="${tab}"]:not([hidden])`).waitFor();
  };
  /** Focus on the experiment's editor in the first editor group (the panel is beside it). */
  const focusEditor = async () => {
    await page.locator('.editor-group-container').first().locator('.tab', { hasText: path.basename(file) }).click();
    await page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').click();
  };
  const writeBack = async (text) => {
    await writeFile(file, text);
    await poll('the editor and panel to reload the file', async () => (await readFile(file, 'utf8')) === text, 10_000);
    await page.waitForTimeout(800);
  };

  return [
    ['panel: the Evaluation tab of the completed run shows a confusion matrix summing to the test split', async () => {
      const done = h.summaries().filter((s) => s.status === 'completed' && s.transfer?.test);
      const newest = done.at(-1);
      assert.ok(newest, 'no completed run to evaluate');
      await showTab('evaluation');
      const heading = panel.locator('section.evaluation h3').first();
      await heading.waitFor();
      const title = await heading.innerText();
      assert.match(title, new RegExp(`Transfer \\(${newest.id}\\): test accuracy ${(newest.transfer.test.accuracy * 100).toFixed(1)}%`));
      const cells = (await panel.locator('section.evaluation table.confusion').first().locator('tbody td').allInnerTexts()).map((t) => Number(t.replaceAll(',', '')));
      const classes = newest.classes.length;
      assert.equal(cells.length, classes * classes, `a ${classes}x${classes} matrix`);
      const sum = cells.reduce((a, b) => a + b, 0);
      assert.ok(newest.counts.test > 0);
      assert.equal(sum, newest.counts.test, `confusion matrix counts ${sum}, test split ${newest.counts.test} images`);
      const diagonal = cells.filter((_, i) => i % (classes + 1) === 0).reduce((a, b) => a + b, 0);
      assert.equal((diagonal / sum).toFixed(3), newest.transfer.test.accuracy.toFixed(3), 'the diagonal is the accuracy');
      await screenshot(h, 'panel-evaluation-dark.png');
      await showTab('layers');
    }],

    ['panel: a hand edit of freeze in the editor updates the layer states and totals', async () => {
      const original = await readFile(file, 'utf8');
      assert.match(original, /"freeze": "all"/);
      await panel.locator('#layer-filter').fill('');
      assert.equal(await rowState(panel, 'conv_dw_6'), 'frozen');
      const head = await pillNumber(panel, 'head');
      assert.equal(await pillNumber(panel, 'trainable'), head, 'all frozen: only the head trains');
      await focusEditor();
      await page.keyboard.press('Control+H');
      const find = page.locator('.find-widget .find-part textarea');
      const replace = page.locator('.find-widget .replace-part textarea');
      await find.fill('"freeze": "all"');
      await replace.fill('"freeze": { "upTo": "conv_pw_5_relu" }');
      await replace.press('Control+Alt+Enter'); // replace all
      const close = page.locator('.find-widget.visible .button.codicon-widget-close');
      if (await close.isVisible()) await close.click();
      await poll('conv_dw_6 to become trainable', async () => (await rowState(panel, 'conv_dw_6')) === 'trainable', 10_000);
      assert.equal(await rowState(panel, 'conv_pw_5_relu'), 'frozen');
      assert.equal(await rowState(panel, 'conv_pw_13_relu'), 'trainable');
      assert.equal(await panel.locator('tr[data-name="conv_pw_5_relu"] input[data-action="frozen"]').isChecked(), true);
      assert.equal(await panel.locator('tr[data-name="conv_dw_6"] input[data-action="frozen"]').isChecked(), false);
      const expected = trainableFrom(layers, index('conv_pw_5_relu') + 1, 'conv_pw_13_relu') + head;
      assert.equal(await pillNumber(panel, 'trainable'), expected, 'trainable total: layers after conv_pw_5_relu plus the head');
      const all = layers.slice(0, index('conv_pw_13_relu') + 1).reduce((a, l) => a + l.params, 0);
      assert.equal(await pillNumber(panel, 'frozen'), all + head - expected, 'frozen total: the rest of the kept layers');
      await screenshot(h, 'panel-hand-edit.png');
      // Undo in the editor: the panel follows back; the file on disk was never saved.
      await focusEditor();
      await page.keyboard.press('Control+Z');
      await poll('conv_dw_6 to be frozen again', async () => (await rowState(panel, 'conv_dw_6')) === 'frozen', 10_000);
      assert.equal(await pillNumber(panel, 'trainable'), head);
      assert.equal(await readFile(file, 'utf8'), original);
      await page.keyboard.press('Control+S');
    }],

    ['panel: choosing cutAt in the layer tree edits the file', async () => {
      const original = await readFile(file, 'utf8');
      await panel.locator('tr[data-name="conv_pw_12_relu"] button[data-action="cut"]').click();
      await poll('model.cutAt to change in the file', async () => (await parseFile(file)).model.cutAt === 'conv_pw_12_relu', 10_000);
      await panel.locator('tr.is-cut-at[data-name="conv_pw_12_relu"] .badge').waitFor();
      await poll('conv_pw_13 to show as cut', async () => (await rowState(panel, 'conv_pw_13')) === 'cut', 10_000);
      assert.equal(await rowState(panel, 'conv_pw_12_relu'), 'frozen');
      // And back: the same minimal edit restores the file byte for byte.
      await panel.locator('tr[data-name="conv_pw_13_relu"] button[data-action="cut"]').click();
      await poll('model.cutAt to come back', async () => (await readFile(file, 'utf8')) === original, 10_000);
      await poll('conv_pw_13 to be frozen again', async () => (await rowState(panel, 'conv_pw_13')) === 'frozen', 10_000);
    }],

    ['panel: the per-phase view of a two-phase experiment shows the fine-tune phase\'s trainable layers', async () => {
      const original = await readFile(file, 'utf8');
      const x = JSON.parse(original);
      x.training.phases = [x.training.phases[0], { name: 'fine-tune', epochs: 1, learningRate: 1e-5, unfreezeFrom: 'conv_dw_13' }];
      await writeBack(JSON.stringify(x, null, 2) + '\n');
      const select = panel.locator('#phase-select');
      await poll('the phase list to offer the fine-tune phase', async () => (await select.locator('option').allInnerTexts()).some((t) => /Phase 2: fine-tune/.test(t)), 10_000);
      assert.equal(await panel.locator('#layer-table thead th.phase').count(), 2, 'one column per phase');
      const head = await pillNumber(panel, 'head');
      await select.selectOption('1');
      await poll('conv_dw_13 to be trainable in phase 2', async () => (await rowState(panel, 'conv_dw_13')) === 'trainable', 10_000);
      for (const n of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_relu']) assert.equal(await rowState(panel, n), 'trainable', n);
      for (const n of ['conv_pw_12_relu', 'conv_dw_12', 'conv1']) assert.equal(await rowState(panel, n), 'frozen', n);
      const phaseCells = (n) => panel.locator(`#layer-table tr[data-name="${n}"] td.phase`).allInnerTexts();
      assert.deepEqual(await phaseCells('conv_dw_13'), ['○', '●'], 'conv_dw_13 trains in phase 2 only');
      assert.deepEqual(await phaseCells('conv_pw_12'), ['○', '○']);
      assert.equal(await pillNumber(panel, 'trainable'), trainableFrom(layers, index('conv_dw_13'), 'conv_pw_13_relu') + head);
      await screenshot(h, 'panel-phase-2.png');
      await select.selectOption('');
      await poll('the all-phases view', async () => (await rowState(panel, 'conv_dw_13')) === 'frozen', 10_000);
      await writeBack(original);
      await poll('one phase again', async () => (await panel.locator('#layer-table thead th.phase').count()) === 1, 10_000);
    }],

    ['panel: the filter box narrows the rows', async () => {
      const filter = panel.locator('#layer-filter');
      const visible = () => panel.locator('#layer-table tbody tr:visible').evaluateAll((trs) => trs.map((t) => t.dataset.name));
      const total = await panel.locator('#layer-table tbody tr').count();
      await filter.fill('conv_pw_13');
      await poll('the filter to apply', async () => (await visible()).length < total, 5_000);
      assert.deepEqual(await visible(), ['conv_pw_13', 'conv_pw_13_bn', 'conv_pw_13_relu']);
      // By type too, case-insensitive.
      await filter.fill('batchnorm');
      await poll('the type filter', async () => (await visible()).length === layers.filter((l) => /batchnorm/i.test(l.className)).length, 5_000);
      await filter.fill('');
      await poll('every row back', async () => (await visible()).length === total, 5_000);
    }],

    ['panel: tabs and a freeze toggle work from the keyboard (Tab, arrows, Enter, Space)', async () => {
      const original = await readFile(file, 'utf8');
      // What has the keyboard focus in the panel's document.
      const active = () =>
        panel.locator('body').evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return 'none';
          return el.id === 'layer-filter' ? '#layer-filter' : el.dataset.tab ? `tab:${el.dataset.tab}` : el.dataset.layer ? `toggle:${el.dataset.layer}` : el.tagName.toLowerCase();
        });
      const tabUntil = async (want) => {
        for (let i = 0; i < 12; i++) {
          if ((await active()) === want) return;
          await page.keyboard.press('Tab');
        }
        throw new Error(`Tab never reached ${want} (focus on ${await active()})`);
      };
      await panel.locator('#experiment-title').click(); // focus into the panel, on nothing interactive
      await tabUntil('tab:layers');
      await page.keyboard.press('ArrowRight');
      assert.equal(await active(), 'tab:charts');
      await page.keyboard.press('Enter');
      await panel.locator('vscode-tab-panel[data-panel="charts"]:not([hidden])').waitFor();
      assert.equal(await panel.locator('vscode-tab-panel[data-panel="layers"]').isHidden(), true);
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await panel.locator('vscode-tab-panel[data-panel="layers"]:not([hidden])').waitFor();
      // Into the layers tab: filter to one block, then Tab to its first toggle and press Space.
      await tabUntil('#layer-filter');
      await page.keyboard.type('conv_pw_13');
      await page.keyboard.press('Tab');
      assert.equal(await active(), 'toggle:conv_pw_13');
      await page.keyboard.press('Space');
      await poll('the file to change', async () => (await readFile(file, 'utf8')) !== original, 10_000);
      const freeze = (await parseFile(file)).model.freeze;
      assert.ok(!JSON.stringify(freeze).includes('"conv_pw_13"') && JSON.stringify(freeze) !== '"all"', `conv_pw_13 unfrozen: ${JSON.stringify(freeze)}`);
      await poll('conv_pw_13 to show trainable', async () => (await rowState(panel, 'conv_pw_13')) === 'trainable', 10_000);
      await panel.locator('#layer-filter').fill('');
      await writeBack(original);
      await poll('conv_pw_13 frozen again', async () => (await rowState(panel, 'conv_pw_13')) === 'frozen', 10_000);
    }],
  ];
}
