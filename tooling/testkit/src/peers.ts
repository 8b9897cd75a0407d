// Real peers that no one here wrote (ncat, socat), started as managed processes.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, isIPv6 } from 'node:net';
import { type ManagedProcess, spawnProcess } from './exec.js';

export interface NcatOptions {
  udp?: boolean;
  listen?: boolean;
  /**
   * Listening: the address to bind (default 127.0.0.1 in the root namespace, every address inside
   * a namespace). Connecting: the address to connect to (required).
   */
  host?: string;
  /** Listening: default a free port. Connecting: required. */
  port?: number;
  netns?: string;
  /** Extra ncat arguments, placed before the address and port. */
  args?: string[];
  /** Milliseconds to wait for a listener to be ready. Default 5000. */
  timeout?: number;
}

export interface NcatProcess extends ManagedProcess {
  readonly port: number;
}

/** A port free right now on `host` (bind port 0, read it, close). */
export function freePort(kind: 'udp' | 'tcp', host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind(0, host, () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
      return;
    }
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('freePort: no port'))));
    });
  });
}

/** Binds UDP and TCP (listening) on `port`; true when both were free. Closes both either way. */
async function freeForBoth(port: number, host: string): Promise<boolean> {
  const udp = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const tcp = createServer();
  const bound = (bind: (done: () => void) => void, emitter: NodeJS.EventEmitter) =>
    new Promise<boolean>((resolve) => {
      emitter.once('error', () => resolve(false));
      bind(() => resolve(true));
    });
  const ok =
    (await bound((done) => udp.bind(port, host, done), udp)) &&
    (await bound((done) => tcp.listen({ port, host }, done), tcp));
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  if (tcp.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  return ok;
}

/**
 * A port free for UDP and for a TCP listener at once, for a server that binds both (unbound,
 * a DNS server). Taken below the kernel's ephemeral range: an ephemeral port is also what
 * client connections use, and a client's TIME_WAIT there makes the server's TCP bind fail with
 * EADDRINUSE for a minute (after a TCP benchmark, three tries in a row failed that way).
 */
export async function freeServerPort(host = '127.0.0.1'): Promise<number> {
  const low = ephemeralLow();
  const from = Math.min(10_000, low - 1000);
  for (let i = 0; i < 100; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await freeForBoth(port, host)) return port;
  }
  throw new Error(`freeServerPort: no port free for UDP and TCP between ${from} and ${low - 1}`);
}

/** The first port of net.ipv4.ip_local_port_range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 2000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * Starts ncat with stdin piped (write() sends, received data appears in stdout()). A listener is
 * returned only once ncat has printed "Listening on" (it does so after bind), so a datagram
 * sent right after cannot be lost to a race.
 */
export async function startNcat(opts: NcatOptions = {}): Promise<NcatProcess> {
  const kind = opts.udp === true ? 'udp' : 'tcp';
  const args = ['-v', ...(opts.udp === true ? ['-u'] : []), ...(opts.args ?? [])];
  let port: number;
  if (opts.listen === true) {
    const host = opts.host ?? (opts.netns === undefined ? '127.0.0.1' : undefined);
    // Inside a fresh namespace nothing else listens, so any port is free; node cannot bind there.
    port =
      opts.port ??
      (opts.netns === undefined
        ? await freePort(kind, host)
        : 20_000 + Math.floor(Math.random() * 40_000));
    args.push('-l', ...(host === undefined ? [] : [host]), String(port));
  } else {
    if (opts.host === undefined || opts.port === undefined) {
      throw new TypeError('startNcat: host and port are required unless listen is true');
    }
    port = opts.port;
    args.push(opts.host, String(port));
  }
  const p = spawnProcess('ncat', args, { netns: opts.netns, stdin: 'pipe' });
  if (opts.listen === true) {
    try {
      await p.waitFor(/Listening on/, { stream: 'stderr', timeout: opts.timeout ?? 5000 });
    } catch (e) {
      await p.stop('SIGKILL', 0);
      throw e;
    }
  }
  return Object.assign(p, { port });
}

/** Starts socat with the given arguments and stdin piped. */
export function startSocat(args: string[], opts: { netns?: string } = {}): ManagedProcess {
  return spawnProcess('socat', args, { netns: opts.netns, stdin: 'pipe' });
}

/**
 * Waits until a live tshark really captures. "Capturing on" comes out before dumpcap has its
 * socket, so a frame sent right after it can be missed; tshark 4 logs "Capture started" once it
 * has.
 */
export async function tsharkReady(tshark: ManagedProcess, timeout = 15_000): Promise<void> {
  await tshark.waitFor('Capturing on', { stream: 'stderr', timeout });
  await tshark.waitFor('Capture started', { stream: 'stderr', timeout });
}
