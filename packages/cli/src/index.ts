/**
 * @packageDocumentation
 * `@netkit/cli`: the `netkit` command. The library entry runs a command line in-process, which
 * is how tools embed it; most people run the `netkit` binary.
 *
 * @example
 * ```ts
 * import { main } from '@netkit/cli';
 * process.exitCode = await main(['udp', 'send', 'localhost', '6667', 'hello']);
 * ```
 */
export type { Command, Context, FlagSpec, Parsed, PositionalSpec } from './command.js';
export { COMMANDS } from './commands/index.js';
export { CommandError, ExitCode, UsageError } from './exit-codes.js';
export { type Io, Output, processIo } from './io.js';
export { main } from './main.js';
