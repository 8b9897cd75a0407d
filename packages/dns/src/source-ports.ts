// The resolver's UDP hot path on bare node:dgram: one socket per query (the default, RFC 5452's
// port randomisation) or a small pool of sockets reused for several queries each (opt-in, what
// c-ares calls udp_max_queries). Both share one exchange: a query waits on a socket's table of
// in-flight ids, and a datagram is taken only when its source address and port, id and question
// all match; anything else is dropped and counted.
import { randomFillSync } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { DnsMalformedError } from './errors.js';
import { decode } from './message.js';
import { DnsAbortedError, DnsTimeoutError } from './resolver-errors.js';
import type { Message } from './types.js';

/** A server with its address already known: no lookup on the hot path. */
export interface UdpTarget {
  address: string;
  family: 4 | 6;
  port: number;
  label: string;
}

/** What a reply must echo. `name` is lower case. */
export interface Question {
  name: string;
  type: number;
  klass: number;
}

export interface UdpAttempt {
  message: Message;
  server: string;
  transport: 'udp';
  rtt: number;
  size: number;
  ignored: number;
}

/** How the resolver picks UDP source ports. See QueryOptions.sourcePorts. */
export type SourcePorts = 'per-query' | { pool: number; maxQueriesPerSocket: number };

// Query ids come from a pool of crypto-random bytes, refilled when used up: one randomFillSync
// per 1024 ids instead of one randomInt call per query.
const ids = new Uint16Array(1024);
let nextId = ids.length;

/** A fresh crypto-random 16-bit query id. */
export function randomId(): number {
  if (nextId === ids.length) {
    randomFillSync(ids);
    nextId = 0;
  }
  return ids[nextId++]!;
}

