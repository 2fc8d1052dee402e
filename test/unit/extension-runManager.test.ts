import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RunError, RunManager, type RunManagerOptions, type RunState } from '../../src/extension/runs/runManager';
import type { RunEvent, RunSummary } from '../../src/shared/events';
import { TRAINER_PROTOCOL_VERSION } from '../../src/shared/trainerProtocol';
import { FakeTrainer, tick } from './helpers/fakeTrainer';

const FILE = path.resolve('/ws/rps.experiment.json');

function summary(status: RunSummary['status'], runId = '2026-01-01T00-00-00-000Z'): RunSummary {
  return {
    schemaVersion: 1, runId, experiment: 'rps', status, backend: 'wasm', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z',
    durationSeconds: 60, classes: ['a', 'b'], counts: { train: 8, validation: 2, test: 2 }, skippedImages: [], phases: [],
    transfer: { final: null, best: { epoch: 2, val_accuracy: 0.9, val_loss: 0.3 }, test: null, epochsRun: 2, seconds: 50 },
  };
}
function runStart(runDir: string): RunEvent {
  return { kind: 'run-start', runId: path.basename(runDir), experiment: 'rps', runDir, backend: 'wasm', classes: ['a', 'b'], counts: { train: 8, validation: 2, test: 2 }, phases: [], baseline: false };
}

function setup(opts: Partial<RunManagerOptions> = {}) {
  const children: FakeTrainer[] = [];
  const states: [string, RunState][] = [];
  const events: RunEvent[] = [];
  const logs: string[] = [];
  const m = new RunManager({
    spawn: () => {
      const c = new FakeTrainer();
      children.push(c);
      return c;
    },
    request: () => ({ runsDir: '/ws/runs', backend: 'wasm' }),
    maxParallel: () => 2,
    stopTimeoutMs: 60,
    readyTimeoutMs: 500,
    onState: (f, s) => states.push([path.basename(f), s]),
    onEvent: (_f, e) => events.push(e),
    log: (level, msg) => logs.push(`${level}: ${msg}`),
    ...opts,
  });
  return { m, children, states, events, logs };
}
const ready = (c: FakeTrainer) => c.emit({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION, pid: c.pid });
function tmpRunDir(): string {
  const d = path.join(mkdtempSync(path.join(tmpdir(), 'tl-rm-')), 'rps', '2026-01-01T00-00-00-000Z');
  mkdirSync(d, { recursive: true });
  return d;
}

test('a run goes starting -> running -> idle and resolves with the summary', async () => {
  const { m, children, states, events } = setup();
  const p = m.start(FILE);
  assert.equal(m.state(FILE), 'starting');
  const c = children[0]!;
  assert.deepEqual(c.sent, [], 'nothing is sent before ready');
  ready(c);
  assert.equal(m.state(FILE), 'running');
  assert.deepEqual(c.sent, [{ type: 'run', id: 1, experimentFile: FILE, runsDir: '/ws/runs', backend: 'wasm' }]);
  c.emit({ type: 'event', id: 1, event: runStart('/ws/runs/rps/r1') });
  c.emit({ type: 'event', id: 1, event: { kind: 'progress', task: 'features', done: 3, total: 10 } });
  assert.equal(m.runDir(FILE), '/ws/runs/rps/r1');
  assert.equal(m.events(FILE).length, 2);
  c.emit({ type: 'event', id: 1, event: { kind: 'run-end', summary: summary('completed') } });
  c.emit({ type: 'done', id: 1 });
  const s = await p;
  assert.equal(s.status, 'completed');
  assert.deepEqual(c.signals, ['SIGTERM'], 'the finished trainer is ended');
  assert.equal(m.state(FILE), 'idle');
  assert.deepEqual(states.map((x) => x[1]), ['starting', 'running', 'idle']);
  assert.deepEqual(events.map((e) => e.kind), ['run-start', 'progress', 'run-end']);
  assert.deepEqual(m.events(FILE), []);
});

