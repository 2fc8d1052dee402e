// Which TensorFlow.js backend a run uses. Best first: native TensorFlow (tfjs-node-gpu, then
// tfjs-node: optional peer dependencies, loaded lazily), WebAssembly (bundled; SIMD when the
// runtime has it, plus our gradient kernels so convolutions can train), plain-JS cpu.
//
// Bundling note: dist/*.js are built with every package external, so the wasm package stays in
// node_modules and its Emscripten loader finds tfjs-backend-wasm*.wasm next to itself through its
// own __dirname. Calling setWasmPaths would be wrong here: in Node it switches the loader to
// fetch(), which cannot read file paths. test/trainer/backend-bundled.test.ts checks a real bundle.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { BACKEND_PREFERENCES, type BackendPreference, type BackendReport } from '../../shared/trainerProtocol';
import { registerWasmGradients } from './wasmGradients';
import { registerTrainingOps } from './trainingOps';

export { BACKEND_PREFERENCES, type BackendPreference };
export type BackendCandidate = BackendReport['candidates'][number];

export class BackendUnavailableError extends Error {
  constructor(
    message: string,
    readonly report: BackendReport,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

const NATIVE_PACKAGES = [
  { pkg: '@tensorflow/tfjs-node-gpu', what: 'native TensorFlow with CUDA', needs: 'needs Linux x64, an NVIDIA GPU, CUDA 11.8 and cuDNN 8.6' },
  { pkg: '@tensorflow/tfjs-node', what: 'native TensorFlow on the CPU', needs: 'prebuilt for Linux, macOS and Windows x64' },
] as const;

// Resolved from this file (dist/*.js once bundled), i.e. from the extension's own node_modules.
const requireHere = createRequire(__filename);

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();

let nativeProbe: Promise<BackendCandidate> | undefined;

/** Loads the first native package that works; it registers the 'tensorflow' backend. Cached. */
function probeTensorflow(): Promise<BackendCandidate> {
  nativeProbe ??= (async () => {
    const problems: string[] = [];
    for (const { pkg, what, needs } of NATIVE_PACKAGES) {
      try {
        requireHere.resolve(pkg);
      } catch {
        problems.push(`not installed: npm install ${pkg} (${needs})`);
        continue;
      }
      try {
        requireHere(pkg);
      } catch (e) {
        problems.push(`${pkg} is installed but failed to load: ${firstLine(e)}`);
        continue;
      }
      // A different version brings its own tfjs-core, and registers its backend there, not here.
      if (tf.findBackendFactory('tensorflow') == null) {
        problems.push(`${pkg} loaded but registered with another copy of @tensorflow/tfjs-core: install version ${tf.version_core}`);
        continue;
      }
      return { name: 'tensorflow', available: true, reason: `${pkg}: ${what}` };
    }
    return { name: 'tensorflow', available: false, reason: problems.join('; ') };
  })();
  return nativeProbe;
}

interface EngineInternals {
  initializeBackend?(name: string): { success: boolean | Promise<boolean> };
}

/** Initializes a registered backend without making it the current one. */
async function initializeWithoutSwitching(name: string): Promise<boolean> {
  if (tf.findBackend(name) != null) return true;
  const engine = tf.engine() as unknown as EngineInternals;
  // The engine's own lazy initializer: it caches the instance for a later setBackend.
  if (typeof engine.initializeBackend !== 'function') return tf.setBackend(name);
  return await engine.initializeBackend(name).success;
}

async function probeWasm(): Promise<BackendCandidate> {
  try {
    if (!(await initializeWithoutSwitching('wasm'))) {
      return { name: 'wasm', available: false, reason: 'the WebAssembly module failed to initialize' };
    }
  } catch (e) {
    return { name: 'wasm', available: false, reason: `the WebAssembly module failed to initialize: ${firstLine(e)}` };
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const features = [
    simd ? 'SIMD' : 'no SIMD (about 3x slower)',
    // tfjs-backend-wasm 4.22 switches multi-threading off under Node.
    threads ? 'multi-threaded' : '1 thread',
  ];
  return { name: 'wasm', available: true, reason: `WebAssembly, ${features.join(', ')}` };
}

/** Every backend, best first, with whether it works here and why; the current backend is kept. */
export async function probeBackends(): Promise<BackendReport> {
  const candidates = [
    await probeTensorflow(),
    await probeWasm(),
    { name: 'cpu', available: true, reason: 'plain JavaScript (slow; a last resort)' },
  ];
  const best = candidates.find((c) => c.available)!;
  return { chosen: best.name, candidates };
}

/**
 * Makes `preference` (or, for 'auto', the best available backend) the current tf backend.
 * Forcing one that is not available throws a BackendUnavailableError saying why and what is.
 */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendReport> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new Error(`Unknown backend '${String(preference)}': expected one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  const probed = await probeBackends();
  const chosen = preference === 'auto' ? probed.chosen : preference;
  const report: BackendReport = { chosen, candidates: probed.candidates };
  const candidate = probed.candidates.find((c) => c.name === chosen)!;
  if (!candidate.available) {
    const available = probed.candidates.filter((c) => c.available).map((c) => c.name);
    throw new BackendUnavailableError(`Backend '${chosen}' is not available: ${candidate.reason}. Available here: ${available.join(', ')}.`, report);
  }
  if (chosen === 'wasm') registerWasmGradients();
  registerTrainingOps();
  if (!(await tf.setBackend(chosen))) {
    throw new BackendUnavailableError(`Backend '${chosen}' failed to initialize.`, report);
  }
  await tf.ready();
  return report;
}

/** Selects the best backend unless one is active already: loading a model needs one. */
export async function ensureBackend(): Promise<void> {
  if (!tf.engine().backendName) await selectBackend('auto');
}
