// One namespace of the feature cache on disk: the boundary activations of one frozen prefix
// (same weights, boundary layer, preprocessing and image size) for any number of examples.
//
//   <dir>/meta.json     what the namespace holds (shape, boundary, model hash...), for checks and humans
//   <dir>/features.f32  entry i at byte i * entryBytes, float32, little-endian host order
//   <dir>/index.tsv     "<slot>\t<entry key>" lines, appended after the entry's bytes are written
//   <dir>/lock          pid of the process that appends to it
//
// Entries are only ever appended, so a crash leaves at worst bytes with no index line (they are
// overwritten by the next append) or an index line past the end of the data (ignored on open).
// Reads are synchronous positioned reads of single entries: a batch costs batch-size reads from
// the page cache, and nothing but the index is held in memory.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PACK_FORMAT = 1;

export interface PackMeta {
  format: number;
  /** Activation shape of one example, without the batch dimension. */
  shape: number[];
  boundary: string;
  modelHash: string;
  preprocess: string;
  imageShape: number[];
  createdAt: string;
}

const META = 'meta.json';
const DATA = 'features.f32';
const INDEX = 'index.tsv';
const LOCK = 'lock';

export class PackBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`feature cache ${dir} is in use by process ${pid}`);
    this.name = 'PackBusyError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the namespace's lock, or throws PackBusyError when another live process holds it. */
function lock(dir: string): void {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) throw new PackBusyError(dir, pid);
      // A crashed owner (or a garbled lock): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new PackBusyError(dir, -1);
}

export function isLockedByOther(dir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, LOCK), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid);
  } catch {
    return false;
  }
}

function sameMeta(a: PackMeta, b: PackMeta): boolean {
  return a.format === b.format && a.boundary === b.boundary && a.modelHash === b.modelHash && a.preprocess === b.preprocess &&
    JSON.stringify(a.shape) === JSON.stringify(b.shape) && JSON.stringify(a.imageShape) === JSON.stringify(b.imageShape);
}

export class FeaturePack {
  /** Floats per entry. */
  readonly entrySize: number;
  private readonly entryBytes: number;
  private readonly slots = new Map<string, number>();
  private nextSlot = 0;
  private fd: number;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly meta: PackMeta,
  ) {
    this.entrySize = meta.shape.reduce((a, b) => a * b, 1);
    this.entryBytes = this.entrySize * 4;
    const data = path.join(dir, DATA);
    // Positioned writes need 'r+' (append mode ignores the position on Linux); create first.
    fs.closeSync(fs.openSync(data, 'a'));
    this.fd = fs.openSync(data, 'r+');
    this.loadIndex();
  }

  /**
   * Opens (creating it if needed) the namespace in `dir` and locks it for this process. A folder
   * whose meta does not match (another format, a truncated meta) is wiped and started afresh.
   */
  static open(dir: string, meta: PackMeta): FeaturePack {
    fs.mkdirSync(dir, { recursive: true });
    lock(dir);
    try {
      let existing: PackMeta | null = null;
      try {
        existing = JSON.parse(fs.readFileSync(path.join(dir, META), 'utf8')) as PackMeta;
      } catch {
        existing = null;
      }
      if (!existing || !sameMeta(existing, meta)) {
        for (const f of [DATA, INDEX, META]) fs.rmSync(path.join(dir, f), { force: true });
        fs.writeFileSync(path.join(dir, META), JSON.stringify(meta, null, 2) + '\n');
      }
      // The modification time of meta.json is the namespace's last use (eviction drops the oldest).
      const now = new Date();
      fs.utimesSync(path.join(dir, META), now, now);
      return new FeaturePack(dir, existing && sameMeta(existing, meta) ? existing : meta);
    } catch (err) {
      fs.rmSync(path.join(dir, LOCK), { force: true });
      throw err;
    }
  }

  private loadIndex(): void {
    const dataBytes = fs.fstatSync(this.fd).size;
    const complete = Math.floor(dataBytes / this.entryBytes);
    let text = '';
    try {
      text = fs.readFileSync(path.join(this.dir, INDEX), 'utf8');
    } catch {
      text = '';
    }
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const slot = Number(line.slice(0, tab));
      // Lines whose bytes never reached the disk are ignored.
      if (!Number.isInteger(slot) || slot < 0 || slot >= complete) continue;
      this.slots.set(line.slice(tab + 1), slot);
      this.nextSlot = Math.max(this.nextSlot, slot + 1);
    }
  }

  get entries(): number {
    return this.slots.size;
  }

  /** Bytes on disk (data and index). */
  get bytes(): number {
    return packBytes(this.dir);
  }

  slotOf(key: string): number | undefined {
    return this.slots.get(key);
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Writes entries (data: keys.length * entrySize floats) and indexes them. Returns their slots. */
  append(keys: readonly string[], data: Float32Array): number[] {
    this.assertOpen();
    if (data.length !== keys.length * this.entrySize) throw new Error(`feature cache: ${data.length} values for ${keys.length} entries of ${this.entrySize}`);
    const first = this.nextSlot;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written, first * this.entryBytes + written);
    const slots = keys.map((_, i) => first + i);
    this.nextSlot = first + keys.length;
    fs.appendFileSync(path.join(this.dir, INDEX), keys.map((k, i) => `${slots[i]}\t${k}\n`).join(''));
    keys.forEach((k, i) => this.slots.set(k, slots[i]!));
    return slots;
  }

  /** Copies entry `slot` into out[offset .. offset + entrySize). */
  read(slot: number, out: Float32Array, offset: number): void {
    this.assertOpen();
    const view = new Uint8Array(out.buffer, out.byteOffset + offset * 4, this.entryBytes);
    let done = 0;
    while (done < this.entryBytes) {
      const n = fs.readSync(this.fd, view, done, this.entryBytes - done, slot * this.entryBytes + done);
      if (n === 0) throw new Error(`feature cache ${this.dir}: entry ${slot} is truncated`);
      done += n;
    }
  }

  /** read() in libuv's thread pool: the copy overlaps whatever this thread does meanwhile. */
  async readAsync(slot: number, out: Float32Array, offset: number): Promise<void> {
    this.assertOpen();
    const view = new Uint8Array(out.buffer, out.byteOffset + offset * 4, this.entryBytes);
    let done = 0;
    while (done < this.entryBytes) {
      const n = await new Promise<number>((resolve, reject) =>
        fs.read(this.fd, view, done, this.entryBytes - done, slot * this.entryBytes + done, (err, bytes) => (err ? reject(err) : resolve(bytes))),
      );
      if (n === 0) throw new Error(`feature cache ${this.dir}: entry ${slot} is truncated`);
      done += n;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    fs.rmSync(path.join(this.dir, LOCK), { force: true });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`feature cache ${this.dir} is closed`);
  }
}

export function packBytes(dir: string): number {
  let total = 0;
  for (const f of [DATA, INDEX, META]) {
    try {
      total += fs.statSync(path.join(dir, f)).size;
    } catch {
      // Not written yet.
    }
  }
  return total;
}

/** Last use of a namespace folder (ms since epoch), or null when it is not one. */
export function packLastUsed(dir: string): number | null {
  try {
    return fs.statSync(path.join(dir, META)).mtimeMs;
  } catch {
    return null;
  }
}
