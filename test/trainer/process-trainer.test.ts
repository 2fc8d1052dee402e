// Forks the real bundled trainer (dist/trainer.js; run `node scripts/build.mjs` first) and talks
// to it over IPC, the way the extension host does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isTrainerMessage, TRAINER_PROTOCOL_VERSION, type TrainerMessage, type TrainerRequest } from '../../src/shared/trainerProtocol';
import { RunManager } from '../../src/extension/runs/runManager';
import { forkTrainer } from '../../src/extension/runs/trainerChild';
import type { RunEvent, RunSummary } from '../../src/shared/events';
import { readRunEvents } from '../../src/core/run/store';

const root = path.resolve(import.meta.dirname, '../..');
const TRAINER = path.join(root, 'dist/trainer.js');
const ASSETS = path.resolve(root, '../shared/assets');
const MODEL = path.join(ASSETS, 'models/mobilenet_v1_0.25_224/model.json');
const RPS = path.join(ASSETS, 'datasets/rock-paper-scissors');

let work: string;
before(() => {
  assert.ok(existsSync(TRAINER), 'dist/trainer.js is missing: run node scripts/build.mjs');
  work = mkdtempSync(path.join(tmpdir(), 'tl-proc-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A trainer with a message queue, so a test can await the next message of a kind. */
class Trainer {
  readonly cp: ChildProcess;
  private readonly queue: TrainerMessage[] = [];
  private waiter: (() => void) | undefined;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor() {
    this.cp = fork(TRAINER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.cp.on('message', (m) => {
      assert.ok(isTrainerMessage(m), `invalid message from the trainer: ${JSON.stringify(m)}`);
      this.queue.push(m);
      this.waiter?.();
    });
    this.exit = new Promise((r) => this.cp.on('exit', (code, signal) => r({ code, signal })));
  }
  send(req: TrainerRequest) {
    this.cp.send(req);
  }
  async next<T extends TrainerMessage['type']>(type: T, timeoutMs = 60_000): Promise<Extract<TrainerMessage, { type: T }>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type);
      if (i >= 0) return this.queue.splice(i, 1)[0] as Extract<TrainerMessage, { type: T }>;
      if (Date.now() > end) throw new Error(`no ${type} message within ${timeoutMs} ms (got ${this.queue.map((m) => m.type).join(', ')})`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
    }
  }
}

function experiment(name: string, epochs: number, extra: Record<string, unknown> = {}): string {
  const file = path.join(work, `${name}.experiment.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      seed: 7,
      backend: 'wasm',
      model: { base: MODEL, cutAt: 'conv_pw_13_relu', freeze: 'all' },
      data: { type: 'imageFolder', path: RPS, maxPerClass: 10, split: { validation: 0.2, test: 0.2 } },
      training: { batchSize: 6, phases: [{ name: 'head', epochs, learningRate: 0.01 }] },
      featureCache: false,
      ...extra,
    }),
  );
  return file;
}

test('ready with the protocol version, backend-info, and inspect of MobileNet 0.25 (88 layers)', async () => {
  const t = new Trainer();
  const ready = await t.next('ready');
  assert.equal(ready.protocol, TRAINER_PROTOCOL_VERSION);
  assert.equal(ready.pid, t.cp.pid);
  t.send({ type: 'backend-info', id: 1 });
  const info = await t.next('backend-info');
  assert.equal(info.id, 1);
  assert.deepEqual(info.report.candidates.map((c) => c.name), ['tensorflow', 'wasm', 'cpu']);
  assert.equal(info.report.candidates.find((c) => c.name === 'cpu')!.available, true);
  assert.ok(info.report.candidates.some((c) => c.name === info.report.chosen && c.available));
  t.send({ type: 'inspect', id: 2, ref: MODEL, baseDir: work });
  const insp = await t.next('inspection');
  assert.equal(insp.id, 2);
  assert.equal(insp.inspection.layers.length, 88);
  assert.equal(insp.inspection.totalParams, 475_544);
  assert.deepEqual(insp.inspection.inputShape, [null, 224, 224, 3]);
  const cut = insp.inspection.layers.find((l) => l.name === 'conv_pw_13_relu')!;
  assert.deepEqual(cut.outputShape, [null, 7, 7, 256]);
  t.send({ type: 'inspect', id: 3, ref: path.join(work, 'nope/model.json'), baseDir: work });
  const failed = await t.next('failed');
  assert.equal(failed.id, 3);
  assert.match(failed.error, /nope[\\/]model\.json/);
  t.cp.kill();
  await t.exit;
});

test('an invalid request is logged, not fatal; a bad experiment file fails with its position', async () => {
  const t = new Trainer();
  await t.next('ready');
  t.cp.send({ type: 'run', id: 'x' });
  const log = await t.next('log');
  assert.equal(log.level, 'warn');
  assert.match(log.message, /ignored an invalid request/);
  const bad = path.join(work, 'bad.experiment.json');
  writeFileSync(bad, '{\n  "name": "bad",\n  "model": { "base": "m" }\n}\n');
  t.send({ type: 'run', id: 4, experimentFile: bad });
  const failed = await t.next('failed');
  assert.equal(failed.id, 4);
  assert.equal(failed.runDir, undefined);
  assert.match(failed.error, /bad\.experiment\.json:3:\d+: model\.cutAt/);
  t.cp.kill();
  await t.exit;
});

function manager(events: RunEvent[]) {
  return new RunManager({
    spawn: () => forkTrainer({ script: TRAINER, maxOldSpaceMb: 3072 }),
    request: () => ({ runsDir: path.join(work, 'runs'), featureCacheDir: path.join(work, 'features') }),
    maxParallel: () => 2,
    stopTimeoutMs: 60_000,
    onEvent: (_f, e) => events.push(e),
  });
}

test('a run completes: events arrive, summary and model are saved', async () => {
  const events: RunEvent[] = [];
  const s = await manager(events).start(experiment('proc-complete', 2));
  assert.equal(s.status, 'completed', s.error);
  assert.equal(s.transfer.epochsRun, 2);
  assert.deepEqual(s.classes, ['paper', 'rock', 'scissors']);
  const start = events.find((e) => e.kind === 'run-start');
  assert.ok(start && start.kind === 'run-start');
  assert.equal(events.filter((e) => e.kind === 'epoch').length, 2);
  assert.equal(events.at(-1)?.kind, 'run-end');
  const disk = JSON.parse(readFileSync(path.join(start.runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(disk.status, 'completed');
  assert.ok(existsSync(path.join(start.runDir, 'model', 'model.json')));
});

test('stop ends a run after its batch: status stopped, partial metrics kept, the trainer exits', async () => {
  const events: RunEvent[] = [];
  const m = manager(events);
  const file = experiment('proc-stop', 60);
  const done = m.start(file);
  while (!events.some((e) => e.kind === 'epoch')) await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await m.stop(file);
  const s = await done;
  assert.equal(s.status, 'stopped');
  assert.ok(Date.now() - t0 < 20_000, 'stopped within a few batches');
  assert.ok(s.transfer.epochsRun >= 1 && s.transfer.epochsRun < 60, `epochs run: ${s.transfer.epochsRun}`);
  const start = events.find((e) => e.kind === 'run-start');
  assert.ok(start && start.kind === 'run-start');
  const recorded = await readRunEvents(start.runDir);
  assert.ok(recorded.some((e) => e.kind === 'epoch'), 'metrics.jsonl keeps the epochs before the stop');
  assert.equal(m.state(file), 'idle');
});

test('a trainer killed mid-run (SIGKILL) leaves the run marked failed with the reason', async () => {
  const events: RunEvent[] = [];
  const spawned: ReturnType<typeof forkTrainer>[] = [];
  const m = new RunManager({
    spawn: () => {
      const c = forkTrainer({ script: TRAINER });
      spawned.push(c);
      return c;
    },
    request: () => ({ runsDir: path.join(work, 'runs') }),
    maxParallel: () => 1,
    onEvent: (_f, e) => events.push(e),
  });
  const done = m.start(experiment('proc-crash', 60));
  while (!events.some((e) => e.kind === 'run-start')) await new Promise((r) => setTimeout(r, 50));
  spawned[0]!.kill('SIGKILL');
  const s = await done;
  assert.equal(s.status, 'failed');
  assert.equal(s.error, 'the trainer process was killed (SIGKILL; out of memory?)');
  const start = events.find((e) => e.kind === 'run-start');
  assert.ok(start && start.kind === 'run-start');
  assert.equal(JSON.parse(readFileSync(path.join(start.runDir, 'summary.json'), 'utf8')).status, 'failed');
  assert.equal(events.at(-1)?.kind, 'run-end');
});
