// What a command may touch of the outside world, passed in so tests can capture it.
export interface OutStream {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** A person is watching stderr: draw progress bars instead of log lines. */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Called on Ctrl+C; returns a function that removes the handler. */
  onInterrupt(handler: () => void): () => void;
}

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** The run was stopped by Ctrl+C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/** The model cache folder: TRANSFER_LAB_CACHE when set, else the engine's per-user default. */
export function modelCacheDir(io: CliIo): string | undefined {
  const v = io.env.TRANSFER_LAB_CACHE;
  return v && v.trim() ? v : undefined;
}
