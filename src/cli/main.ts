// The `transfer-lab` command. Thin on purpose: parse, dispatch, turn errors into one line and an
// exit code. Commands load lazily, so `--help`, `new` and `backends` start without the engine.
import { parseCommandLine, UsageError, type CliCommand } from './args';
import { errorLine } from './format';
import { EXIT, processIo, type CliIo } from './io';
import { version } from '../../package.json';

async function dispatch(cmd: CliCommand, io: CliIo): Promise<number> {
  switch (cmd.command) {
    case 'help':
      io.stdout.write(cmd.text);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`transfer-lab ${version}\n`);
      return EXIT.ok;
    case 'run':
      return (await import('./commands/run')).runCommand(cmd, io);
    case 'inspect':
      return (await import('./commands/inspect')).inspectCommand(cmd, io);
    case 'new':
      return (await import('./commands/new')).newCommand(cmd, io);
    case 'backends':
      return (await import('./commands/backends')).backendsCommand(cmd, io);
    case 'demo':
      return (await import('./commands/demo')).demoCommand(cmd, io);
  }
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const templateHelp = argv[0] === 'new' || argv[0] === 'help' ? (await import('./commands/new')).templateList() : '';
    return await dispatch(parseCommandLine(argv, templateHelp), io);
  } catch (err) {
    io.stderr.write((err instanceof UsageError ? err.message : errorLine(err)) + '\n');
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Let stdout drain; the wasm backend may keep handles open, so exit explicitly.
      process.exitCode = code;
      process.stdout.write('', () => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(errorLine(err) + '\n');
      process.exit(EXIT.failed);
    },
  );
}
