/* main - smtp-lab's command line: dispatch to a subcommand, map errors to exit codes */
import { commands } from './commands/index.ts';
import { EXIT_OK, EXIT_USAGE, UsageError } from './command.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'smtp-lab - simulation and fault-injection lab for SMTP proxy chains',
    '',
    'usage: smtp-lab <command> [options]',
    '       smtp-lab <command> --help',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 ok, 1 expectation not met, 2 usage or input error',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`smtp-lab: unknown command '${name}'; commands are: ${commands.map((c) => c.name).join(', ')}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`smtp-lab ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
