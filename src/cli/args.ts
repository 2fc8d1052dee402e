// The command line: which command, which arguments. Pure (no I/O), so every rule about
// what is accepted and what is refused is unit-tested without starting a process.
import { parseArgs } from 'node:util';
import { BACKEND_PREFERENCES, type BackendPreference } from '../shared/trainerProtocol';

export const BACKENDS = BACKEND_PREFERENCES;
export type BackendPref = BackendPreference;

export type CliCommand =
  | { command: 'run'; file: string; backend?: BackendPref; runsDir?: string; json: boolean }
  | { command: 'inspect'; ref: string; runsDir?: string; json: boolean }
  | { command: 'new'; template: string; dir: string; name?: string; data?: string }
  | { command: 'backends'; json: boolean }
  | { command: 'demo'; dir?: string; backend?: BackendPref }
  /** --help (of the program or of one command): print `text` to stdout and exit 0. */
  | { command: 'help'; text: string }
  | { command: 'version' };

/** Wrong usage: the message is one line; the exit code is 2, as for other Unix tools. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  value?: string;
  help: string;
}

interface CommandSpec {
  usage: string;
  summary: string;
  positionals: { name: string; required: boolean; help: string }[];
  options: Record<string, OptionSpec>;
}

const backendOption: OptionSpec = { type: 'string', value: BACKENDS.join('|'), help: 'TensorFlow.js backend (overrides the experiment\'s "backend")' };

export const COMMANDS = {
  run: {
    usage: 'transfer-lab run <file> [--backend auto|tensorflow|wasm|cpu] [--runs-dir DIR] [--json]',
    summary: 'Train an experiment file headless and save the run',
    positionals: [{ name: 'file', required: true, help: 'the *.experiment.json to run' }],
    options: {
      backend: backendOption,
      'runs-dir': { type: 'string', value: 'DIR', help: 'where runs go (default: <experiment folder>/runs)' },
      json: { type: 'boolean', help: 'end stdout with one JSON line: status, backend, runDir, metrics, transferGain' },
    },
  },
  inspect: {
    usage: 'transfer-lab inspect <model ref> [--runs-dir DIR] [--json]',
    summary: 'Print the layers of a model (catalog id, model.json path, URL, builtin:..., run:...)',
    positionals: [{ name: 'model ref', required: true, help: 'what "model.base" of an experiment may name' }],
    options: {
      'runs-dir': { type: 'string', value: 'DIR', help: 'where run:<experiment> references are looked up (default: ./runs)' },
      json: { type: 'boolean', help: 'print the full inspection as JSON' },
    },
  },
  new: {
    usage: 'transfer-lab new <template> [dir] [--name NAME] [--data PATH]',
    summary: 'Write a new experiment file from a template (never overwrites)',
    positionals: [
      { name: 'template', required: true, help: 'template id (see transfer-lab new --help)' },
      { name: 'dir', required: false, help: 'folder to write into (default: .)' },
    ],
    options: {
      name: { type: 'string', value: 'NAME', help: 'experiment name, also the file name (default: the template id)' },
      data: { type: 'string', value: 'PATH', help: 'image folder for the data (one sub-folder per class)' },
    },
  },
  backends: {
    usage: 'transfer-lab backends [--json]',
    summary: 'Show which TensorFlow.js backends are available and which a run would use',
    positionals: [],
    options: { json: { type: 'boolean', help: 'print the report as JSON' } },
  },
  demo: {
    usage: 'transfer-lab demo [--dir DIR] [--backend auto|tensorflow|wasm|cpu]',
    summary: 'Pre-train a small CNN on MNIST digits 0-4, transfer it to digits 5-9 with 20 labels each, and compare with training from scratch',
    positionals: [],
    options: {
      dir: { type: 'string', value: 'DIR', help: 'folder for the experiment files and runs/ (default: examples/mnist-transfer inside this project, else ./transfer-lab-demo)' },
      backend: backendOption,
    },
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

const isCommand = (s: string): s is CommandName => Object.hasOwn(COMMANDS, s);

export function programHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Transfer Lab: transfer-learning experiments with TensorFlow.js.',
    '',
    'Usage: transfer-lab <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    '',
    'Run "transfer-lab <command> --help" for a command\'s options.',
    'Environment: TRANSFER_LAB_CACHE = folder for downloaded models (default: a per-user cache).',
    '',
  ].join('\n');
}

export function commandHelp(name: CommandName, extra = ''): string {
  const spec: CommandSpec = COMMANDS[name];
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [p.required ? `<${p.name}>` : `[${p.name}]`, p.help]),
    ...Object.entries(spec.options).map(([opt, o]): [string, string] => [`--${opt}${o.value ? ` ${o.value}` : ''}`, o.help]),
    ['--help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([l]) => l.length));
  return [`${spec.summary}.`, '', `Usage: ${spec.usage}`, '', ...rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`), ...(extra ? ['', extra] : []), ''].join('\n');
}

function parseBackend(value: string | undefined, command: string): BackendPref | undefined {
  if (value === undefined) return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendPref;
  throw new UsageError(`transfer-lab ${command}: --backend must be one of ${BACKENDS.join(', ')} (got "${value}")`);
}

function nonEmpty(value: string | undefined, flag: string, command: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`transfer-lab ${command}: ${flag} needs a value`);
  return value;
}

/**
 * Parses `argv` (without the node executable and script). `templateHelp` is appended to
 * `new --help` (the list of templates), given by the caller so this module stays pure.
 */