test('stop sends a stop message, goes stopping, and resolves with the stopped summary', async () => {
  const { m, children, states } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  ready(c);
  c.emit({ type: 'event', id: 1, event: runStart('/ws/runs/rps/r1') });
  const stopped = m.stop(FILE);
  assert.equal(m.state(FILE), 'stopping');
  assert.deepEqual(c.sent.at(-1), { type: 'stop' });
  c.emit({ type: 'event', id: 1, event: { kind: 'run-end', summary: summary('stopped') } });
  c.emit({ type: 'done', id: 1 });
  await stopped;
  assert.equal((await p).status, 'stopped');
  assert.deepEqual(c.signals, ['SIGTERM'], 'no kill was needed');
  assert.deepEqual(states.map((x) => x[1]), ['starting', 'running', 'stopping', 'idle']);
});

test('a trainer that ignores stop is killed after the timeout and its run is marked stopped on disk', async () => {
  const runDir = tmpRunDir();
  const { m, children, logs } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  c.obeysSigterm = false;
  ready(c);
  c.emit({ type: 'event', id: 1, event: runStart(runDir) });
  const t0 = Date.now();
  await m.stop(FILE);
  assert.ok(Date.now() - t0 >= 55, 'waited for the stop timeout');
  assert.deepEqual(c.signals, ['SIGKILL']);
  const s = await p;
  assert.equal(s.status, 'stopped');
  assert.match(s.error ?? '', /killed \(SIGKILL; out of memory\?\) after it did not stop within 0 s/);
  const disk = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(disk.status, 'stopped');
  assert.equal(disk.runId, '2026-01-01T00-00-00-000Z');
  assert.equal(disk.backend, 'wasm');
  assert.ok(logs.some((l) => l.includes('did not stop within')));
  rmSync(path.dirname(path.dirname(runDir)), { recursive: true });
});

test('the stop timeout is read at each stop: a changed setting applies to the next run', async () => {
  let timeoutMs = 60;
  const { m, children } = setup({ stopTimeoutMs: () => timeoutMs });
  const stopIgnored = async (expectAtLeast: number) => {
    const runDir = tmpRunDir();
    const p = m.start(FILE);
    const c = children.at(-1)!;
    c.obeysSigterm = false;
    ready(c);
    c.emit({ type: 'event', id: 1, event: runStart(runDir) });
    const t0 = Date.now();
    await m.stop(FILE);
    const waited = Date.now() - t0;
    assert.ok(waited >= expectAtLeast - 5, `waited ${waited} ms, expected ${expectAtLeast}`);
    await p;
    rmSync(path.dirname(path.dirname(runDir)), { recursive: true });
    return waited;
  };
  const first = await stopIgnored(60);
  timeoutMs = 400;
  const second = await stopIgnored(400);
  assert.ok(second > first + 200, `second stop waited ${second} ms after the setting changed (first ${first} ms)`);
});

