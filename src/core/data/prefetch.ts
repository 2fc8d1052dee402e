// Image batches assembled on a worker thread (batchWorker.ts), so the next batch is ready when a
// training step ends: the step runs synchronously on this thread (wasm/cpu), the worker uses the
// other core. One worker per process, started on first use; it keeps the process alive only
// while a batch is being assembled. Where it cannot start (no built worker file) batches are
// assembled inline, with the same result.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fillPixels } from './pixels';
import type { Dataset, Split } from './types';

export type WorkerRequest =
  | { type: 'register'; split: number; images: SharedArrayBuffer; offset: number; length: number; shape: [number, number, number]; preprocess: Dataset['preprocess'] }
  | { type: 'release'; split: number }
  | { type: 'batch'; id: number; split: number; indices: number[]; flips: boolean[] | undefined };

export type WorkerReply = { id: number; buffer: ArrayBuffer } | { id: number; error: string };

/** The bundled worker: next to this bundle (dist/), or dist/ of the checkout when run from source. */
function workerFile(): string | null {
  const candidates = [path.join(__dirname, 'batchWorker.js'), path.resolve(__dirname, '../../../dist/batchWorker.js')];
  return candidates.find((f) => existsSync(f)) ?? null;
}

class BatchWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(b: Float32Array): void; reject(e: Error): void }>();
  failed: Error | null = null;

  constructor(file: string) {
    this.worker = new Worker(file);
    this.worker.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in r) p.reject(new Error(r.error));
      else p.resolve(new Float32Array(r.buffer));
    });
    const fail = (err: Error): void => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`batch worker exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  post(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }

  request(split: number, indices: number[], flips: boolean[] | undefined): Promise<Float32Array> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced while a batch is pending: an awaited batch must keep the process alive.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'batch', id, split, indices, flips });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

let shared: BatchWorker | null | undefined;
let nextSplit = 1;
const counts = { worker: 0, inline: 0 };

/** How many batches were assembled on the worker and inline in this process (tests). */
export function prefetchCounts(): { worker: number; inline: number } {
  return { ...counts };
}

function getWorker(): BatchWorker | null {
  if (shared === undefined || shared?.failed) {
    const file = workerFile();
    shared = file ? new BatchWorker(file) : null;
  }
  return shared;
}

/** 'worker' when batches are assembled off this thread, 'inline' otherwise (tests). */
export function prefetchMode(): 'worker' | 'inline' {
  return getWorker() ? 'worker' : 'inline';
}

/** Stops the worker (tests; a process needs nothing to exit, the idle worker is unref'd). */
export async function stopBatchWorker(): Promise<void> {
  const w = shared;
  shared = undefined;
  if (w) await w.terminate();
}

/** Pixels of one split, assembled into float32 batches on the worker thread. */
export class SplitAssembler {
  private id = 0;
  private worker: BatchWorker | null = null;

  constructor(
    private readonly ds: Dataset,
    private readonly split: Split,
  ) {}

  /** Preprocessed pixels of these examples (mirrored where flips[i]), [n, h, w, c] flattened. */
  async pixels(indices: number[], flips: boolean[] | undefined): Promise<Float32Array> {
    const w = this.attach();
    if (w) {
      try {
        const out = await w.request(this.id, indices, flips);
        counts.worker++;
        return out;
      } catch (err) {
        // A worker that died is replaced on the next call; an error about the request itself is real.
        if (!w.failed) throw err;
      }
    }
    const [h, wd, c] = this.ds.imageShape;
    counts.inline++;
    return fillPixels(this.split.images, this.ds.imageShape, this.ds.preprocess, indices, flips, new Float32Array(indices.length * h * wd * c));
  }

  /** Lets the worker drop this split's pixels. */
  release(): void {
    if (this.worker && !this.worker.failed) this.worker.post({ type: 'release', split: this.id });
    this.worker = null;
  }

  private attach(): BatchWorker | null {
    const w = getWorker();
    if (w && w !== this.worker) {
      this.id = nextSplit++;
      const images = this.split.images.buffer instanceof SharedArrayBuffer ? this.split.images : copyToShared(this.split.images);
      w.post({ type: 'register', split: this.id, images: images.buffer as SharedArrayBuffer, offset: images.byteOffset, length: images.length, shape: this.ds.imageShape, preprocess: this.ds.preprocess });
      this.worker = w;
    }
    return w;
  }
}

function copyToShared(a: Uint8Array): Uint8Array {
  const s = new Uint8Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}