export function parseCommandLine(argv: readonly string[], templateHelp = ''): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && isCommand(topic)) return { command: 'help', text: commandHelp(topic, topic === 'new' ? templateHelp : '') };
    if (topic !== undefined) throw new UsageError(`transfer-lab help: unknown command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return { command: 'help', text: programHelp() };
  }
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (!isCommand(first)) {
    const what = first.startsWith('-') ? `unknown option "${first}" (options go after the command)` : `unknown command "${first}"`;
    throw new UsageError(`transfer-lab: ${what}; commands: ${Object.keys(COMMANDS).join(', ')} (see transfer-lab --help)`);
  }
  const spec: CommandSpec = COMMANDS[first];
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [k, o] of Object.entries(spec.options)) options[k] = o.short ? { type: o.type, short: o.short } : { type: o.type };

  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (err) {
    // Node's own texts are good but long; keep the first sentence and point to --help.
    const text = (err as Error).message.split('. ')[0]!.replace(/\.$/, '');
    throw new UsageError(`transfer-lab ${first}: ${text} (see transfer-lab ${first} --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', text: commandHelp(first, first === 'new' ? templateHelp : '') };

  const required = spec.positionals.filter((p) => p.required);
  if (positionals.length < required.length) {
    const missing = required[positionals.length]!;
    throw new UsageError(`transfer-lab ${first}: missing <${missing.name}>; usage: ${spec.usage}`);
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`transfer-lab ${first}: unexpected argument "${positionals[spec.positionals.length]}"; usage: ${spec.usage}`);
  }
  const str = (k: string) => nonEmpty(values[k] as string | undefined, `--${k}`, first);
  const json = values.json === true;
  switch (first) {
    case 'run':
      return { command: 'run', file: positionals[0]!, backend: parseBackend(str('backend'), first), runsDir: str('runs-dir'), json };
    case 'inspect':
      return { command: 'inspect', ref: positionals[0]!, runsDir: str('runs-dir'), json };
    case 'new': {
      const name = str('name');
      if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
        throw new UsageError(`transfer-lab new: --name "${name}" may use only letters, digits, ".", "_" and "-" (it names the file and the runs folder)`);
      }
      return { command: 'new', template: positionals[0]!, dir: positionals[1] ?? '.', name, data: str('data') };
    }
    case 'backends':
      return { command: 'backends', json };
    case 'demo':
      return { command: 'demo', dir: str('dir'), backend: parseBackend(str('backend'), first) };
  }
}