// IP literals need no lookup: this stands in for dns.lookup in bind and send, and answers at once.
function literalLookup(
  address: string,
  family: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void {
  callback(null, address, family === 6 || family === 'IPv6' ? 6 : 4);
}

interface Pending {
  id: number;
  question: Question;
  target: UdpTarget;
  started: number;
  ignored: number;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (attempt: UdpAttempt) => void;
  reject: (err: Error) => void;
}

/** Strips ::ffff: from v4-mapped addresses, so a dual-stack reply compares equal. */
function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** One UDP socket on a random ephemeral port, with the queries waiting on it by id. */
class Channel {
  readonly socket: Socket;
  readonly waiting = new Map<number, Pending>();
  /** Queries sent from this socket so far. */
  used = 0;
  /** No new queries; closes when the last one settles. */
  retiring = false;
  closed = false;
  failure: Error | undefined;

  constructor(
    readonly family: 4 | 6,
    /** One query only (a port per query): strays count against that query. */
    private readonly exclusive: boolean,
    private readonly onStray: () => void,
    private readonly onEmpty: (channel: Channel) => void,
  ) {
    this.socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    this.socket.on('message', (data, rinfo) => this.#receive(data, rinfo.address, rinfo.port));
    this.socket.on('error', (err) => this.#fail(err));
    // Port 0: the kernel picks a random ephemeral port. With literalLookup this binds at once.
    this.socket.bind(0, family === 6 ? '::' : '0.0.0.0');
  }

  /** An id not in flight on this socket. */
  freeId(): number {
    for (;;) {
      const id = randomId();
      if (!this.waiting.has(id)) return id;
    }
  }

  send(
    bytes: Uint8Array,
    id: number,
    question: Question,
    target: UdpTarget,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<UdpAttempt> {
    return new Promise<UdpAttempt>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const pending: Pending = {
        id,
        question,
        target,
        started: performance.now(),
        ignored: 0,
        timer: setTimeout(() => {
          this.#settle(pending);
          reject(new DnsTimeoutError(`no answer from ${target.label} within ${timeout} ms`));
        }, timeout),
        signal,
        onAbort: undefined,
        resolve,
        reject,
      };
      if (signal) {
        pending.onAbort = () => {
          this.#settle(pending);
          reject(new DnsAbortedError(`query ${question.name}: aborted`, signal.reason));
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.waiting.set(id, pending);
      this.used++;
      bytes[0] = id >> 8;
      bytes[1] = id & 0xff;
      this.socket.send(bytes, target.port, target.address, (err) => {
        if (err && this.waiting.get(id) === pending) {
          this.#settle(pending);
          reject(err);
        }
      });
    });
  }

  #receive(data: Buffer, address: string, port: number): void {
    const pending = data.length >= 12 ? this.waiting.get(data.readUInt16BE(0)) : undefined;
    if (!pending) {
      // A socket of its own: whatever reaches it was aimed at its one query.
      if (this.exclusive && this.waiting.size === 1) this.waiting.values().next().value!.ignored++;
      else this.onStray();
      return;
    }
    const { target, question } = pending;
    if (port !== target.port || plain(address) !== plain(target.address)) {
      pending.ignored++;
      return;
    }
    let message: Message;
    try {
      message = decode(data);
    } catch (err) {
      if (!(err instanceof DnsMalformedError)) throw err;
      pending.ignored++;
      return;
    }
    if (!matches(message, question)) {
      pending.ignored++;
      return;
    }
    this.#settle(pending);
    pending.resolve({
      message,
      server: target.label,
      transport: 'udp',
      rtt: performance.now() - pending.started,
      size: data.length,
      ignored: pending.ignored,
    });
  }

  #settle(pending: Pending): void {
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
    this.waiting.delete(pending.id);
    if (this.waiting.size === 0) this.onEmpty(this);
  }

  #fail(err: Error): void {
    this.failure = err;
    this.retiring = true;
    for (const pending of [...this.waiting.values()]) {
      this.#settle(pending);
      pending.reject(err);
    }
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Not awaited: the handle closes on its own; nothing more is read from it.
    this.socket.close();
  }
}

/** What a datagram must echo to be the answer (RFC 5452 9.1), QR and id checked already. */
function matches(reply: Message, question: Question): boolean {
  if (!reply.qr) return false;
  const q = reply.questions[0];
  // Some servers send no question with FORMERR/NOTIMP; then the id (and source) must do.
  if (!q) return reply.questions.length === 0 && reply.rcode !== 0;
  return (
    q.type === question.type &&
    q.class === question.klass &&
    q.name.length === question.name.length &&
    q.name.toLowerCase() === question.name
  );
}

/** Sends queries over UDP and waits for their answers. */
export interface UdpTransport {
  /** Sends `bytes` (its first two bytes are overwritten with the id) and waits for the answer. */
  exchange(
    bytes: Uint8Array,
    question: Question,
    target: UdpTarget,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<UdpAttempt>;
  /** Datagrams that matched no query in flight (pooled sockets only). */
  readonly strays: number;
  close(): void;
}

/** The default: a new socket, so a new random source port, for every query; closed after. */
export class PerQueryPorts implements UdpTransport {
  strays = 0;
  readonly #onStray = () => {
    this.strays++;
  };
  readonly #onEmpty = (channel: Channel) => channel.close();

  exchange(
    bytes: Uint8Array,
    question: Question,
    target: UdpTarget,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<UdpAttempt> {
    const channel = new Channel(target.family, true, this.#onStray, this.#onEmpty);
    return channel.send(bytes, randomId(), question, target, timeout, signal);
  }

  close(): void {}
}

/**
 * Opt-in: up to `size` sockets per address family, each on its own random ephemeral port and
 * used for `maxQueriesPerSocket` queries, then replaced by a new one (the old one closes when
 * its last query settles). Ids are unique per socket among the queries in flight on it.
 */
export class PooledPorts implements UdpTransport {
  strays = 0;
  readonly #size: number;
  readonly #max: number;
  readonly #active: { 4: Channel[]; 6: Channel[] } = { 4: [], 6: [] };
  readonly #all = new Set<Channel>();
  #next = 0;
  #closed = false;
  readonly #onStray = () => {
    this.strays++;
  };
  readonly #onEmpty = (channel: Channel) => {
    if (channel.retiring || this.#closed) {
      channel.close();
      this.#all.delete(channel);
    }
  };

  constructor(size: number, maxQueriesPerSocket: number) {
    this.#size = size;
    this.#max = maxQueriesPerSocket;
  }

  /** Source ports of the sockets open now (for tests and diagnostics). */
  get ports(): number[] {
    return [...this.#all].filter((c) => !c.closed).map((c) => c.socket.address().port);
  }

  exchange(
    bytes: Uint8Array,
    question: Question,
    target: UdpTarget,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<UdpAttempt> {
    const channel = this.#pick(target.family);
    return channel.send(bytes, channel.freeId(), question, target, timeout, signal);
  }

  #pick(family: 4 | 6): Channel {
    const active = this.#active[family];
    const slot = this.#next++ % this.#size;
    let channel = active[slot];
    // Rotate: spent sockets (or ones with nearly every id in flight) give way to a new port.
    if (!channel || channel.used >= this.#max || channel.failure || channel.waiting.size > 32_768) {
      if (channel) {
        channel.retiring = true;
        if (channel.waiting.size === 0) {
          channel.close();
          this.#all.delete(channel);
        }
      }
      channel = new Channel(family, false, this.#onStray, this.#onEmpty);
      active[slot] = channel;
      this.#all.add(channel);
    }
    return channel;
  }

  close(): void {
    this.#closed = true;
    for (const channel of this.#all) {
      channel.retiring = true;
      if (channel.waiting.size === 0) {
        channel.close();
        this.#all.delete(channel);
      }
    }
    this.#active[4] = [];
    this.#active[6] = [];
  }
}
