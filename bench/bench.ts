// `npm run bench`: images/s of the engine's building blocks on the shared MobileNet v1 0.25 and
// 0.75, the RPS feature-extraction experiment end to end without / with a cold / with a warm
// feature cache, the trainer's peak memory, and the same rows in PyTorch when it is installed.
// Each measurement runs in a child process of its own (fresh wasm heap, its own peak RSS).
//   node dist/bench.js [--no-torch] [--no-rps] [--json FILE]
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { selectBackend } from '../src/core/backend/select';
import { CUT, microRows, type MicroResult } from './micro';
import { rpsRow, type RpsMode, type RpsResult } from './rps';
import { mb } from './timing';

const root = path.resolve(__dirname, '..');
const assets = path.resolve(root, '../shared/assets');
const MODELS = [
  { name: 'MobileNet 0.25', file: path.join(assets, 'models/mobilenet_v1_0.25_224/model.json') },
  { name: 'MobileNet 0.75', file: path.join(assets, 'models/mobilenet_v1_0.75_224/model.json') },
];
const RPS = path.join(assets, 'datasets/rock-paper-scissors');
const PYTHON = '/usr/bin/python3';

type ChildJob = { kind: 'micro'; name: string; file: string } | { kind: 'rps'; mode: RpsMode; workDir: string };

async function child(job: ChildJob): Promise<void> {
  await selectBackend('auto');
  const result = job.kind === 'micro' ? await microRows(job.file, job.name) : await rpsRow(job.mode, job.workDir, MODELS[0]!.file, RPS);
  process.send!(result, () => process.exit(0));
}

function runChild<T>(job: ChildJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = fork(process.argv[1]!, ['--child', JSON.stringify(job)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    p.on('message', (m) => (result = m as T));
    p.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`${JSON.stringify(job)}: child exited with ${code}`))));
  });
}

interface TorchResult {
  torch: string;
  threads: number;
  micro: { forward: number; frozenBaseEveryStep: number; trainAll: number; trainAllBatch: number; headOnFeatures: number };
  rps?: { seconds: number; testAccuracy: number; train: number; epochs: number };
}

