// The IPC protocol between the extension host (or any parent) and a forked trainer
// process. Versioned: the trainer says its version in `ready`; the host refuses a mismatch.
import type { RunEvent } from './events';
import type { ModelInspection } from './model';

export const TRAINER_PROTOCOL_VERSION = 1;

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendReport {
  /** The backend a run would use. */
  chosen: string;
  /** Every backend tried, best first, with why it is or is not available. */
  candidates: { name: string; available: boolean; reason: string }[];
}

/** Host -> trainer. */
export type TrainerRequest =
  | {
      type: 'run';
      id: number;
      experimentFile: string;
      /** Folder that holds runs/<experiment>/; defaults to <experiment folder>/runs. */
      runsDir?: string;
      backend?: BackendPreference;
      modelCacheDir?: string;
      featureCacheDir?: string;
    }
  /** `runsDir` resolves "run:<experiment>" references. */
  | { type: 'inspect'; id: number; ref: string; baseDir?: string; modelCacheDir?: string; runsDir?: string }
  | { type: 'backend-info'; id: number }
  /** Finish the current batch, save the partial run, then exit. */
  | { type: 'stop' };

/** Trainer -> host. */
export type TrainerMessage =
  | { type: 'ready'; protocol: number; pid: number }
  | { type: 'event'; id: number; event: RunEvent }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'inspection'; id: number; inspection: ModelInspection }
  | { type: 'backend-info'; id: number; report: BackendReport }
  /** The request ended; for a run, the summary came before as a 'run-end' event. */
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; error: string; runDir?: string };

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Runtime check of a message from the trainer (a crashed or foreign process may send anything). */
export function isTrainerMessage(v: unknown): v is TrainerMessage {
  if (!isObject(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready':
      return typeof v.protocol === 'number' && typeof v.pid === 'number';
    case 'event':
      return typeof v.id === 'number' && isObject(v.event) && typeof v.event.kind === 'string';
    case 'log':
      return typeof v.message === 'string' && ['info', 'warn', 'error'].includes(v.level as string);
    case 'inspection':
      return typeof v.id === 'number' && isObject(v.inspection) && Array.isArray(v.inspection.layers);
    case 'backend-info':
      return typeof v.id === 'number' && isObject(v.report) && typeof v.report.chosen === 'string';
    case 'done':
      return typeof v.id === 'number';
    case 'failed':
      return typeof v.id === 'number' && typeof v.error === 'string';
    default:
      return false;
  }
}

/** Runtime check of a request from the host. */
export function isTrainerRequest(v: unknown): v is TrainerRequest {
  if (!isObject(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'run':
      return (
        typeof v.id === 'number' &&
        typeof v.experimentFile === 'string' &&
        optionalString(v.runsDir) &&
        optionalString(v.modelCacheDir) &&
        optionalString(v.featureCacheDir) &&
        (v.backend === undefined || BACKEND_PREFERENCES.includes(v.backend as BackendPreference))
      );
    case 'inspect':
      return typeof v.id === 'number' && typeof v.ref === 'string' && optionalString(v.baseDir) && optionalString(v.modelCacheDir) && optionalString(v.runsDir);
    case 'backend-info':
      return typeof v.id === 'number';
    case 'stop':
      return true;
    default:
      return false;
  }
}
