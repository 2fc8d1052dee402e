// Runs in trainer processes, one process per run: start, forward events, stop (a message,
// then a kill after a timeout), and turn a crash into a failed run. No `vscode` import, so
// the state machine is unit-tested with a fake process (test/unit/extension-runManager.test.ts).
import * as path from 'node:path';
import type { RunEvent, RunSummary } from '../../shared/events';
import { isTrainerMessage, TRAINER_PROTOCOL_VERSION, type TrainerRequest } from '../../shared/trainerProtocol';
import { finishSummary } from './finishSummary';
import { describeExit, type TrainerChild } from './trainerChild';

export type RunState = 'idle' | 'starting' | 'running' | 'stopping';
type RunRequest = Extract<TrainerRequest, { type: 'run' }>;
type RunStart = Extract<RunEvent, { kind: 'run-start' }>;
export type LogLevel = 'info' | 'warn' | 'error';

/** A run that could not start, or that failed before it had a run folder. */
export class RunError extends Error {
  constructor(message: string, readonly reason: 'busy' | 'limit' | 'cancelled' | 'failed') {
    super(message);
    this.name = 'RunError';
  }
}

export interface RunManagerOptions {
  spawn: (experimentFile: string) => TrainerChild;
  /** Settings for the run request (runs folder, backend, caches). */
  request?: (experimentFile: string) => Omit<RunRequest, 'type' | 'id' | 'experimentFile'>;
  maxParallel: () => number;
  /** How long a stopped run may take to finish its batch and save before it is killed; a
   * function is read at each stop, so a changed setting applies to the next one. */
  stopTimeoutMs?: number | (() => number);
  readyTimeoutMs?: number;
  log?: (level: LogLevel, message: string) => void;
  onEvent?: (experimentFile: string, event: RunEvent, runDir: string | undefined) => void;
  onState?: (experimentFile: string, state: RunState) => void;
  /** Writes the final summary of a run whose trainer died (injectable for tests). */
  finish?: typeof finishSummary;
}

/** Keep every event but cap memory for very long runs (batch events are the bulk). */
const MAX_EVENTS = 20_000;

interface ActiveRun {
  file: string;
  child: TrainerChild;
  state: Exclude<RunState, 'idle'>;
  ready: boolean;
  events: RunEvent[];
  runDir?: string;
  start?: RunStart;
  summary?: RunSummary;
  failure?: string;
  stopRequested: boolean;
  killedAfterStop: boolean;
  /** The stop timeout in force when this run was asked to stop. */
  stopTimeoutMs: number;
  timers: ReturnType<typeof setTimeout>[];
  exited: Promise<void>;
}

export class RunManager {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly o: Required<Omit<RunManagerOptions, 'onEvent' | 'onState' | 'log' | 'request'>> & RunManagerOptions;

  constructor(options: RunManagerOptions) {
    this.o = { stopTimeoutMs: 30_000, readyTimeoutMs: 60_000, finish: finishSummary, ...options };
  }

  state(file: string): RunState {
    return this.runs.get(path.resolve(file))?.state ?? 'idle';
  }

  activeFiles(): string[] {
    return [...this.runs.keys()];
  }

  events(file: string): readonly RunEvent[] {
    return this.runs.get(path.resolve(file))?.events ?? [];
  }

  runDir(file: string): string | undefined {
    return this.runs.get(path.resolve(file))?.runDir;
  }

