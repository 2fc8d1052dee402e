// End-to-end checks of the experiment panel in a real VS Code (code-server + Chromium, driven by
// playwright-core). Called by test/e2e/harness.mjs with its helper object `h`. Uses only
// `h.page` (a Playwright Page showing the workbench) and `h.workspaceDir` (the opened folder,
// holding the rock-paper-scissors experiment); optional helpers are used when the harness has them.
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
