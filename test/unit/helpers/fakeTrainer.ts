// A stand-in for a forked trainer: records what the host sends, and lets a test say what the
// trainer answers and how it exits.
import type { TrainerRequest } from '../../../src/shared/trainerProtocol';
import type { TrainerChild } from '../../../src/extension/runs/trainerChild';

export class FakeTrainer implements TrainerChild {
  static nextPid = 1000;
  readonly pid = FakeTrainer.nextPid++;
  readonly sent: TrainerRequest[] = [];
  readonly signals: string[] = [];
  exited = false;
  /** When false, SIGTERM is ignored (a trainer stuck in a long batch); SIGKILL always ends it. */
  obeysSigterm = true;
  private msg: ((m: unknown) => void)[] = [];
  private exit: ((c: number | null, s: NodeJS.Signals | null) => void)[] = [];
  private out: ((l: string, s: 'stdout' | 'stderr') => void)[] = [];
  /** Called on every request the host sends. */
  onRequest: (req: TrainerRequest) => void = () => undefined;

  send(m: TrainerRequest): void {
    if (this.exited) return;
    this.sent.push(m);
    this.onRequest(m);
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exited) return;
    this.signals.push(signal);
    if (signal === 'SIGKILL' || this.obeysSigterm) setImmediate(() => this.doExit(null, signal));
  }
  onMessage(l: (m: unknown) => void): void {
    this.msg.push(l);
  }
  onExit(l: (c: number | null, s: NodeJS.Signals | null) => void): void {
    this.exit.push(l);
  }
  onOutput(l: (line: string, s: 'stdout' | 'stderr') => void): void {
    this.out.push(l);
  }
  /** The trainer sends a message. */
  emit(m: unknown): void {
    for (const l of this.msg) l(m);
  }
  stderr(line: string): void {
    for (const l of this.out) l(line, 'stderr');
  }
  doExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const l of this.exit) l(code, signal);
  }
}

export const tick = () => new Promise((r) => setImmediate(r));