  /**
   * Forks a trainer and runs the experiment. Resolves with the summary (completed, stopped or
   * failed) once the trainer has exited; rejects with RunError when the run cannot start or
   * fails before it has a run folder.
   */
  start(experimentFile: string): Promise<RunSummary> {
    const file = path.resolve(experimentFile);
    const name = path.basename(file);
    if (this.runs.has(file)) return Promise.reject(new RunError(`${name} is already running`, 'busy'));
    const max = Math.max(1, this.o.maxParallel());
    if (this.runs.size >= max) {
      return Promise.reject(new RunError(`${this.runs.size} run(s) already active; the limit is ${max} (setting transferLab.maxParallelRuns)`, 'limit'));
    }
    const child = this.o.spawn(file);
    let markExited!: () => void;
    const run: ActiveRun = {
      file,
      child,
      state: 'starting',
      ready: false,
      events: [],
      stopRequested: false,
      killedAfterStop: false,
      stopTimeoutMs: 0,
      timers: [],
      exited: new Promise((r) => (markExited = r)),
    };
    this.runs.set(file, run);
    this.setState(run, 'starting');
    const log = (level: LogLevel, m: string) => this.o.log?.(level, `[${name}] ${m}`);
    // The pid lets a person (or a test) find the process that runs this experiment.
    log('info', `trainer started (pid ${child.pid ?? 'unknown'})`);

    return new Promise<RunSummary>((resolve, reject) => {
      run.timers.push(
        setTimeout(() => {
          if (run.ready) return;
          run.failure = `the trainer did not start within ${Math.round(this.o.readyTimeoutMs / 1000)} s`;
          child.kill('SIGKILL');
        }, this.o.readyTimeoutMs),
      );
      child.onOutput((line, stream) => log(stream === 'stderr' ? 'warn' : 'info', line));
      child.onMessage((raw) => {
        if (!isTrainerMessage(raw)) {
          log('warn', `ignored an invalid message from the trainer: ${JSON.stringify(raw).slice(0, 200)}`);
          return;
        }
        const msg = raw;
        switch (msg.type) {
          case 'ready':
            if (msg.protocol !== TRAINER_PROTOCOL_VERSION) {
              run.failure = `trainer protocol ${msg.protocol} does not match the extension's ${TRAINER_PROTOCOL_VERSION} (rebuild dist/trainer.js)`;
              child.kill('SIGKILL');
              return;
            }
            run.ready = true;
            if (run.stopRequested) {
              // Stopped while starting: nothing to save, end it.
              child.kill('SIGTERM');
              return;
            }
            child.send({ type: 'run', id: 1, experimentFile: file, ...this.o.request?.(file) });
            this.setState(run, 'running');
            return;
          case 'event':
            this.onRunEvent(run, msg.event);
            return;
          case 'log':
            log(msg.level, msg.message);
            return;
          case 'failed':
            run.failure = msg.error;
            if (msg.runDir) run.runDir = msg.runDir;
            return;
          case 'done':
            // The run is saved; the process has nothing left to do.
            child.kill('SIGTERM');
            return;
          default:
            return;
        }
      });
      child.onExit((code, signal) => {
        for (const t of run.timers) clearTimeout(t);
        // Leave the map before the caller hears the outcome, so it can start again at once.
        const done = () => {
          this.runs.delete(file);
          this.setState(run, 'idle');
          markExited();
        };
        this.settle(run, code, signal).then(
          (s) => (done(), resolve(s)),
          (e: unknown) => (done(), reject(e instanceof Error ? e : new Error(String(e)))),
        );
      });
    });
  }

  /** Asks the run to stop after its current batch; kills the trainer if it has not exited in time. */
  stop(experimentFile: string): Promise<void> {
    const run = this.runs.get(path.resolve(experimentFile));
    if (!run) return Promise.resolve();
    if (run.stopRequested) return run.exited;
    run.stopRequested = true;
    if (!run.ready) {
      run.child.kill('SIGTERM');
    } else {
      run.child.send({ type: 'stop' });
    }
    this.setState(run, 'stopping');
    run.stopTimeoutMs = typeof this.o.stopTimeoutMs === 'function' ? this.o.stopTimeoutMs() : this.o.stopTimeoutMs;
    run.timers.push(
      setTimeout(() => {
        run.killedAfterStop = true;
        this.o.log?.('warn', `[${path.basename(run.file)}] the trainer did not stop within ${Math.round(run.stopTimeoutMs / 1000)} s; killing it`);
        run.child.kill('SIGKILL');
      }, run.stopTimeoutMs),
    );
    return run.exited;
  }

  /** Kills every trainer (extension shutdown). */
  dispose(): void {
    for (const run of this.runs.values()) {
      run.stopRequested = true;
      run.child.kill('SIGKILL');
    }
  }

  private setState(run: ActiveRun, state: RunState): void {
    if (state !== 'idle') run.state = state;
    this.o.onState?.(run.file, state);
  }

  private onRunEvent(run: ActiveRun, event: RunEvent): void {
    if (event.kind === 'run-start') {
      run.start = event;
      run.runDir = event.runDir;
    } else if (event.kind === 'run-end') {
      run.summary = event.summary;
    }
    if (run.events.length >= MAX_EVENTS) {
      const i = run.events.findIndex((e) => e.kind === 'batch');
      run.events.splice(i >= 0 ? i : 0, 1);
    }
    run.events.push(event);
    this.o.onEvent?.(run.file, event, run.runDir);
  }

  /** What a run ended as, once its process is gone. */
  private async settle(run: ActiveRun, code: number | null, signal: NodeJS.Signals | null): Promise<RunSummary> {
    if (run.summary) return run.summary;
    const exit = describeExit(code, signal);
    if (!run.runDir) {
      if (run.stopRequested && !run.failure) throw new RunError(`${path.basename(run.file)}: stopped before the run started`, 'cancelled');
      throw new RunError(run.failure ?? exit, 'failed');
    }
    // The trainer died after it created the run folder: record why in summary.json.
    const stopped = run.stopRequested && (run.killedAfterStop || !run.failure);
    const reason = run.failure ?? (run.killedAfterStop ? `${exit} after it did not stop within ${Math.round(run.stopTimeoutMs / 1000)} s` : exit);
    const summary = await this.o.finish(run.runDir, stopped ? 'stopped' : 'failed', reason, run.start);
    this.onRunEvent(run, { kind: 'run-end', summary });
    return summary;
  }
}
