/** The exit codes every netkit command uses (CLI.md). */
export const ExitCode = {
  ok: 0,
  /** Network, OS, or bad input from the peer. */
  error: 1,
  /** Bad flag or argument. */
  usage: 2,
  /** No answer in time. */
  timeout: 3,
  /** Stopped by Ctrl-C (128 + SIGINT), after printing what was done. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad flag or argument: printed with the usage line and a hint, exit 2. */
export class UsageError extends Error {
  readonly code = 'ERR_NETKIT_USAGE';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the command already explained: `what` failed because `why`; `fix` says what to do. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.error,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CommandError';
  }
}
