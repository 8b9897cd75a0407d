// Child processes for tests: every wait is bounded, every process is tracked and killed when the
// test process ends. Each child gets its own process group (detached) so a timeout or stop()
// kills the whole tree, not just the first process.
import { type ChildProcess, spawn } from 'node:child_process';
import { onProcessExit } from './exit-hooks.js';

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface RunOptions {
  /** Milliseconds before the process tree is killed and run() rejects. Default 10000. */
  timeout?: number;
  /** Written to stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Run inside this network namespace (`ip netns exec NAME ...`). */
  netns?: string;
  /** Added to (and overriding) process.env. */
  env?: Record<string, string>;
  cwd?: string;
  /** Reject when the exit code is not 0 (the message carries stderr). Default false. */
  check?: boolean;
}

export interface RunResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  netns?: string;
  /** Added to (and overriding) process.env. */
  env?: Record<string, string>;
  /** Default 'ignore' (stdin is /dev/null); 'pipe' enables write() and endInput(). */
  stdin?: 'pipe' | 'ignore';
  cwd?: string;
}

export interface WaitForOptions {
  /** Milliseconds. Default 10000. */
  timeout?: number;
  /** Default 'both'. */
  stream?: 'stdout' | 'stderr' | 'both';
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** The command line as run, for messages. */
  readonly command: string;
  readonly netns: string | undefined;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The spawn error (e.g. ENOENT), if the process could not be started. */
  error(): Error | undefined;
  /**
   * Resolves once the output collected so far (from the start, not only new output) matches.
   * Rejects on timeout or when the process exits without a match; the message includes the output.
   */
  waitFor(pattern: RegExp, opts?: WaitForOptions): Promise<RegExpMatchArray>;
  waitFor(pattern: string, opts?: WaitForOptions): Promise<string>;
  waitFor(pattern: RegExp | string, opts?: WaitForOptions): Promise<RegExpMatchArray | string>;
  /** Writes to stdin (needs `stdin: 'pipe'`); resolves when flushed. */
  write(data: string | Uint8Array): Promise<void>;
  endInput(): void;
  /** Settles once the process has exited and its output has been read. Never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** Sends `signal` to the process group, then SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
}

const DEFAULT_TIMEOUT = 10_000;
/** After 'exit', how long to wait for the pipes to close (a grandchild may hold them open). */
const CLOSE_GRACE_MS = 500;

const live = new Set<ManagedProcess>();
let hookInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  onProcessExit(0, () => {
    for (const p of live) signalGroup(p.child, 'SIGKILL');
    live.clear();
  });
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The argv actually spawned: through `ip netns exec` when a namespace is given. */
function commandLine(cmd: string, args: string[], netns: string | undefined): [string, string[]] {
  return netns === undefined ? [cmd, args] : ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

function describePattern(pattern: RegExp | string): string {
  return typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
}

function formatStatus(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

function outputReport(stdout: string, stderr: string): string {
  const clip = (s: string): string => (s.length > 4000 ? `...${s.slice(-4000)}` : s);
  return `\n--- stdout ---\n${clip(stdout)}\n--- stderr ---\n${clip(stderr)}`;
}

export function spawnProcess(cmd: string, args: string[], opts: SpawnOptions = {}): ManagedProcess {
  installExitHook();
  const [file, argv] = commandLine(cmd, args, opts.netns);
  const command = [file, ...argv].map(quote).join(' ');
  const child = spawn(file, argv, {
    detached: true,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
    cwd: opts.cwd,
  });

  let out = '';
  let err = '';
  let spawnError: Error | undefined;
  let status: ExitStatus | undefined;
  const onOutput = new Set<() => void>();
  const onFinish = new Set<() => void>();
  let resolveExited: (s: ExitStatus) => void = () => {};
  const exited = new Promise<ExitStatus>((resolve) => {
    resolveExited = resolve;
  });

  const finish = (s: ExitStatus): void => {
    if (status !== undefined) return;
    status = s;
    live.delete(managed);
    for (const fn of [...onFinish]) fn();
    resolveExited(s);
  };

  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
    for (const fn of [...onOutput]) fn();
  });
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
    for (const fn of [...onOutput]) fn();
  });
  // EPIPE when the child exits before reading its input: reported through write(), not a crash.
  child.stdin?.on('error', () => {});
  child.on('error', (e) => {
    spawnError = e;
    err += `[testkit] cannot start ${command}: ${e.message}\n`;
    finish({ code: null, signal: null });
  });
  child.on('exit', (code, signal) => {
    const s = { code, signal };
    setTimeout(() => finish(s), CLOSE_GRACE_MS).unref();
  });
  child.on('close', (code, signal) => finish({ code, signal }));

  const textOf = (stream: 'stdout' | 'stderr' | 'both'): string[] =>
    stream === 'stdout' ? [out] : stream === 'stderr' ? [err] : [out, err];

  const match = (
    pattern: RegExp | string,
    stream: 'stdout' | 'stderr' | 'both',
  ): RegExpMatchArray | string | null => {
    for (const text of textOf(stream)) {
      if (typeof pattern === 'string') {
        if (text.includes(pattern)) return pattern;
      } else {
        const m = text.match(pattern);
        if (m !== null) return m;
      }
    }
    return null;
  };

  function waitFor(pattern: RegExp, o?: WaitForOptions): Promise<RegExpMatchArray>;
  function waitFor(pattern: string, o?: WaitForOptions): Promise<string>;
  function waitFor(
    pattern: RegExp | string,
    o?: WaitForOptions,
  ): Promise<RegExpMatchArray | string>;
  function waitFor(
    pattern: RegExp | string,
    o: WaitForOptions = {},
  ): Promise<RegExpMatchArray | string> {
    const timeout = o.timeout ?? DEFAULT_TIMEOUT;
    const stream = o.stream ?? 'both';
    const what = `${describePattern(pattern)} on ${stream}`;
    return new Promise((resolve, reject) => {
      const first = match(pattern, stream);
      if (first !== null) return resolve(first);
      if (status !== undefined) {
        return reject(
          new Error(
            `${command}: exited (${formatStatus(status)}) without printing ${what}${outputReport(out, err)}`,
          ),
        );
      }
      const done = (): void => {
        clearTimeout(timer);
        onOutput.delete(check);
        onFinish.delete(exitedFirst);
      };
      const check = (): void => {
        const m = match(pattern, stream);
        if (m === null) return;
        done();
        resolve(m);
      };
      const exitedFirst = (): void => {
        done();
        const m = match(pattern, stream);
        if (m !== null) {
          resolve(m);
          return;
        }
        const s = status ?? { code: null, signal: null };
        reject(
          new Error(
            `${command}: exited (${formatStatus(s)}) before printing ${what}${outputReport(out, err)}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `${command}: timed out after ${timeout} ms waiting for ${what}${outputReport(out, err)}`,
          ),
        );
      }, timeout);
      onOutput.add(check);
      onFinish.add(exitedFirst);
    });
  }

  const write = (data: string | Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => {
      const stdin = child.stdin;
      if (stdin === null || stdin.destroyed || stdin.writableEnded) {
        reject(new Error(`${command}: stdin is not open (spawn with stdin: 'pipe')`));
        return;
      }
      stdin.write(data, (e) => (e ? reject(e) : resolve()));
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 2000): Promise<ExitStatus> => {
    if (status !== undefined) return status;
    signalGroup(child, signal);
    const kill = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    // A process stuck in the kernel may survive even SIGKILL for a while: do not wait forever.
    let giveUp: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<ExitStatus>((resolve) => {
      giveUp = setTimeout(() => resolve({ code: null, signal: 'SIGKILL' }), graceMs + 5000);
    });
    try {
      return await Promise.race([exited, gaveUp]);
    } finally {
      clearTimeout(kill);
      clearTimeout(giveUp);
    }
  };

  const managed: ManagedProcess = {
    child,
    command,
    netns: opts.netns,
    stdout: () => out,
    stderr: () => err,
    error: () => spawnError,
    waitFor,
    write,
    endInput: () => {
      child.stdin?.end();
    },
    exited,
    stop,
  };
  live.add(managed);
  return managed;
}

/** Runs a command to completion; never hangs (kills the tree and rejects on timeout). */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  const p = spawnProcess(cmd, args, {
    netns: opts.netns,
    env: opts.env,
    cwd: opts.cwd,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  if (opts.input !== undefined) {
    // A child that exits without reading its input is reported by its exit status, not EPIPE.
    p.write(opts.input).catch(() => {});
    p.endInput();
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeout);
  });
  const result = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await p.stop('SIGKILL', 0);
    throw new Error(
      `run: timed out after ${timeout} ms, killed: ${p.command}${outputReport(p.stdout(), p.stderr())}`,
    );
  }
  const spawnError = p.error();
  if (spawnError !== undefined) {
    throw new Error(`run: cannot start ${p.command}: ${spawnError.message}`, { cause: spawnError });
  }
  if (opts.check === true && result.code !== 0) {
    throw new Error(
      `run: ${p.command} failed (${formatStatus(result)})${outputReport(p.stdout(), p.stderr())}`,
    );
  }
  return { stdout: p.stdout(), stderr: p.stderr(), code: result.code, signal: result.signal };
}

/** Runs `node scriptPath ...args` with this Node binary, inside `netns` when given. */
export function nodeScriptIn(
  netns: string | undefined,
  scriptPath: string,
  args: string[],
  opts: Omit<SpawnOptions, 'netns'> = {},
): ManagedProcess {
  return spawnProcess(process.execPath, [scriptPath, ...args], { ...opts, netns });
}

/** Stops every process still running that was started here. */
export async function stopAll(graceMs = 1000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGTERM', graceMs)));
}

/** Stops the tracked processes running inside any of `namespaces`. */
export async function stopProcessesIn(
  namespaces: ReadonlySet<string>,
  graceMs = 1000,
): Promise<void> {
  const inside = [...live].filter((p) => p.netns !== undefined && namespaces.has(p.netns));
  await Promise.all(inside.map((p) => p.stop('SIGTERM', graceMs)));
}
