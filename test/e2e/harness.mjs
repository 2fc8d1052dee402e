// A real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven by playwright-core + Debian's
// chromium, started once for many checks (loading the workbench is the slow part). Offline;
// binds 127.0.0.1 only. Installed by test/e2e/setup.sh into ~/.cache (outside the clone).
//
//   const h = await startHarness({ extensionDir, workspace, settings });
//   await h.check('name', async () => { ... h.page ... });
//   await h.runCommand('Transfer Lab: New Experiment');
//   await h.screenshot('state');          // -> test-results/e2e/state.png
//   await h.stop();
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const RESULTS = path.join(REPO, 'test-results', 'e2e');
const CS_VERSION = process.env.CS_VERSION || '4.100.3';
export const E2E_HOME =
  process.env.E2E_HOME || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), `vscode-e2e-${CS_VERSION}`);
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 60000);

const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.title': 'Transfer Lab e2e',
};

/**
 * Starts code-server with `extensionDir` linked as an installed extension and `workspace` open,
 * then chromium on it. `settings` are merged into the user settings. Returns the harness.
 */
export async function startHarness({ extensionDir = REPO, workspace, settings = {}, trusted = true, keep = !!process.env.E2E_KEEP } = {}) {
  const install = JSON.parse(fs.readFileSync(path.join(E2E_HOME, 'install.json'), 'utf8'));
  const { chromium } = createRequire(path.join(E2E_HOME, 'package.json'))('playwright-core');
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
  const log = (m) => console.log(`[e2e ${secs()}] ${m}`);
  fs.mkdirSync(RESULTS, { recursive: true });

  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-e2e-'));
  const udd = path.join(run, 'user-data');
  const extDir = path.join(run, 'extensions');
  const xdg = path.join(run, 'xdg');
  for (const d of [path.join(udd, 'User'), extDir, xdg]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(run, 'config.yaml'), '');
  // trusted: false opens the workspace in Restricted Mode, without the startup trust prompt.
  const trust = trusted
    ? {}
    : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false };
  fs.writeFileSync(path.join(udd, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...trust, ...settings }, null, 2));
  const ws = workspace ? path.resolve(workspace) : fs.mkdirSync(path.join(run, 'workspace'), { recursive: true }) && path.join(run, 'workspace');

  const pj = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  // A folder named publisher.name-version in a fresh extensions dir is picked up as installed.
  fs.symlinkSync(extensionDir, path.join(extDir, `${pj.publisher}.${pj.name}-${pj.version}`));

  const serverEnv = { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, XDG_CACHE_HOME: xdg };
  const serverLog = path.join(run, 'server.log');
  const logFd = fs.openSync(serverLog, 'a');
  const server = spawn(
    install.node,
    [install.entry, '--config', path.join(run, 'config.yaml'), '--user-data-dir', udd, '--extensions-dir', extDir,
      '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
      ...(trusted ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override', '--ignore-last-opened', ws],
    { env: serverEnv, stdio: ['ignore', logFd, logFd], detached: true }, // own process group: killed as a whole
  );
  let serverExited = false;
  server.on('exit', () => (serverExited = true));
  const groupAlive = () => {
    try {
      process.kill(-server.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let browser;
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        await browser?.close();
      } catch {}
      if (groupAlive()) {
        try {
          process.kill(-server.pid, 'SIGTERM');
        } catch {}
        for (let i = 0; i < 50 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 100));
        if (groupAlive()) {
          try {
            process.kill(-server.pid, 'SIGKILL');
          } catch {}
        }
      }
      if (keep) log('kept run folder ' + run);
      else fs.rmSync(run, { recursive: true, force: true });
    })());
  process.on('exit', () => {
    if (groupAlive()) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void stop().finally(() => process.exit(130)));

  // ---- wait for the server ----
  let url;
  const end = Date.now() + 60000;
  while (!url && Date.now() < end && !serverExited) {
    const m = fs.readFileSync(serverLog, 'utf8').match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) {
      try {
        if ((await fetch(m[1] + '/healthz')).ok) url = m[1];
      } catch {}
    }
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) {
    const text = fs.readFileSync(serverLog, 'utf8');
    await stop();
    throw new Error('code-server did not come up:\n' + text);
  }
  log(`server ready at ${url}`);

  browser = await chromium.launchPersistentContext(path.join(run, 'chromium-profile'), {
    executablePath: install.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: xdg },
  });
  browser.setDefaultTimeout(TIMEOUT);
  const page = browser.pages()[0] || (await browser.newPage());
  page.on('pageerror', (e) => log('page error: ' + e.message.split('\n')[0]));

  const results = [];
  const h = {
    page,
    browser,
    url,
    workspace: ws,
    workspaceDir: ws,
    runFolder: run,
    userDataDir: udd,
    results,
    log,
    secs,
    stop,
    /** Records a named check; a failure takes a screenshot and is rethrown unless `soft`. */
    async check(name, fn, { soft = false } = {}) {
      const s = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        log(`PASS ${name} (${((Date.now() - s) / 1000).toFixed(1)}s)`);
      } catch (e) {
        results.push({ name, ok: false, error: e.message.split('\n')[0] });
        log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
        await h.screenshot(`failure-${name.replace(/[^\w-]+/g, '_').slice(0, 60)}`).catch(() => {});
        if (!soft) throw e;
      }
    },
    /** Opens the workbench on the workspace. */
    async open() {
      await page.goto(`${url}/?folder=${encodeURIComponent(ws)}`);
      await page.locator('.monaco-workbench').waitFor();
      await page.locator('.explorer-folders-view').waitFor();
    },
    /** Runs a command from the palette by its title, e.g. "Transfer Lab: New Experiment". */
    async runCommand(title) {
      const input = page.locator('.quick-input-widget input');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      // Contributed commands appear once the extension host has scanned the extension: retry.
      const end = Date.now() + TIMEOUT;
      for (;;) {
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        await input.waitFor();
        await input.fill('>' + title);
        try {
          await row.waitFor({ timeout: 3000 });
          break;
        } catch (e) {
          if (Date.now() > end) throw e;
        }
      }
      await row.click();
    },
    /** Opens a file of the workspace in an editor through Quick Open. */
    async openFile(file) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(path.relative(ws, file));
      await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }).first().click();
      await page.locator('.tab', { hasText: path.basename(file) }).first().waitFor();
    },
    /** Waits for the quick input to show an item with `text` and picks it. */
    async pick(text) {
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
      await row.waitFor();
      await row.click();
    },
    /** Types into the open input box and accepts. */
    async typeInput(text) {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(text);
      await page.keyboard.press('Enter');
    },
    async screenshot(name) {
      const file = path.join(RESULTS, `${name}.png`);
      await page.screenshot({ path: file });
      log('screenshot ' + path.relative(REPO, file));
      return file;
    },
    /** Text of the extension's "Transfer Lab" log channel, as written to the logs folder. */
    extensionLog() {
      const found = [];
      const walk = (d) => {
        for (const n of fs.existsSync(d) ? fs.readdirSync(d) : []) {
          const p = path.join(d, n);
          if (fs.statSync(p).isDirectory()) walk(p);
          else if (/Transfer Lab\.log$/.test(n)) found.push(p);
        }
      };
      walk(path.join(udd, 'logs'));
      return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    },
    /** Tails of the server and extension host logs, for a failure report. */
    diagnostics() {
      const out = ['--- server.log (tail) ---', ...fs.readFileSync(serverLog, 'utf8').split('\n').slice(-20)];
      const walk = (d) => {
        for (const n of fs.existsSync(d) ? fs.readdirSync(d) : []) {
          const p = path.join(d, n);
          if (fs.statSync(p).isDirectory()) walk(p);
          else if (/remoteexthost\.log$|Transfer Lab\.log$/.test(n)) out.push(`--- ${n} (tail) ---`, ...fs.readFileSync(p, 'utf8').split('\n').slice(-30));
        }
      };
      walk(path.join(udd, 'logs'));
      return out.join('\n');
    },
  };
  return h;
}
