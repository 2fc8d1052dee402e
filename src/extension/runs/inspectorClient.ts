// Model inspections and backend reports come from a trainer process (the extension host never
// loads TensorFlow.js). One helper process serves every request, stays up while requests come,
// and exits when idle. Results are cached. No `vscode` import.
import type { ModelInspection } from '../../shared/model';
import { isTrainerMessage, TRAINER_PROTOCOL_VERSION, type BackendReport, type TrainerMessage, type TrainerRequest } from '../../shared/trainerProtocol';
import type { ModelInspector } from '../services';
import { describeExit, type SpawnTrainer, type TrainerChild } from './trainerChild';

type Pending = { resolve: (m: TrainerMessage) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout>; child: TrainerChild };
type Request = { type: 'inspect'; ref: string; baseDir?: string; modelCacheDir?: string; runsDir?: string } | { type: 'backend-info' };

export interface InspectorClientOptions {
  spawn: SpawnTrainer;
  /** The helper process exits after this long without requests. */
  idleMs?: number;
  /** A request (a model download, say) may take this long. */
  requestTimeoutMs?: number;
  /** How long a new helper may take to say ready before it is killed (default 60 s, as for runs). */
  readyTimeoutMs?: number;
  modelCacheDir?: () => string | undefined;
  /** Where "run:<experiment>" base models of experiments in `baseDir` live. */
  runsDir?: (baseDir: string) => string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class InspectorClient implements ModelInspector {
  private child: TrainerChild | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly cache = new Map<string, Promise<ModelInspection>>();
  private backend: Promise<BackendReport> | undefined;
  /** Processes started so far (for tests and the log). */
  spawned = 0;

  constructor(private readonly o: InspectorClientOptions) {}

  inspect(ref: string, baseDir: string): Promise<ModelInspection> {
    const key = `${baseDir}\u0000${ref}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.request({ type: 'inspect', ref, baseDir, modelCacheDir: this.o.modelCacheDir?.(), runsDir: this.o.runsDir?.(baseDir) }).then((m) => {
        if (m.type !== 'inspection') throw new Error(`unexpected reply ${m.type}`);
        return m.inspection;
      });
      this.cache.set(key, p);
      // A failure is not cached: the file may be fixed or the network come back.
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  backendInfo(): Promise<BackendReport> {
    if (!this.backend) {
      const p = this.request({ type: 'backend-info' }).then((m) => {
        if (m.type !== 'backend-info') throw new Error(`unexpected reply ${m.type}`);
        return m.report;
      });
      this.backend = p;
      p.catch(() => (this.backend = undefined));
    }
    return this.backend;
  }

  /** Forgets cached inspections (all, or those whose ref or folder mentions `hint`). */
  invalidate(hint?: string): void {
    for (const key of [...this.cache.keys()]) if (!hint || key.includes(hint)) this.cache.delete(key);
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private async request(req: Request): Promise<TrainerMessage> {
    const child = this.ensureChild();
    await this.ready;
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    const timeoutMs = this.o.requestTimeoutMs ?? 5 * 60_000;
    return new Promise<TrainerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the trainer did not answer ${req.type} within ${Math.round(timeoutMs / 1000)} s`));
        this.scheduleIdle();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, child });
      child.send({ ...req, id } as TrainerRequest);
    });
  }

  private ensureChild(): TrainerChild {
    if (this.child) return this.child;
    const child = this.o.spawn();
    this.spawned++;
    this.child = child;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej)));
    // Callers await `ready`; keep an unobserved rejection from being reported globally.
    this.ready.catch(() => undefined);
    // A helper that neither says ready nor exits would hang every inspection: kill it.
    const readyMs = this.o.readyTimeoutMs ?? 60_000;
    const readyTimer = setTimeout(() => {
      readyReject(new Error(`the trainer did not start within ${Math.round(readyMs / 1000)} s`));
      child.kill('SIGKILL');
    }, readyMs);
    void this.ready.then(
      () => clearTimeout(readyTimer),
      () => clearTimeout(readyTimer),
    );
    child.onOutput((line, stream) => this.o.log?.(stream === 'stderr' ? 'warn' : 'info', `[inspector] ${line}`));
    child.onMessage((raw) => {
      if (!isTrainerMessage(raw)) return;
      if (raw.type === 'ready') {
        if (raw.protocol === TRAINER_PROTOCOL_VERSION) readyResolve();
        else {
          readyReject(new Error(`trainer protocol ${raw.protocol} does not match the extension's ${TRAINER_PROTOCOL_VERSION}`));
          child.kill('SIGKILL');
        }
        return;
      }
      if (raw.type === 'log') return this.o.log?.(raw.level, `[inspector] ${raw.message}`);
      if (!('id' in raw)) return;
      const p = this.pending.get(raw.id);
      if (!p || raw.type === 'event' || raw.type === 'done') return;
      this.pending.delete(raw.id);
      clearTimeout(p.timer);
      if (raw.type === 'failed') p.reject(new Error(raw.error));
      else p.resolve(raw);
      this.scheduleIdle();
    });
    child.onExit((code, signal) => {
      if (this.child === child) this.child = undefined;
      const err = new Error(describeExit(code, signal));
      readyReject(err);
      // Only this process's requests: an idle helper may exit after its successor took new ones.
      for (const [id, p] of this.pending) {
        if (p.child !== child) continue;
        clearTimeout(p.timer);
        p.reject(err);
        this.pending.delete(id);
      }
    });
    return child;
  }

  private scheduleIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.pending.size) return;
    this.idleTimer = setTimeout(() => this.dispose(), this.o.idleMs ?? 60_000);
    this.idleTimer.unref?.();
  }
}
