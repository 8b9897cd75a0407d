// Runs the built `netkit` binary the way a user does (global-setup.ts builds it when needed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ManagedProcess,
  type RunOptions,
  type RunResult,
  run,
  type SpawnOptions,
  spawnProcess,
} from '@netkit/testkit';
import { afterEach } from 'vitest';

export const NETKIT_BIN: string = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** No colors in captured output, whatever the environment says. */
const ENV = { NO_COLOR: '1' };

/** `node dist/bin.js ...args` to completion (default timeout 15 s; never hangs). */
export function netkit(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [NETKIT_BIN, ...args], {
    timeout: 15_000,
    ...opts,
    env: { ...ENV, ...opts.env },
  });
}

/** `node dist/bin.js ...args` in the background; stop it (useProcesses does) when done. */
export function spawnNetkit(args: string[], opts: SpawnOptions = {}): ManagedProcess {
  return spawnProcess(process.execPath, [NETKIT_BIN, ...args], {
    ...opts,
    env: { ...ENV, ...opts.env },
  });
}

/** What every netkit server prints on stderr once bound: "listening on 127.0.0.1:PORT (udp)". */
export const LISTENING = /listening on (\S+):(\d+) \(udp\)/;

/** Waits (bounded) for the "listening on" line and returns the bound port. */
export async function listeningPort(p: ManagedProcess, timeout = 10_000): Promise<number> {
  const m = await p.waitFor(LISTENING, { stream: 'stderr', timeout });
  return Number(m[2]);
}

export interface NetkitServer extends ManagedProcess {
  /** The port from its "listening on" line. */
  readonly port: number;
}

/** Spawns a netkit server (pass `--port 0`) and resolves once it is bound, with its port. */
export async function startNetkit(args: string[], opts: SpawnOptions = {}): Promise<NetkitServer> {
  const proc = spawnNetkit(args, opts);
  try {
    return Object.assign(proc, { port: await listeningPort(proc) });
  } catch (e) {
    await proc.stop('SIGKILL', 0);
    throw e;
  }
}

/**
 * Any netkit server's line once bound, UDP, TCP or client list: "listening on ENDPOINT (KIND)",
 * ENDPOINT being ADDRESS:PORT ("[::1]:PORT" for IPv6) or a Unix socket path.
 */
export const LISTENING_ANY = /listening on (\S+) \(([^)]+)\)/;

export interface BoundNetkit extends ManagedProcess {
  /** As printed: "127.0.0.1:PORT", "[::1]:PORT" or the socket path. */
  readonly endpoint: string;
  /** The bound port; 0 for a Unix socket. */
  readonly port: number;
  /** What follows the endpoint in parentheses: "tcp", "client list, plain protocol"... */
  readonly kind: string;
}

/**
 * Like startNetkit for any server, TCP and Unix sockets included: spawns it (pass `--port 0` or
 * `--unix PATH`) and resolves once its "listening on" line is out.
 */
export async function startNetkitServer(
  args: string[],
  opts: SpawnOptions = {},
  timeout = 10_000,
): Promise<BoundNetkit> {
  const proc = spawnNetkit(args, opts);
  try {
    const m = await proc.waitFor(LISTENING_ANY, { stream: 'stderr', timeout });
    const endpoint = m[1] ?? '';
    const port = /:(\d+)$/.exec(endpoint)?.[1];
    return Object.assign(proc, {
      endpoint,
      port: port === undefined ? 0 : Number(port),
      kind: m[2] ?? '',
    });
  } catch (e) {
    await proc.stop('SIGKILL', 0);
    throw e;
  }
}

/**
 * Call once at the top of a test file: returns `tempDir()`, which makes a fresh folder (for Unix
 * sockets); every folder made is removed after each test.
 */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return () =>
    mkdtemp(join(tmpdir(), 'netkit-cli-')).then((d) => {
      made.push(d);
      return d;
    });
}

/**
 * Call once at the top of a test file: returns `track(p)`, and every process tracked is stopped
 * after each test, whether it passed or not.
 */
export function useProcesses(): <T extends ManagedProcess>(p: T) => T {
  const live: ManagedProcess[] = [];
  afterEach(async () => {
    await Promise.all(live.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  });
  return (p) => {
    live.push(p);
    return p;
  };
}

/**
 * Parses "one JSON object per line" output strictly: every line, blank ones included, must be a
 * JSON object, and the output ends with a newline.
 */
export function jsonLines(text: string): Record<string, unknown>[] {
  if (text === '') return [];
  if (!text.endsWith('\n'))
    throw new Error(`JSON lines output does not end with a newline:\n${text}`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON line: ${JSON.stringify(line)}\nin:\n${text}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`not a JSON object: ${JSON.stringify(line)}\nin:\n${text}`);
      }
      return value as Record<string, unknown>;
    });
}
