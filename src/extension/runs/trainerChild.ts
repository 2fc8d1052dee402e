// The host's view of a trainer process, narrowed to what the run manager and the inspector
// use, so tests drive them with a fake process. No `vscode` import: unit-tested with node --test.
import { fork } from 'node:child_process';
import type { TrainerRequest } from '../../shared/trainerProtocol';

export interface TrainerChild {
  readonly pid: number | undefined;
  send(msg: TrainerRequest): void;
  kill(signal?: NodeJS.Signals): void;
  onMessage(listener: (msg: unknown) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** stderr/stdout lines of the process, for the log. */
  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
}

export type SpawnTrainer = () => TrainerChild;

export interface ForkOptions {
  /** Path of dist/trainer.js. */
  script: string;
  /** Heap limit of the trainer (MB): training holds images and activations in memory. */
  maxOldSpaceMb?: number;
  /** Start with --inspect=<port> so a debugger can attach. */
  inspectPort?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A Node.js binary to run the trainer with; default: the host's own runtime. */
  execPath?: string;
}

/** Forks the real trainer with an IPC channel; stdout and stderr are piped for the log. */
export function forkTrainer(o: ForkOptions): TrainerChild {
  const execArgv = [`--max-old-space-size=${o.maxOldSpaceMb ?? 4096}`];
  if (o.inspectPort !== undefined) execArgv.push(`--inspect=${o.inspectPort}`);
  const cp = fork(o.script, [], {
    execArgv,
    ...(o.execPath ? { execPath: o.execPath } : {}),
    cwd: o.cwd,
    env: { ...process.env, ...o.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  let exited = false;
  const fireExit = (code: number | null, signal: NodeJS.Signals | null) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(code, signal);
  };
  cp.on('exit', fireExit);
  // A fork that cannot start (bad path, EACCES) emits 'error' and may never emit 'exit'.
  cp.on('error', () => fireExit(cp.exitCode ?? 1, null));
  return {
    pid: cp.pid,
    send(msg) {
      if (cp.connected) cp.send(msg);
    },
    kill(signal = 'SIGTERM') {
      if (cp.exitCode === null && cp.signalCode === null) cp.kill(signal);
    },
    onMessage(listener) {
      cp.on('message', listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    onOutput(listener) {
      for (const [stream, name] of [
        [cp.stdout, 'stdout'],
        [cp.stderr, 'stderr'],
      ] as const) {
        let rest = '';
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) listener(line, name);
        });
        stream?.on('end', () => {
          if (rest.trim()) listener(rest, name);
          rest = '';
        });
      }
    },
  };
}

/** One line saying why a trainer process ended, for a failed run's summary. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'the trainer process was killed (SIGKILL; out of memory?)';
  if (signal) return `the trainer process was killed by ${signal}`;
  if (code === 134) return 'the trainer process aborted (exit code 134; JavaScript heap out of memory?)';
  return `the trainer process exited with code ${code ?? 'unknown'}`;
}
