import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';
import type { Output } from './io.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. MS. */
  value?: string;
  /**
   * A boolean flag that may carry a value as `--name=VALUE` (like `--ack[=TEXT]`): parsed to the
   * string, or to true when bare. Only the `=` form: a separate next word stays a positional.
   */
  optionalValue?: string;
  description: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  description: string;
}

export interface Context {
  out: Output;
  /** Fires on SIGINT/SIGTERM: servers close gracefully and print their summary. */
  signal: AbortSignal;
}

export interface Parsed {
  positionals: Record<string, string | undefined>;
  flags: Record<string, string | boolean | undefined>;
}

export interface Command {
  /** e.g. ['udp', 'send'] */
  path: string[];
  summary: string;
  positionals: PositionalSpec[];
  flags: Record<string, FlagSpec>;
  /** Longer explanation shown by --help. */
  details?: string;
  examples: string[];
  run(args: Parsed, ctx: Context): Promise<number>;
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  json: {
    type: 'boolean',
    description: 'machine-readable output (one JSON object per line for streams)',
  },
  quiet: { type: 'boolean', short: 'q', description: 'less on stderr' },
  verbose: { type: 'boolean', short: 'v', description: 'more on stderr' },
  debug: { type: 'boolean', description: 'stack traces and internal events' },
};

export function usageLine(cmd: Command): string {
  const pos = cmd.positionals.map((p) => (p.required ? p.name : `[${p.name}]`)).join(' ');
  return `netkit ${cmd.path.join(' ')}${pos ? ` ${pos}` : ''} [flags]`;
}

export function parse(cmd: Command, argv: string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries({ ...GLOBAL_FLAGS, ...cmd.flags })) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  const { args, inlineValues } = takeOptionalValues(cmd, argv);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (err) {
    throw new UsageError(explainParseError(err));
  }
  Object.assign(values, inlineValues);
  if (values.help) return { positionals: {}, flags: values };
  const max = cmd.positionals.length;
  if (positionals.length > max) {
    const extra = positionals.slice(max).join(' ');
    throw new UsageError(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''}: ${extra}`,
      'quote a message that has spaces',
    );
  }
  const named: Record<string, string | undefined> = {};
  cmd.positionals.forEach((spec, i) => {
    const value = positionals[i];
    if (value === undefined && spec.required) throw new UsageError(`missing ${spec.name}`);
    named[spec.name] = value;
  });
  return { positionals: named, flags: values };
}

/**
 * Takes `--name=VALUE` out of argv for flags declared with optionalValue (parseArgs knows only
 * booleans and strings that always want a value). Stops at `--`, as parseArgs does.
 */
function takeOptionalValues(
  cmd: Command,
  argv: string[],
): { args: string[]; inlineValues: Record<string, string> } {
  const args: string[] = [];
  const inlineValues: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 2 ? arg.slice(2, eq) : undefined;
    if (name !== undefined && cmd.flags[name]?.optionalValue !== undefined) {
      inlineValues[name] = arg.slice(eq + 1);
      args.push(`--${name}`);
    } else {
      args.push(arg);
    }
  }
  return { args, inlineValues };
}

function explainParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = String(e.message ?? err);
  // parseArgs's messages are long and mention its own API; keep the first sentence.
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? '';
    return `unknown flag ${flag}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(--[^' ]+)/.exec(message)?.[1] ?? '';
    if (!flag) return message.split('.')[0] ?? message;
    // A switch given `--flag=VALUE`, or a flag that wants a value given none.
    return message.includes('does not take an argument')
      ? `${flag} does not take a value`
      : `${flag} needs a value`;
  }
  return message.split('\n')[0] ?? message;
}

export function helpText(cmd: Command): string {
  const lines = [`${cmd.summary}`, '', `usage: ${usageLine(cmd)}`];
  if (cmd.details) lines.push('', cmd.details);
  if (cmd.positionals.length) {
    lines.push('', 'arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(22)} ${p.description}`);
  }
  const flagLines = (flags: Record<string, FlagSpec>) =>
    Object.entries(flags).map(([name, f]) => {
      const value = f.value ? ` ${f.value}` : f.optionalValue ? `[=${f.optionalValue}]` : '';
      const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${value}`;
      return `  ${left.padEnd(22)} ${f.description}`;
    });
  if (Object.keys(cmd.flags).length) lines.push('', 'flags:', ...flagLines(cmd.flags));
  lines.push('', 'global flags:', ...flagLines(GLOBAL_FLAGS));
  if (cmd.examples.length) lines.push('', 'examples:', ...cmd.examples.map((e) => `  ${e}`));
  lines.push('', 'exit codes: 0 ok, 1 error, 2 usage, 3 timeout');
  return `${lines.join('\n')}\n`;
}
