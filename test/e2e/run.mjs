#!/usr/bin/env node
// End-to-end: the extension in a real VS Code, offline. A temp workspace gets a copy of part of
// the rock-paper-scissors images and a model cache holding MobileNet v1 0.25 (both from
// ../shared/assets, never copied into the repo). Scenario: New Experiment from the palette, the
// Model Explorer lists it, Run from the CodeLens, status bar and tree show progress, Stop, the
// run is marked stopped with partial metrics, Run again to completion, best accuracy in the tree.
// A second Run of a running experiment asks first (Cancel starts nothing); Cancel on the feature
// phase's progress notification stops the run (the whole image set, with a feature cache of this
// test only, so the phase lasts seconds); a trainer killed by its pid (from the log) marks the run
// failed with the reason, and the next Run completes.
// Then the panel's checks (test/e2e/panel.e2e.mjs) if that file exists.
// Prints `e2e: N passed, M failed`; exit code 0 only if all passed.
//   node test/e2e/run.mjs        (E2E_KEEP=1 keeps the temp folders; E2E_UPDATE_DOCS=1 refreshes docs/images)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, RESULTS, startHarness } from './harness.mjs';

const ASSETS = path.resolve(REPO, '../shared/assets');
const t0 = Date.now();
const finish = (passed, failed) => {
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
};

// ---- install (idempotent: ~1 s when already there) and build ----
const setup = spawnSync('bash', [path.join(import.meta.dirname, 'setup.sh')], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('e2e: test/e2e/setup.sh failed');
  finish(0, 1);
}
if (!fs.existsSync(path.join(REPO, 'dist/extension.js')) || !fs.existsSync(path.join(REPO, 'dist/trainer.js'))) {
  console.error('e2e: dist/ is not built; run node scripts/build.mjs');
  finish(0, 1);
}
if (!fs.existsSync(ASSETS)) {
  console.error(`e2e: ${ASSETS} is missing (the shared models and datasets)`);
  finish(0, 1);
}

// ---- workspace and model cache, outside the repo ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-e2e-ws-'));
const ws = path.join(tmp, 'workspace');
const cache = path.join(tmp, 'model-cache');
const PER_CLASS = 20;
for (const cls of ['paper', 'rock', 'scissors']) {
  const src = path.join(ASSETS, 'datasets/rock-paper-scissors', cls);
  const dst = path.join(ws, 'data', 'rps', cls);
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src).filter((n) => /\.png$/i.test(n)).sort().slice(0, PER_CLASS)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
}
fs.cpSync(path.join(ASSETS, 'models/mobilenet_v1_0.25_224'), path.join(cache, 'mobilenet_v1_0.25_224'), { recursive: true });
// The whole image set, only for the check that cancels the feature phase: long enough to click Cancel.
for (const cls of ['paper', 'rock', 'scissors']) {
  const src = path.join(ASSETS, 'datasets/rock-paper-scissors', cls);
  const dst = path.join(ws, 'data', 'rps-all', cls);
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src).filter((n) => /\.png$/i.test(n))) fs.copyFileSync(path.join(src, f), path.join(dst, f));
}
// A feature cache of this run only (the trainers inherit the environment): every run computes
// its features afresh, so the feature phase and its progress notification really happen.
process.env.TRANSFER_LAB_FEATURE_CACHE = path.join(tmp, 'feature-cache');
process.on('exit', () => {
  if (!process.env.E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
});

const experimentFile = path.join(ws, 'rps.experiment.json');
const runsDir = path.join(ws, 'runs', 'rps');
/** Edits the experiment file on disk as a user would (the open editor reloads it). */
function editExperiment(fn) {
  const x = JSON.parse(fs.readFileSync(experimentFile, 'utf8'));
  fn(x);
  fs.writeFileSync(experimentFile, JSON.stringify(x, null, 2) + '\n');
}
const summaries = () =>
  (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).sort() : []).map((id) => {
    try {
      return { id, dir: path.join(runsDir, id), ...JSON.parse(fs.readFileSync(path.join(runsDir, id, 'summary.json'), 'utf8')) };
    } catch {
      return { id, dir: path.join(runsDir, id), status: null };
    }
  });

const h = await startHarness({
  workspace: ws,
  settings: { 'transferLab.modelCacheFolder': cache, 'transferLab.stopTimeoutSeconds': 60, 'files.autoSave': 'off' },
});
const { page } = h;
const tree = () => page.locator('.sidebar .monaco-list-row');
let activation = 'unknown';

