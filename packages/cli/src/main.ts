import { readFileSync } from 'node:fs';
import { type Command, type Context, helpText, parse, usageLine } from './command.js';
import { COMMANDS } from './commands/index.js';
import { describeError } from './describe-error.js';
import { CommandError, ExitCode, UsageError } from './exit-codes.js';
import { type Io, Output, processIo } from './io.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length)) + 2;
  const rows = COMMANDS.map((c) => `  netkit ${c.path.join(' ').padEnd(width)} ${c.summary}`);
  return [
    'netkit: network programming tools (UDP now; TCP, multicast, DNS and raw frames as they land)',
    '',
    'usage: netkit AREA VERB [ARGS] [flags]',
    '',
    'commands:',
    ...rows,
    '',
    "Run 'netkit AREA VERB --help' for a command's arguments, flags and examples.",
    'global flags: --json, -q/--quiet, -v/--verbose, --debug, -h/--help, --version',
    'exit codes: 0 ok, 1 error, 2 usage, 3 timeout',
    '',
  ].join('\n');
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of COMMANDS) {
    if (
      cmd.path.every((part, i) => argv[i] === part) &&
      (!best || cmd.path.length > best.cmd.path.length)
    ) {
      best = { cmd, rest: argv.slice(cmd.path.length) };
    }
  }
  return best;
}

function usageFailure(
  io: Io,
  message: string,
  hint: string | undefined,
  cmd?: Command,
  area?: string,
): number {
  const lines = [`netkit: ${message}`];
  lines.push(`usage: ${cmd ? usageLine(cmd) : `netkit ${area ?? 'AREA'} VERB [ARGS] [flags]`}`);
  if (hint) lines.push(`hint: ${hint}`);
  lines.push(
    cmd
      ? `run 'netkit ${cmd.path.join(' ')} --help' for more`
      : "run 'netkit --help' for the commands",
  );
  io.stderr.write(`${lines.join('\n')}\n`);
  return ExitCode.usage;
}

/** Runs one netkit command line and resolves with its exit code; never throws. */
export async function main(
  argv: string[],
  io: Io = processIo(),
  signal?: AbortSignal,
): Promise<number> {
  const debug = argv.includes('--debug');
  if (argv.length === 0) {
    io.stderr.write(topHelp());
    return ExitCode.usage;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topHelp());
    return ExitCode.ok;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const area = COMMANDS.filter((c) => c.path[0] === argv[0]);
    if (area.length > 0) {
      const verbs = area.map((c) => c.path.slice(1).join(' ')).join(', ');
      const what =
        argv[1] === undefined || argv[1].startsWith('-')
          ? `netkit ${argv[0]} needs a command`
          : `unknown command 'netkit ${argv[0]} ${argv[1]}'`;
      return usageFailure(io, what, `one of: ${verbs}`, undefined, argv[0]);
    }
    return usageFailure(
      io,
      `unknown command '${argv[0]}'`,
      `one of: ${[...new Set(COMMANDS.map((c) => c.path[0]))].join(', ')}`,
    );
  }
  const { cmd, rest } = found;
  let out: Output | undefined;
  try {
    const args = parse(cmd, rest);
    if (args.flags.help) {
      io.stdout.write(helpText(cmd));
      return ExitCode.ok;
    }
    const f = args.flags;
    out = new Output(io, {
      json: f.json === true,
      quiet: f.quiet === true,
      verbose: f.verbose === true,
      debug,
    });
    const ctx: Context = { out, signal: signal ?? new AbortController().signal };
    return await cmd.run(args, ctx);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(io, err.message, err.hint, cmd);
    const e = err as { code?: string; message?: string; stack?: string };
    if (signal?.aborted && e.code === 'ERR_NETKIT_ABORTED') return ExitCode.interrupted;
    io.stderr.write(`netkit: ${cmd.path.join(' ')}: ${describeError(err)}\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    if (err instanceof CommandError) return err.exitCode;
    return e.code === 'ERR_NETKIT_TIMEOUT' ? ExitCode.timeout : ExitCode.error;
  }
}
