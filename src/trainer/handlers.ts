// What the trainer does for each request. Kept apart from main.ts (which owns the process and
// the IPC channel) so the mapping from request to answer reads on its own.
import { runExperiment } from '../core/run/runExperiment';
import { inspectModel } from '../core/model';
import { probeBackends, selectBackend } from '../core/backend/select';
import type { RunEvent } from '../shared/events';
import type { TrainerMessage, TrainerRequest } from '../shared/trainerProtocol';

export type Send = (msg: TrainerMessage) => void;

export interface TrainerState {
  /** One per active run: `stop` aborts them all (a trainer normally runs one experiment). */
  controllers: Set<AbortController>;
}

/** Backend probes and selection run one at a time: two concurrent wasm probes disturb each other. */
let backendChain: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const p = backendChain.then(fn, fn);
  backendChain = p.catch(() => undefined);
  return p;
}

/** Loading a model needs a backend; the best one is chosen once, on the first inspection. */
let backendReady: Promise<unknown> | undefined;
const ensureBackend = () =>
  (backendReady ??= serial(() => selectBackend('auto')).catch((err: unknown) => {
    backendReady = undefined;
    throw err;
  }));

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function handleRequest(req: TrainerRequest, send: Send, state: TrainerState): Promise<void> {
  switch (req.type) {
    case 'stop':
      for (const c of state.controllers) c.abort();
      if (state.controllers.size === 0) process.exit(0);
      return;
    case 'backend-info':
      try {
        send({ type: 'backend-info', id: req.id, report: await serial(probeBackends) });
      } catch (err) {
        send({ type: 'failed', id: req.id, error: message(err) });
      }
      return;
    case 'inspect':
      try {
        await ensureBackend();
        const inspection = await inspectModel(req.ref, {
          baseDir: req.baseDir ?? process.cwd(),
          cacheDir: req.modelCacheDir,
          runsDir: req.runsDir,
          onProgress: (done: number, total: number) => send({ type: 'event', id: req.id, event: { kind: 'progress', task: `download ${req.ref}`, done, total } }),
        });
        send({ type: 'inspection', id: req.id, inspection });
      } catch (err) {
        send({ type: 'failed', id: req.id, error: message(err) });
      }
      return;
    case 'run':
      return run(req, send, state);
  }
}

async function run(req: Extract<TrainerRequest, { type: 'run' }>, send: Send, state: TrainerState): Promise<void> {
  const controller = new AbortController();
  state.controllers.add(controller);
  let runDir: string | undefined;
  let ended = false;
  const onEvent = (event: RunEvent) => {
    if (event.kind === 'run-start') runDir = event.runDir;
    if (event.kind === 'run-end') ended = true;
    send({ type: 'event', id: req.id, event });
  };
  try {
    const summary = await runExperiment(req.experimentFile, {
      runsDir: req.runsDir,
      backend: req.backend,
      modelCacheDir: req.modelCacheDir,
      featureCacheDir: req.featureCacheDir,
      signal: controller.signal,
      onEvent,
    });
    // The host learns the outcome from run-end; send it if the engine did not emit one.
    if (!ended) onEvent({ kind: 'run-end', summary });
    send({ type: 'done', id: req.id });
  } catch (err) {
    send({ type: 'failed', id: req.id, error: message(err), ...(runDir ? { runDir } : {}) });
  } finally {
    state.controllers.delete(controller);
  }
  if (controller.signal.aborted) {
    // `stop` means "save and exit": give IPC a moment to flush the last messages.
    setTimeout(() => process.exit(0), 50);
  }
}
