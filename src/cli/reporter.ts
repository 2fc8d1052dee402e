// Shows a run's events while it trains: a progress bar per epoch for a person at a terminal,
// one plain line per event otherwise (CI logs, pipes). Everything goes to one stream (stderr),
// so stdout carries only the result (`--json` output stays machine-readable).
import cliProgress from 'cli-progress';
import type { RunEvent } from '../shared/events';
import { fmt, fmtInt, formatEventLine } from './format';

export interface ReporterStream {
  write(chunk: string): unknown;
}

export interface RunReporter {
  onEvent(e: RunEvent): void;
  /** A line of our own (e.g. "stopping..."), printed without breaking a bar. */
  log(line: string): void;
  /** Clears any bar; call before printing the result. */
  close(): void;
}

export function createRunReporter(stream: ReporterStream, tty: boolean): RunReporter {
  return tty ? new BarReporter(stream) : new PlainReporter(stream);
}

class PlainReporter implements RunReporter {
  constructor(private readonly stream: ReporterStream) {}

  onEvent(e: RunEvent): void {
    if (e.kind === 'progress') {
      // Only the end of a preparation task: a log should not get a line per file.
      if (e.done === e.total) this.log(`${e.task}: done (${fmtInt(e.total)})`);
      return;
    }
    const line = formatEventLine(e);
    if (line !== null) this.log(line);
  }

  log(line: string): void {
    this.stream.write(line + '\n');
  }

  close(): void {}
}

type Bar = cliProgress.SingleBar;

class BarReporter implements RunReporter {
  private bar: Bar | null = null;
  /** What the current bar counts, e.g. "transfer epoch 3/10" or "caching features". */
  private barKey = '';
  private epochs = 0;

  constructor(private readonly stream: ReporterStream) {}

  private openBar(key: string, format: string, total: number, value: number, payload: object): Bar {
    if (this.bar && this.barKey === key) return this.bar;
    this.closeBar();
    const bar = new cliProgress.SingleBar(
      {
        format,
        stream: this.stream as NodeJS.WritableStream,
        clearOnComplete: true,
        hideCursor: true,
        barsize: 14,
        etaBuffer: 20,
        fps: 8,
        linewrap: true,
        // We stop the run on SIGINT ourselves (cooperatively); the bar must not take the signal.
        gracefulExit: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, value, payload);
    this.bar = bar;
    this.barKey = key;
    return bar;
  }

  private closeBar(): void {
    this.bar?.stop();
    this.bar = null;
    this.barKey = '';
  }

  onEvent(e: RunEvent): void {
    switch (e.kind) {
      case 'run-start':
        this.epochs = e.phases.reduce((n, p) => n + p.epochs, 0);
        break;
      case 'batch': {
        const label = `${e.model} epoch ${e.epoch}/${this.epochs || '?'}`;
        const payload = { label, loss: fmt(e.loss, 3), acc: fmt(e.accuracy, 3), ips: fmtInt(e.imagesPerSecond) };
        // Kept under 80 columns for a typical run; longer lines are cut at the terminal's width.
        const format = '{label} {bar} {value}/{total} loss {loss} acc {acc} {ips} img/s ETA {eta_formatted}';
        const bar = this.openBar(label, format, e.batches, 0, payload);
        bar.update(e.batch, payload);
        return;
      }
      case 'progress': {
        const bar = this.openBar(`progress:${e.task}`, '{task} {bar} {value}/{total} ETA {eta_formatted}', e.total, 0, { task: e.task });
        bar.update(e.done, { task: e.task });
        if (e.done >= e.total) this.closeBar();
        return;
      }
    }
    const line = formatEventLine(e);
    if (line !== null) this.log(line);
  }

  log(line: string): void {
    // A bar redraws its own line: take it down, print, and the next batch brings it back.
    this.closeBar();
    this.stream.write(line + '\n');
  }

  close(): void {
    this.closeBar();
  }
}