/** The RPS images decoded and resized as the data engine does, packed for the PyTorch script. */
async function writeRawRps(file: string): Promise<{ seconds: number; count: number }> {
  const t0 = performance.now();
  const classes = fs.readdirSync(RPS).filter((d) => fs.statSync(path.join(RPS, d)).isDirectory()).sort();
  const items = classes.flatMap((c, label) => fs.readdirSync(path.join(RPS, c)).sort().map((f) => ({ file: path.join(RPS, c, f), label })));
  const pixels = await Promise.all(items.map((it) => sharp(it.file).removeAlpha().resize(224, 224, { fit: 'fill' }).raw().toBuffer()));
  const head = Buffer.alloc(4);
  head.writeInt32LE(items.length);
  fs.writeFileSync(file, Buffer.concat([head, ...pixels, Buffer.from(items.map((i) => i.label))]));
  return { seconds: (performance.now() - t0) / 1000, count: items.length };
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

const f1 = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a: number, b: number) => `${f1(a / b)}x`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  for (const m of MODELS) if (!fs.existsSync(m.file)) throw new Error(`bench: ${m.file} not found (the shared assets live in ../shared/assets beside the repository)`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-'));
  const started = performance.now();
  const log = (s: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)}s] ${s}`);
  try {
    const micro: MicroResult[] = [];
    for (const m of MODELS) {
      log(`micro rows: ${m.name}`);
      micro.push(await runChild<MicroResult>({ kind: 'micro', name: m.name, file: m.file }));
    }
    const rps: Partial<Record<RpsMode, RpsResult>> = {};
    if (!args.has('--no-rps')) {
      for (const mode of ['uncached', 'cold', 'warm'] as const) {
        log(`RPS 10 epochs end to end: ${mode}`);
        rps[mode] = await runChild<RpsResult>({ kind: 'rps', mode, workDir });
      }
    }
    let torch: (TorchResult & { decodeSeconds: number }) | null = null;
    if (!args.has('--no-torch') && torchAvailable()) {
      log('PyTorch rows');
      const raw = path.join(workDir, 'rps.raw');
      const decoded = args.has('--no-rps') ? null : await writeRawRps(raw);
      const r = spawnSync(PYTHON, [path.join(root, 'bench/torch_bench.py'), ...(decoded ? ['--rps', raw] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`bench/torch_bench.py exited with ${r.status}`);
      torch = { ...(JSON.parse(r.stdout) as TorchResult), decodeSeconds: decoded?.seconds ?? 0 };
    } else if (!args.has('--no-torch')) {
      log(`PyTorch rows skipped: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
    }
    const report = render(micro, rps, torch);
    console.log(report);
    const json = [...args].find((a) => a.startsWith('--json='));
    if (json) fs.writeFileSync(json.slice(7), JSON.stringify({ micro, rps, torch }, null, 2));
    log('done');
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function render(micro: MicroResult[], rps: Partial<Record<RpsMode, RpsResult>>, torch: (TorchResult & { decodeSeconds: number }) | null): string {
  const out: string[] = [];
  const backend = micro[0]?.backend ?? '?';
  out.push(`Transfer Lab benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), tfjs backend ${backend}${torch ? `, PyTorch ${torch.torch} on ${torch.threads} threads` : ''}`);
  out.push('', 'Images per second (higher is better); head = global average pooling + dense, 3 classes, at conv_pw_13_relu.', '');
  const t = torch?.micro;
  type MicroKey = 'forward' | 'forwardPrefix' | 'forwardFused' | 'frozenBaseEveryStep' | 'trainAll' | 'headOnFeatures';
  type TorchKey = keyof TorchResult['micro'];
  const rowsDef: { label: string; key: MicroKey; torchKey?: TorchKey }[] = [
    { label: 'base forward (inference), batch 32', key: 'forward' },
    { label: `base to ${CUT}, predict, batch 32`, key: 'forwardPrefix', torchKey: 'forward' },
    { label: 'base forward (fused prefix), batch 32', key: 'forwardFused', torchKey: 'forward' },
    { label: 'train, frozen base run every step, batch 32', key: 'frozenBaseEveryStep' },
    { label: `train all layers, batch ${micro[0]?.trainAllBatch ?? 8}`, key: 'trainAll' },
    { label: 'train head on cached features, batch 32', key: 'headOnFeatures' },
  ];
  const header = ['row', ...micro.map((m) => `tfjs ${m.model.replace('MobileNet ', '')}`), ...(t ? ['torch 0.25', 'tfjs/torch 0.25'] : [])];
  const torchOf = (r: (typeof rowsDef)[number]) => t![r.torchKey ?? (r.key as TorchKey)];
  out.push(table(header, rowsDef.map((r) => [r.label, ...micro.map((m) => f1(m[r.key])), ...(t ? [f1(torchOf(r)), ratio(micro[0]![r.key], torchOf(r))] : [])])));
  out.push('', `The fused prefix is the base to ${CUT} compiled by compilePrefix (BatchNorm folded, one fused kernel per conv+BN+relu6); its torch column is torch's whole base forward.`);
  out.push('', table(['cached head vs frozen base every step', ...micro.map((m) => m.model)], [['speed-up (goal >= 50x)', ...micro.map((m) => ratio(m.headOnFeatures, m.frozenBaseEveryStep))]]));
  out.push('', table(['micro rows process', 'peak RSS', 'wasm heap'], micro.map((m) => [m.model, mb(m.peakRss), mb(m.wasmHeap)])));

  const modes = (['uncached', 'cold', 'warm'] as const).filter((m) => rps[m]);
  if (modes.length) {
    out.push('', 'RPS feature extraction end to end (600 images 224x224, MobileNet 0.25, 10 epochs, batch 32, runExperiment incl. image decoding):', '');
    const label = { uncached: 'featureCache: false (base every step)', cold: 'feature cache, cold', warm: 'feature cache, warm' };
    const rows = modes.map((m) => {
      const r = rps[m]!;
      const growth = r.epochRss.length > 1 ? mb(r.epochRss.at(-1)! - r.epochRss[1]!) : '-';
      return [label[m], r.seconds.toFixed(1), r.status, r.testAccuracy?.toFixed(3) ?? '-', m === 'uncached' ? '-' : `${r.hits}/${r.misses}`, mb(r.peakRss), mb(r.wasmHeap), growth];
    });
    if (torch?.rps) {
      rows.push(['PyTorch plain loop, base every step (random weights)', (torch.rps.seconds + torch.decodeSeconds).toFixed(1), `incl. ${torch.decodeSeconds.toFixed(1)} s decode`, '-', '-', '-', '-', '-']);
    }
    out.push(table(['run', 'seconds', 'status', 'test acc', 'hits/misses', 'peak RSS', 'wasm heap', 'RSS epoch 2->10'], rows));
    const ratios: string[][] = [];
    if (rps.uncached && rps.cold) ratios.push(['uncached / cold cache', ratio(rps.uncached.seconds, rps.cold.seconds)]);
    if (rps.uncached && rps.warm) ratios.push(['uncached / warm cache', ratio(rps.uncached.seconds, rps.warm.seconds)]);
    if (torch?.rps && rps.cold) ratios.push(['PyTorch plain loop / tfjs cold cache', ratio(torch.rps.seconds + torch.decodeSeconds, rps.cold.seconds)]);
    if (torch?.rps && rps.warm) ratios.push(['PyTorch plain loop / tfjs warm cache', ratio(torch.rps.seconds + torch.decodeSeconds, rps.warm.seconds)]);
    const epochs = (r?: RpsResult) => (r && r.epochSeconds.length > 1 ? r.epochSeconds.slice(1).reduce((a, b) => a + b, 0) / (r.epochSeconds.length - 1) : NaN);
    if (rps.uncached && rps.warm) ratios.push(['epoch time, base every step / cached (epochs 2-10)', ratio(epochs(rps.uncached), epochs(rps.warm))]);
    if (ratios.length) out.push('', table(['ratio (same run)', 'value'], ratios));
  }
  return out.join('\n');
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]!) as ChildJob).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
