// Prepares the next batch while the current one trains. Only typed arrays are built ahead;
// tensors are made when a batch is taken, so stopping early leaves nothing to dispose.
// Batches are prepared strictly in order, so the augmentation draws are the same as calling
// makeBatch batch after batch with the same rng.
import { fillBatch, toTensors, type Batch, type BatchOptions, type HostBatch } from './batch';
import type { Dataset, Split } from './types';

export interface PrefetchOptions extends Omit<BatchOptions, 'flip'> {
  batchSize: number;
  /** Visiting order of the split's examples (default 0..count-1); the last batch may be smaller. */
  order?: ArrayLike<number>;
}

export class BatchPrefetcher implements AsyncIterableIterator<Batch> {
  private readonly order: ArrayLike<number>;
  private nextBatch = 0;
  private pending: Promise<HostBatch> | null = null;
  private timer: NodeJS.Immediate | null = null;
  private finished = false;
  readonly batches: number;

  constructor(
    private readonly ds: Dataset,
    private readonly split: Split,
    private readonly opts: PrefetchOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) throw new Error(`batchSize must be a positive integer, got ${opts.batchSize}`);
    this.order = opts.order ?? Array.from({ length: split.count }, (_, i) => i);
    this.batches = Math.ceil(this.order.length / opts.batchSize);
  }

  private indicesOf(b: number): number[] {
    const start = b * this.opts.batchSize;
    return Array.from(Array.prototype.slice.call(this.order, start, Math.min(start + this.opts.batchSize, this.order.length)) as number[]);
  }

  /** Builds batch b on a later turn of the event loop, i.e. while the caller awaits training work. */
  private prepare(b: number): Promise<HostBatch> {
    return new Promise((resolve, reject) => {
      this.timer = setImmediate(() => {
        this.timer = null;
        try {
          resolve(fillBatch(this.ds, this.split, this.indicesOf(b), this.opts));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  async next(): Promise<IteratorResult<Batch>> {
    if (this.finished || this.nextBatch >= this.batches) {
      this.finished = true;
      return { done: true, value: undefined };
    }
    const b = this.nextBatch++;
    const host = await (this.pending ?? Promise.resolve(fillBatch(this.ds, this.split, this.indicesOf(b), this.opts)));
    this.pending = null;
    if (this.finished) return { done: true, value: undefined };
    if (this.nextBatch < this.batches) this.pending = this.prepare(this.nextBatch);
    return { done: false, value: toTensors(this.ds, host) };
  }

  /** Stops early (a `break` in for-await calls this); the batch prepared ahead is dropped. */
  async return(): Promise<IteratorResult<Batch>> {
    this.finished = true;
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    this.pending = null;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Batch> {
    return this;
  }
}
