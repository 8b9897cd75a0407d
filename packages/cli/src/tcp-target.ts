import type { FlagSpec, Parsed } from './command.js';
import { UsageError } from './exit-codes.js';
import { intArg, portArg, str } from './flags.js';

export const UNIX_FLAG: Record<string, FlagSpec> = {
  unix: {
    type: 'string',
    value: 'PATH',
    description: 'a Unix socket path instead of HOST and PORT',
  },
};

export const LISTEN_FLAGS: Record<string, FlagSpec> = {
  host: {
    type: 'string',
    value: 'H',
    description: "address to bind (default localhost; '0.0.0.0' or '::' for all interfaces)",
  },
  port: { type: 'string', value: 'P', description: 'port to bind (0 picks a free one)' },
  ...UNIX_FLAG,
};

export type Target = { host: string; port: number } | { path: string };

/**
 * HOST PORT, or --unix PATH instead. With --unix the positionals shift: the first one is what
 * would follow PORT (the MESSAGE of tcp send). Returns the target and that argument.
 */
export function connectTarget({ positionals, flags }: Parsed): {
  target: Target;
  after: string | undefined;
} {
  const path = str(flags.unix);
  if (path !== undefined) {
    if (positionals.PORT !== undefined)
      throw new UsageError(
        'give HOST PORT or --unix PATH, not both',
        'with --unix PATH the only argument is the MESSAGE',
      );
    return { target: { path }, after: positionals.HOST };
  }
  if (positionals.HOST === undefined)
    throw new UsageError('missing HOST', 'or connect to a Unix socket with --unix PATH');
  if (positionals.PORT === undefined) throw new UsageError('missing PORT');
  return {
    target: { host: positionals.HOST, port: portArg('PORT', positionals.PORT) },
    after: positionals.MESSAGE,
  };
}

/** --host/--port (port required unless a default is given), or --unix PATH. */
export function listenTarget(
  { flags }: Parsed,
  defaultPort?: number,
): { host: string; port: number } | { path: string } {
  const path = str(flags.unix);
  if (path !== undefined) {
    if (flags.host !== undefined || flags.port !== undefined)
      throw new UsageError('give --host/--port or --unix PATH, not both');
    return { path };
  }
  const port =
    flags.port === undefined && defaultPort !== undefined
      ? defaultPort
      : portArg('--port', flags.port, true);
  return { host: str(flags.host) ?? 'localhost', port };
}

export function timeoutFlag(flags: Parsed['flags'], fallback: number): number {
  return intArg('--timeout', flags.timeout, 1, 3_600_000) ?? fallback;
}
