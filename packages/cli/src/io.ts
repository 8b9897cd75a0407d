import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes; tests and embedders pass their own. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Output helpers bound to the global flags: data on stdout, diagnostics on stderr. */
export class Output {
  constructor(
    readonly io: Io,
    readonly flags: { json: boolean; quiet: boolean; verbose: boolean; debug: boolean },
  ) {}

  /** One line of data. */
  line(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** One JSON document (or one line of a JSON stream). */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A diagnostic, hidden by --quiet. */
  info(text: string): void {
    if (!this.flags.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** Detail shown only with --verbose or --debug. */
  verbose(text: string): void {
    if (this.flags.verbose || this.flags.debug) this.io.stderr.write(`${text}\n`);
  }

  /** Colors only on a terminal and never with NO_COLOR. */
  get color(): boolean {
    return Boolean(this.io.stderr.isTTY) && this.io.env.NO_COLOR === undefined;
  }

  paint(code: number, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}