test('a crash mid-run marks the run failed with the reason, in summary.json and as a run-end event', async () => {
  const runDir = tmpRunDir();
  const { m, children, events, logs } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  ready(c);
  c.emit({ type: 'event', id: 1, event: runStart(runDir) });
  c.stderr('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  c.doExit(134, null);
  const s = await p;
  assert.equal(s.status, 'failed');
  assert.equal(s.error, 'the trainer process aborted (exit code 134; JavaScript heap out of memory?)');
  assert.equal(JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')).status, 'failed');
  assert.equal(events.at(-1)?.kind, 'run-end');
  assert.ok(logs.some((l) => l.startsWith('warn: [rps.experiment.json] FATAL ERROR')));
  assert.equal(m.state(FILE), 'idle');
  rmSync(path.dirname(path.dirname(runDir)), { recursive: true });
});

test('a summary the trainer already finished is not overwritten by a later crash', async () => {
  const runDir = tmpRunDir();
  const { m, children } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  ready(c);
  c.emit({ type: 'event', id: 1, event: runStart(runDir) });
  c.emit({ type: 'event', id: 1, event: { kind: 'run-end', summary: summary('completed') } });
  c.doExit(null, 'SIGSEGV');
  assert.equal((await p).status, 'completed');
  rmSync(path.dirname(path.dirname(runDir)), { recursive: true });
});

test('a failure before the run folder rejects with the trainer\'s error text', async () => {
  const { m, children } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  ready(c);
  c.emit({ type: 'failed', id: 1, error: '/ws/rps.experiment.json:3:12: model.cutAt: no layer named "conv_pw_14_relu"' });
  c.doExit(1, null);
  await assert.rejects(p, (e: unknown) => e instanceof RunError && e.reason === 'failed' && /conv_pw_14_relu/.test(e.message));
});

test('a crash before ready rejects with the exit reason', async () => {
  const { m, children } = setup();
  const p = m.start(FILE);
  children[0]!.doExit(null, 'SIGKILL');
  await assert.rejects(p, /killed \(SIGKILL; out of memory\?\)/);
  assert.equal(m.state(FILE), 'idle');
});

test('a trainer that never says ready is killed after the ready timeout', async () => {
  const { m, children } = setup({ readyTimeoutMs: 30 });
  await assert.rejects(m.start(FILE), /did not start within 0 s/);
  assert.deepEqual(children[0]!.signals, ['SIGKILL']);
});

test('a protocol version mismatch is refused', async () => {
  const { m, children } = setup();
  const p = m.start(FILE);
  children[0]!.emit({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION + 1, pid: 1 });
  await assert.rejects(p, new RegExp(`trainer protocol ${TRAINER_PROTOCOL_VERSION + 1} does not match the extension's ${TRAINER_PROTOCOL_VERSION}`));
  assert.deepEqual(children[0]!.sent, []);
});

test('invalid trainer messages are ignored and logged', async () => {
  const { m, children, logs, events } = setup();
  const p = m.start(FILE);
  const c = children[0]!;
  ready(c);
  c.emit({ type: 'event', id: 1 });
  c.emit('garbage');
  assert.equal(events.length, 0);
  assert.equal(logs.filter((l) => l.includes('ignored an invalid message')).length, 2);
  c.emit({ type: 'event', id: 1, event: { kind: 'run-end', summary: summary('completed') } });
  c.emit({ type: 'done', id: 1 });
  assert.equal((await p).status, 'completed');
});

test('parallel limit, one run per file, and a slot frees when a run ends', async () => {
  const { m, children } = setup();
  const a = m.start('/ws/a.experiment.json');
  const b = m.start('/ws/b.experiment.json');
  await assert.rejects(m.start('/ws/a.experiment.json'), (e: unknown) => e instanceof RunError && e.reason === 'busy');
  await assert.rejects(m.start('/ws/c.experiment.json'), (e: unknown) => e instanceof RunError && e.reason === 'limit' && /limit is 2/.test(e.message));
  assert.equal(children.length, 2, 'refused runs fork nothing');
  assert.deepEqual(m.activeFiles().map((f) => path.basename(f)).sort(), ['a.experiment.json', 'b.experiment.json']);
  children[0]!.doExit(1, null);
  await assert.rejects(a, /exited with code 1/);
  const c = m.start('/ws/c.experiment.json');
  assert.equal(children.length, 3);
  children[1]!.doExit(1, null);
  children[2]!.doExit(1, null);
  await Promise.allSettled([b, c]);
});

test('stop while starting ends the process and rejects as cancelled', async () => {
  const { m, children } = setup();
  const p = m.start(FILE);
  const stopped = m.stop(FILE);
  assert.equal(m.state(FILE), 'stopping');
  await stopped;
  await assert.rejects(p, (e: unknown) => e instanceof RunError && e.reason === 'cancelled');
  assert.deepEqual(children[0]!.signals, ['SIGTERM']);
  await tick();
});
