import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, UsageError, commandHelp, programHelp } from '../../src/cli/args';

const usage = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return err.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
};

test('run takes a file and its options', () => {
  assert.deepEqual(parseCommandLine(['run', 'a.experiment.json']), { command: 'run', file: 'a.experiment.json', backend: undefined, runsDir: undefined, json: false });
  assert.deepEqual(parseCommandLine(['run', '--json', 'x.json', '--backend', 'cpu', '--runs-dir=out']), {
    command: 'run',
    file: 'x.json',
    backend: 'cpu',
    runsDir: 'out',
    json: true,
  });
});

test('inspect, new, backends and demo parse their arguments', () => {
  assert.deepEqual(parseCommandLine(['inspect', 'mobilenet_v1_0.25_224', '--json']), { command: 'inspect', ref: 'mobilenet_v1_0.25_224', runsDir: undefined, json: true });
  assert.deepEqual(parseCommandLine(['new', 'mnist-transfer']), { command: 'new', template: 'mnist-transfer', dir: '.', name: undefined, data: undefined });
  assert.deepEqual(parseCommandLine(['new', 'image-fine-tune', 'exp', '--name', 'flowers', '--data', 'imgs']), {
    command: 'new',
    template: 'image-fine-tune',
    dir: 'exp',
    name: 'flowers',
    data: 'imgs',
  });
  assert.deepEqual(parseCommandLine(['backends']), { command: 'backends', json: false });
  assert.deepEqual(parseCommandLine(['demo', '--dir', '/tmp/d', '--backend', 'wasm']), { command: 'demo', dir: '/tmp/d', backend: 'wasm' });
});

test('help and version', () => {
  const top = parseCommandLine([]);
  assert.equal(top.command, 'help');
  assert.deepEqual(parseCommandLine(['--help']), top);
  assert.match(programHelp(), /^ {2}run +Train an experiment file headless/m);
  for (const c of ['run', 'inspect', 'new', 'backends', 'demo']) assert.match(programHelp(), new RegExp(`^  ${c} `, 'm'));
  const runHelp = parseCommandLine(['run', '--help']);
  assert.ok(runHelp.command === 'help');
  assert.equal(runHelp.text, commandHelp('run'));
  assert.match(runHelp.text, /Usage: transfer-lab run <file>/);
  assert.match(runHelp.text, /--backend auto\|tensorflow\|wasm\|cpu/);
  // -h works too, even with a missing positional (help wins).
  assert.equal(parseCommandLine(['inspect', '-h']).command, 'help');
  const newHelp = parseCommandLine(['new', '--help'], 'Templates:\n  t1  first');
  assert.ok(newHelp.command === 'help' && newHelp.text.includes('  t1  first'));
  assert.deepEqual(parseCommandLine(['help', 'demo']), { command: 'help', text: commandHelp('demo') });
  assert.deepEqual(parseCommandLine(['--version']), { command: 'version' });
});

test('an unknown command or flag is a clear one-line error', () => {
  assert.equal(usage(['train', 'x.json']), 'transfer-lab: unknown command "train"; commands: run, inspect, new, backends, demo (see transfer-lab --help)');
  assert.match(usage(['--json', 'run']), /unknown option "--json" \(options go after the command\)/);
  assert.equal(usage(['run', 'x.json', '--epochs', '3']), "transfer-lab run: Unknown option '--epochs' (see transfer-lab run --help)");
  assert.equal(usage(['backends', '-q']), "transfer-lab backends: Unknown option '-q' (see transfer-lab backends --help)");
  assert.match(usage(['run', 'x.json', '--runs-dir']), /^transfer-lab run: Option '--runs-dir <value>' argument missing/);
  assert.match(usage(['run', '--json=yes', 'x.json']), /'--json' does not take an argument/);
  assert.match(usage(['help', 'fly']), /unknown command "fly"/);
});

test('positionals are counted and option values checked', () => {
  assert.equal(usage(['run']), 'transfer-lab run: missing <file>; usage: transfer-lab run <file> [--backend auto|tensorflow|wasm|cpu] [--runs-dir DIR] [--json]');
  assert.match(usage(['run', 'a.json', 'b.json']), /^transfer-lab run: unexpected argument "b.json"/);
  assert.match(usage(['inspect']), /missing <model ref>/);
  assert.match(usage(['new', 't', 'dir', 'extra']), /unexpected argument "extra"/);
  assert.match(usage(['backends', 'now']), /unexpected argument "now"/);
  assert.equal(usage(['run', 'x.json', '--backend', 'gpu']), 'transfer-lab run: --backend must be one of auto, tensorflow, wasm, cpu (got "gpu")');
  assert.match(usage(['demo', '--backend', 'webgl']), /--backend must be one of/);
  assert.match(usage(['new', 'mnist-transfer', '--name', '../evil']), /--name "..\/evil" may use only letters/);
  assert.match(usage(['run', 'x.json', '--runs-dir', '']), /--runs-dir needs a value/);
});
