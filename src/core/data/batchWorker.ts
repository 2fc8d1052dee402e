// Worker thread that assembles image batches (flip + preprocessing into float32) while the
// training thread runs the previous step. Splits arrive once as shared memory; each request
// names a split, examples and flips, and gets the batch back as a transferred buffer.
// Protocol types: prefetch.ts.
import { parentPort } from 'node:worker_threads';
import { fillPixels } from './pixels';
import type { WorkerRequest, WorkerReply } from './prefetch';

interface SplitPixels {
  images: Uint8Array;
  shape: [number, number, number];
  preprocess: Parameters<typeof fillPixels>[2];
}

const splits = new Map<number, SplitPixels>();
const port = parentPort;
if (!port) throw new Error('batchWorker.ts runs as a worker thread only');

port.on('message', (msg: WorkerRequest) => {
  switch (msg.type) {
    case 'register':
      splits.set(msg.split, { images: new Uint8Array(msg.images, msg.offset, msg.length), shape: msg.shape, preprocess: msg.preprocess });
      return;
    case 'release':
      splits.delete(msg.split);
      return;
    case 'batch': {
      let reply: WorkerReply;
      try {
        const s = splits.get(msg.split);
        if (!s) throw new Error(`batch worker: unknown split ${msg.split}`);
        const size = s.shape[0] * s.shape[1] * s.shape[2];
        const out = new Float32Array(msg.indices.length * size);
        fillPixels(s.images, s.shape, s.preprocess, msg.indices, msg.flips, out);
        reply = { id: msg.id, buffer: out.buffer as ArrayBuffer };
        port.postMessage(reply, [out.buffer as ArrayBuffer]);
      } catch (err) {
        reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
        port.postMessage(reply);
      }
      return;
    }
  }
});
