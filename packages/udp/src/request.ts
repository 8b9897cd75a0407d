import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { type Endpoint, formatEndpoint, resolveHost, socketTypeOf } from './address.js';
import { TimeoutError } from './errors.js';
import type { Payload } from './payload.js';
import { type Datagram, UdpSocket } from './socket.js';

export interface RequestOptions {
  /** Milliseconds to wait for the first reply (default 1000, RFC 8085 3.1.3's conservative start). */
  timeout?: number;
  /** Further attempts after the first times out (default 2). */
  retries?: number;
  /** Each retry waits this many times longer than the one before (default 2: exponential backoff). */
  backoff?: number;
  /** Upper bound of one attempt's wait, in ms (default 60000). */
  maxTimeout?: number;
  signal?: AbortSignal;
  /** A bound socket to use; by default a fresh one on an ephemeral port, closed afterwards. */
  socket?: UdpSocket;
}

export interface Reply extends Datagram {
  /** Attempts made, 1 when the first one was answered. */
  attempts: number;
  /** Milliseconds from the last send to the reply. */
  rtt: number;
  /** Datagrams from other senders that arrived meanwhile and were ignored. */
  ignored: number;
}

/**
 * Sends `payload` to `target` and resolves with the first datagram that comes back from exactly
 * that address and port. Retransmits with exponential backoff; always settles: with the reply,
 * ERR_NETKIT_TIMEOUT after the last attempt, ERR_NETKIT_ABORTED, or the socket's error.
 */
export async function request(
  target: Endpoint,
  payload: Payload,
  options: RequestOptions = {},
): Promise<Reply> {
  const timeout = checkTimeout('timeout', options.timeout ?? 1000);
  const retries = checkInteger('retries', options.retries ?? 2, 0, 100);
  const backoff = options.backoff ?? 2;
  if (!(backoff >= 1)) throw new RangeError(`backoff must be >= 1, got ${backoff}`);
  const maxTimeout = checkTimeout('maxTimeout', options.maxTimeout ?? 60_000);
  const signal = checkSignal('signal', options.signal);
  checkInteger('port', target.port, 1, 65_535);

  const resolved = await resolveHost(target.host ?? 'localhost', options.socket?.type);
  const socket = options.socket ?? new UdpSocket({ type: socketTypeOf(resolved.family) });
  const where = formatEndpoint(resolved.address, target.port);
  let ignored = 0;
  try {
    let wait = timeout;
    for (let attempt = 1; ; attempt++) {
      const sentAt = performance.now();
      await socket.send(payload, { host: resolved.address, port: target.port });
      const deadline = sentAt + wait;
      const reply = await waitForReplyFrom(
        socket,
        resolved.address,
        target.port,
        deadline,
        signal,
        () => ignored++,
      );
      if (reply) {
        // Fields written out: an object spread costs microseconds per call on Node.js 20.
        const { data, address, port, family, size, truncated } = reply;
        const rtt = performance.now() - sentAt;
        return { data, address, port, family, size, truncated, attempts: attempt, rtt, ignored };
      }
      if (attempt > retries) {
        throw new TimeoutError(
          `no reply from ${where} after ${attempt} attempt${attempt === 1 ? '' : 's'} (last wait ${wait} ms)`,
        );
      }
      wait = Math.min(wait * backoff, maxTimeout);
    }
  } finally {
    if (!options.socket) await socket.close();
  }
}

/** The next datagram from address:port before the deadline, or undefined when time runs out. */
async function waitForReplyFrom(
  socket: UdpSocket,
  address: string,
  port: number,
  deadline: number,
  signal: AbortSignal | undefined,
  onIgnored: () => void,
): Promise<Datagram | undefined> {
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    let datagram: Datagram;
    try {
      // Whole milliseconds: Node.js keeps one timer list per distinct duration.
      datagram = await socket.receive({ timeout: Math.ceil(left), signal });
    } catch (err) {
      if (err instanceof TimeoutError) return undefined;
      throw err;
    }
    if (datagram.port === port && sameAddress(datagram.address, address)) return datagram;
    onIgnored();
  }
}

/** Compares addresses, treating ::ffff:a.b.c.d as a.b.c.d. */
function sameAddress(a: string, b: string): boolean {
  const strip = (s: string) => (s.startsWith('::ffff:') ? s.slice(7) : s).toLowerCase();
  return strip(a) === strip(b);
}