try {
  await h.check('workbench loads', () => h.open());

  await h.check('New Experiment from the palette writes and opens a valid file', async () => {
    const t = Date.now();
    await h.runCommand('Transfer Lab: New Experiment');
    await h.pick('Feature extraction on an image folder');
    activation = `${Date.now() - t} ms from the command to the first quick pick`;
    await h.typeInput('rps');
    await h.pick('data/rps');
    await page.locator('.tab', { hasText: 'rps.experiment.json' }).waitFor();
    const x = JSON.parse(fs.readFileSync(experimentFile, 'utf8'));
    if (x.name !== 'rps' || x.data.path !== 'data/rps' || x.model.base !== 'mobilenet_v1_0.25_224') throw new Error('unexpected file: ' + JSON.stringify(x));
  });
  const line = h.extensionLog().match(/Transfer Lab activated in ([\d.]+) ms/);
  if (line) activation = `activate() ${line[1]} ms; ${activation}`;
  h.log(`activation: ${activation}`);

  // Long enough to click Stop while it trains: no feature cache, many epochs.
  editExperiment((x) => {
    x.training.phases[0].epochs = 40;
    x.training.batchSize = 8;
    x.featureCache = false;
  });

  await h.check('Model Explorer lists the experiment and the cached base model', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Transfer Lab"]').click();
    await page.locator('.sidebar .title-label', { hasText: /model explorer/i }).waitFor();
    // Widen the side bar so run descriptions are readable in the screenshots.
    const box = await page.locator('.part.sidebar').boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width + 1, box.y + 300);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width + 260, box.y + 300, { steps: 5 });
      await page.mouse.up();
    }
    await tree().filter({ hasText: 'Experiments' }).first().waitFor();
    await tree().filter({ hasText: /^rps/ }).filter({ hasText: 'mobilenet_v1_0.25_224' }).first().waitFor();
    await tree().filter({ hasText: 'mobilenet_v1_0.25_224' }).filter({ hasText: 'cached' }).first().waitFor();
    await h.screenshot('explorer');
  });

  const lens = (re) => page.locator('.monaco-editor .codelens-decoration a', { hasText: re }).first();
  await h.check('Run CodeLens starts a run; status bar and tree show progress', async () => {
    await page.locator('.tab', { hasText: 'rps.experiment.json' }).click();
    await lens(/^\s*\S*\s*Run$/).click();
    await page.locator('.statusbar-item', { hasText: /rps · .*epoch \d+\/40/ }).first().waitFor({ timeout: 120000 });
    await lens(/Stop \(epoch \d+\/40/).waitFor();
    await tree().filter({ hasText: /epoch \d+\/40/ }).first().waitFor();
    await h.screenshot('running');
  });

  await h.check('a second Run of the running experiment asks first; Cancel starts nothing', async () => {
    const runsBefore = summaries().length;
    const startsBefore = (h.extensionLog().match(/trainer started \(pid \d+\)/g) ?? []).length;
    await page.locator('.tab', { hasText: 'rps.experiment.json' }).click();
    await h.runCommand('Transfer Lab: Run Experiment');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: 'rps.experiment.json is already running. Stop it and start a new run?' }).waitFor();
    await dialog.locator('.monaco-button', { hasText: 'Stop and Run Again' }).waitFor();
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'detached' });
    // Still the same one run: it keeps training, no second run folder, no second trainer.
    const epochOf = async () => Number((await page.locator('.statusbar-item', { hasText: /rps · / }).first().textContent())?.match(/epoch (\d+)\/40/)?.[1]);
    const e0 = await epochOf();
    if (!Number.isInteger(e0)) throw new Error('no epoch in the status bar');
    await page.locator('.statusbar-item', { hasText: new RegExp(`rps · .*epoch (?!${e0}/)\\d+/40`) }).first().waitFor({ timeout: 60000 });
    await lens(/Stop \(epoch \d+\/40/).waitFor();
    if (summaries().length !== runsBefore || runsBefore !== 1) throw new Error(`run folders: ${runsBefore} before, ${summaries().length} after`);
    const startsAfter = (h.extensionLog().match(/trainer started \(pid \d+\)/g) ?? []).length;
    if (startsAfter !== startsBefore) throw new Error(`trainers started: ${startsBefore} before the second Run, ${startsAfter} after`);
    if (summaries()[0].status !== 'running') throw new Error('the first run is no longer running: ' + summaries()[0].status);
  });

  await h.check('Stop CodeLens stops after the batch: run marked stopped with partial metrics', async () => {
    await lens(/Stop/).click();
    await tree().filter({ hasText: /stopped/ }).first().waitFor({ timeout: 90000 });
    await lens(/^\s*\S*\s*Run$/).waitFor();
    const [s] = summaries();
    if (!s || s.status !== 'stopped') throw new Error('summary.json: ' + JSON.stringify(s));
    if (!(s.transfer.epochsRun >= 1 && s.transfer.epochsRun < 40)) throw new Error(`epochs run ${s.transfer.epochsRun}`);
    const epochs = fs.readFileSync(path.join(s.dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"kind":"epoch"'));
    if (!epochs.length) throw new Error('no epoch metrics kept');
    if (await page.locator('.statusbar-item', { hasText: /rps · / }).count()) throw new Error('status bar item still shown');
    await h.screenshot('stopped');
  });

  await h.check('a second run completes and the tree shows its best accuracy', async () => {
    editExperiment((x) => {
      x.training.phases[0].epochs = 3;
      x.featureCache = true;
    });
    await page.waitForTimeout(800); // the editor picks up the file change
    await lens(/^\s*\S*\s*Run$/).click();
    const row = tree().filter({ hasText: /completed · best val \d+\.\d%/ }).first();
    await row.waitFor({ timeout: 180000 });
    const s = summaries().find((x) => x.status === 'completed');
    if (!s) throw new Error('no completed summary: ' + JSON.stringify(summaries().map((x) => x.status)));
    const shown = (await row.textContent()) ?? '';
    const expected = `${(s.transfer.best.val_accuracy * 100).toFixed(1)}%`;
    if (!shown.includes(expected)) throw new Error(`tree shows "${shown}", summary best val accuracy ${expected}`);
    // Newest first: the completed run is above the stopped one.
    const texts = await tree().filter({ hasText: /completed|stopped/ }).allTextContents();
    if (!(texts[0]?.includes('completed') && texts[1]?.includes('stopped'))) throw new Error('runs not newest first: ' + texts.join(' | '));
    // The trainer writes summary.json just before it exits: wait for the host to see the end too.
    await lens(/^\s*\S*\s*Run$/).waitFor();
    await h.runCommand('Notifications: Clear All Notifications');
    await page.waitForTimeout(500);
    const shot = await h.screenshot('completed');
    // The README's picture: refreshed on request only, so a test run leaves the clone unchanged.
    const doc = path.join(REPO, 'docs/images/model-explorer.png');
    if (process.env.E2E_UPDATE_DOCS || !fs.existsSync(doc)) {
      fs.mkdirSync(path.dirname(doc), { recursive: true });
      fs.copyFileSync(shot, doc);
    }
  });

  await h.check('an unknown layer name is an error diagnostic with suggestions; a hover shows the layer', async () => {
    editExperiment((x) => (x.model.cutAt = 'conv_pw_13_relux'));
    await page.locator('.tab', { hasText: 'rps.experiment.json' }).click();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'no layer named "conv_pw_13_relux"' }).first().waitFor();
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'did you mean "conv_pw_13_relu"' }).first().waitFor();
    await h.screenshot('diagnostic');
    await page.keyboard.press('Control+Shift+M'); // hide the panel again
    // Hovering a layer name shows its type, output shape and params.
    editExperiment((x) => (x.model.cutAt = 'conv_pw_13_relu'));
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached' });
    await page.locator('.monaco-editor .view-line span', { hasText: '"conv_pw_13_relu"' }).first().hover();
    await page.locator('.monaco-hover', { hasText: /conv_pw_13_relu\s+Activation/ }).filter({ hasText: '[?,7,7,256]' }).filter({ hasText: /Layer 82 of 88/ }).first().waitFor();
    // A base model that cannot be read is a warning on model.base itself, not on another string
    // that happens to be equal (here the description, earlier in the file).
    const orig = JSON.parse(fs.readFileSync(experimentFile, 'utf8'));
    editExperiment((x) => {
      x.description = 'missing/model.json';
      x.model.base = 'missing/model.json';
    });
    const baseLine = fs.readFileSync(experimentFile, 'utf8').split('\n').findIndex((l) => l.includes('"base"')) + 1;
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'model.base: cannot read the base model' }).filter({ hasText: `Ln ${baseLine},` }).first().waitFor();
    await page.keyboard.press('Control+Shift+M');
    editExperiment((x) => {
      x.description = orig.description;
      x.model.base = orig.model.base;
    });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached' });
  });

  await h.check('Show Backend Info names the backend a run would use', async () => {
    await h.runCommand('Transfer Lab: Show Backend Info');
    await page.locator('.tab', { hasText: 'Transfer Lab backends' }).waitFor();
    await page.locator('.monaco-editor .view-line', { hasText: /runs\s+would\s+use:\s+(wasm|cpu|tensorflow)/ }).first().waitFor();
  });

  await h.check('Inspect Model lists the 88 layers of MobileNet 0.25', async () => {
    await h.runCommand('Transfer Lab: Inspect Model');
    await h.pick('mobilenet_v1_0.25_224');
    await page.locator('.monaco-editor .view-line', { hasText: /Layers:\s+88\b/ }).first().waitFor();
  });

  const toast = (text) => page.locator('.notification-toast', { hasText: text }).first();
  const statusItem = (re = /./) => page.locator('.statusbar-item', { hasText: /rps · / }).filter({ hasText: re }).first();
  await h.check('the feature phase shows a cancellable progress notification; Cancel stops the run', async () => {
    // All 600 images, with a feature cache no run has filled: the phase lasts seconds.
    editExperiment((x) => {
      x.data.path = 'data/rps-all';
      x.training.phases[0].epochs = 3;
      x.featureCache = true;
    });
    await h.runCommand('Notifications: Clear All Notifications');
    await h.openFile(experimentFile);
    await page.waitForTimeout(800); // the editor picks up the file change
    const before = new Set(summaries().map((s) => s.id));
    const stoppedRows = () => tree().filter({ hasText: /stopped/ }).count();
    const s0 = await stoppedRows();
    await h.runCommand('Transfer Lab: Run Experiment');
    const note = toast(/Transfer Lab: rps\.experiment\.json.*features at conv_pw_13_relu \d+\/\d+/);
    await note.waitFor({ timeout: 120000 });
    await h.screenshot('feature-progress');
    await note.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await note.waitFor({ state: 'detached', timeout: 60000 });
    await statusItem().waitFor({ state: 'detached', timeout: 60000 });
    const run = summaries().find((s) => !before.has(s.id));
    if (!run || run.status !== 'stopped') throw new Error('the cancelled run: ' + JSON.stringify(run && { status: run.status, error: run.error }));
    if (run.transfer.epochsRun !== 0) throw new Error(`cancelled in the feature phase, yet ${run.transfer.epochsRun} epoch(s) ran`);
    for (let i = 0; (await stoppedRows()) <= s0; i++) {
      if (i > 100) throw new Error('the tree does not show the cancelled run as stopped');
      await page.waitForTimeout(200);
    }
    editExperiment((x) => (x.data.path = 'data/rps'));
  });

  await h.check('a crashed trainer marks the run failed with the reason; the next Run works', async () => {
    editExperiment((x) => {
      x.training.phases[0].epochs = 40;
      x.featureCache = false;
    });
    await h.openFile(experimentFile);
    await page.waitForTimeout(800);
    const before = new Set(summaries().map((s) => s.id));
    const pidsBefore = new Set([...h.extensionLog().matchAll(/\[rps\.experiment\.json\] trainer started \(pid (\d+)\)/g)].map((m) => m[1]));
    await h.runCommand('Transfer Lab: Run Experiment');
    await statusItem(/epoch [1-9]\d*\/40/).waitFor({ timeout: 120000 }); // crash mid-training, with metrics on disk
    let pid;
    for (let i = 0; i < 50 && !pid; i++) {
      pid = [...h.extensionLog().matchAll(/\[rps\.experiment\.json\] trainer started \(pid (\d+)\)/g)].map((m) => m[1]).find((p) => !pidsBefore.has(p));
      if (!pid) await page.waitForTimeout(200);
    }
    if (!pid) throw new Error('no "trainer started (pid N)" line in the log for this run');
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('trainer.js')) throw new Error(`pid ${pid} is not a trainer`);
    process.kill(Number(pid), 'SIGKILL');
    await toast(/run of rps\.experiment\.json failed: the trainer process was killed \(SIGKILL/).waitFor({ timeout: 30000 });
    const row = tree().filter({ hasText: /^.*failed/ }).first();
    await row.waitFor({ timeout: 30000 });
    const run = summaries().find((s) => !before.has(s.id));
    if (!run || run.status !== 'failed' || !/killed \(SIGKILL/.test(run.error ?? '')) throw new Error('summary.json: ' + JSON.stringify(run && { status: run.status, error: run.error }));
    // The reason is in the row's hover.
    // Tree tooltips resolve lazily and a hover can be missed while the tree re-renders: retry it.
    const failedHover = page.locator('.monaco-hover, .workbench-hover', { hasText: /Status: failed/ }).filter({ hasText: 'Error: the trainer process was killed (SIGKILL' }).first();
    for (let attempt = 1; ; attempt++) {
      await page.mouse.move(5, 5);
      await row.hover();
      try {
        await failedHover.waitFor({ timeout: 8000 });
        break;
      } catch (err) {
        if (attempt === 4) throw err;
      }
    }
    await h.screenshot('trainer-crashed');
    await page.mouse.move(5, 5);
    await statusItem().waitFor({ state: 'detached' });
    // The extension keeps working: a new run completes.
    editExperiment((x) => {
      x.training.phases[0].epochs = 2;
      x.featureCache = true;
    });
    await h.openFile(experimentFile);
    await page.waitForTimeout(800);
    const completedRows = () => tree().filter({ hasText: /completed · best val/ }).count();
    const c0 = await completedRows();
    await h.runCommand('Transfer Lab: Run Experiment');
    const end = Date.now() + 120000;
    while ((await completedRows()) <= c0) {
      if (Date.now() > end) throw new Error('no new completed run in the tree');
      await page.waitForTimeout(250);
    }
    await statusItem().waitFor({ state: 'detached' });
    const next = summaries().filter((s) => !before.has(s.id));
    if (next.length !== 2 || next[1].status !== 'completed') throw new Error('runs after the crash: ' + JSON.stringify(next.map((s) => s.status)));
    await h.runCommand('Notifications: Clear All Notifications');
  });

  const panelFile = path.join(import.meta.dirname, 'panel.e2e.mjs');
  if (fs.existsSync(panelFile)) {
    const { panelChecks, panelMoreChecks } = await import(pathToFileURL(panelFile).href);
    // Runs long enough to watch live charts and stop them.
    editExperiment((x) => {
      x.training.phases[0].epochs = 40;
      x.featureCache = false;
    });
    const ph = { ...h, experimentFile, editExperiment, summaries, modelJson: path.join(cache, 'mobilenet_v1_0.25_224', 'model.json') };
    await h.check('panel checks (test/e2e/panel.e2e.mjs)', () => panelChecks(ph));
    for (const [name, fn] of panelMoreChecks?.(ph) ?? []) await h.check(name, fn);
  }
} catch (e) {
  // A failed check was recorded already; anything else (a helper that threw) counts as one more.
  if (h.results.at(-1)?.ok !== false) h.results.push({ name: 'uncaught error', ok: false });
  console.error(String(e.stack || e).split('\n').slice(0, 6).join('\n'));
  console.error(h.diagnostics());
} finally {
  await h.stop();
}

// ---- Restricted Mode: the same workspace, untrusted ----
const results = [...h.results];
if (!results.some((r) => !r.ok)) {
  const u = await startHarness({ workspace: ws, trusted: false, settings: { 'transferLab.modelCacheFolder': cache } });
  try {
    await u.check('untrusted workspace: Run is refused with an explanation and nothing runs', async () => {
      await u.open();
      const before = summaries().length;
      await u.runCommand('Transfer Lab: Run Experiment');
      await u.page.locator('.notification-toast', { hasText: 'disabled in Restricted Mode' }).first().waitFor();
      await u.page.waitForTimeout(1500);
      if (summaries().length !== before) throw new Error('a run folder was created in Restricted Mode');
      await u.screenshot('restricted');
    });
    await u.check("untrusted workspace: the panel's Run is refused too, and its Run button comes back", async () => {
      await u.runCommand('Notifications: Clear All Notifications');
      await u.openFile(experimentFile);
      await u.runCommand('Transfer Lab: Open Experiment Panel');
      const panel = u.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await panel.locator('#experiment-title', { hasText: 'rps' }).waitFor({ timeout: 60000 });
      const before = summaries().length;
      await panel.locator('#run-button').click();
      await u.page.locator('.notification-toast', { hasText: 'disabled in Restricted Mode' }).first().waitFor();
      await u.runCommand('Notifications: Clear All Notifications');
      // Nothing runs, so the panel must not stay in its running state (Run disabled, Stop enabled).
      await panel.locator('body[data-running="false"]').waitFor({ timeout: 10000 });
      if (summaries().length !== before) throw new Error('a run folder was created in Restricted Mode');
    });
  } catch (e) {
    console.error(String(e.stack || e).split('\n').slice(0, 6).join('\n'));
    console.error(u.diagnostics());
  } finally {
    await u.stop();
  }
  results.push(...u.results);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`activation: ${activation}`);
console.log(`e2e total ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(REPO, RESULTS)}/`);
finish(passed, failed || (passed === 0 ? 1 : 0));
