// Ping over raw frames: ARP for the neighbour's MAC, then ICMP echo requests (RFC 792) built
// here, replies matched by identifier, sequence, source and data; a summary like iputils ping.
import { randomInt } from 'node:crypto';
import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { resolveMac } from './arp-resolve.js';
import type { BpfInstruction } from './bpf.js';
import { decodeFrame } from './frames/decode.js';
import { buildEthernet, EtherType } from './frames/ethernet.js';
import { buildIcmpv4Echo, Icmpv4Type } from './frames/icmpv4.js';
import { buildIPv4, IpProtocol } from './frames/ipv4.js';
import { isMac } from './frames/mac.js';
import { openPacketSocket, type PacketSocket } from './packet-socket.js';
import { checkIPv4, sourceAddressFor } from './source-address.js';

export interface PingOptions {
  /** The interface to send on (required). */
  interface: string;
  /** Open the socket inside this network namespace. */
  netns?: string;
  /** Echo requests to send (default 4; Infinity until the signal fires). */
  count?: number;
  /** Milliseconds between requests (default 1000). */
  interval?: number;
  /** Milliseconds to wait for the last reply, and for each ARP reply (default 1000). */
  timeout?: number;
  /** ICMP data bytes per request (default 56, as ping: 64 bytes of ICMP, 84 of IP). */
  size?: number;
  /** IP time to live (default 64). */
  ttl?: number;
  /** ICMP identifier (default random). */
  id?: number;
  /** Source IPv4 address (default the interface's on the target's subnet). */
  source?: string;
  /** The destination MAC: skips ARP. */
  mac?: string;
  /** Ends the run early (the summary is still there): like Ctrl-C in ping. */
  signal?: AbortSignal;
}

export interface PingReply {
  /** The replying address. */
  from: string;
  sequence: number;
  /** ICMP bytes in the reply (header and data), as ping prints them. */
  bytes: number;
  ttl: number;
  /** Milliseconds from send to receipt. */
  rtt: number;
  /** Another reply to a sequence already answered. */
  duplicate: boolean;
}

export interface PingSummary {
  destination: string;
  /** The MAC the frames went to (from ARP or the `mac` option); undefined when ARP failed. */
  mac: string | undefined;
  transmitted: number;
  /** Distinct sequences answered. */
  received: number;
  duplicates: number;
  /** Percent of requests unanswered, 0-100. */
  loss: number;
  /** Milliseconds from the first request to the end. */
  time: number;
  /** Over the replies; undefined when none came. `mdev` as ping: the standard deviation. */
  rtt: { min: number; avg: number; max: number; mdev: number } | undefined;
}

/** IPv4 ICMP or ARP: what a ping needs to see, nothing else. */
const ARP_OR_ICMP: BpfInstruction[] = [
  { code: 0x28, jt: 0, jf: 0, k: 12 }, // ldh [12]: EtherType
  { code: 0x15, jt: 3, jf: 0, k: EtherType.ARP }, // ARP: accept
  { code: 0x15, jt: 0, jf: 3, k: EtherType.IPv4 }, // not IPv4: drop
  { code: 0x30, jt: 0, jf: 0, k: 23 }, // ldb [23]: IP protocol
  { code: 0x15, jt: 0, jf: 1, k: IpProtocol.ICMP },
  { code: 0x06, jt: 0, jf: 0, k: 0x40000 },
  { code: 0x06, jt: 0, jf: 0, k: 0 },
];

interface Checked {
  count: number;
  interval: number;
  timeout: number;
  size: number;
  ttl: number;
  id: number;
}

function check(ip: string, options: PingOptions): Checked {
  checkIPv4('ip', ip);
  if (typeof options !== 'object' || options === null)
    throw new TypeError('options must be an object');
  checkSignal('signal', options.signal);
  if (options.source !== undefined) checkIPv4('source', options.source);
  if (options.mac !== undefined && (typeof options.mac !== 'string' || !isMac(options.mac))) {
    throw new TypeError(
      `mac must be a MAC address like 'aa:bb:cc:dd:ee:ff', got ${String(options.mac)}`,
    );
  }
  const count = options.count ?? 4;
  if (count !== Number.POSITIVE_INFINITY) checkInteger('count', count, 1, Number.MAX_SAFE_INTEGER);
  return {
    count,
    interval: options.interval === undefined ? 1000 : checkTimeout('interval', options.interval),
    timeout: options.timeout === undefined ? 1000 : checkTimeout('timeout', options.timeout),
    // 65535 - 20 (IP) - 8 (ICMP); the interface MTU is the real limit, checked when sending.
    size: options.size === undefined ? 56 : checkInteger('size', options.size, 0, 65_507),
    ttl: options.ttl === undefined ? 64 : checkInteger('ttl', options.ttl, 1, 255),
    id:
      options.id === undefined ? randomInt(0, 0x10000) : checkInteger('id', options.id, 0, 0xffff),
  };
}

/**
 * A ping run: iterate it for the replies as they come; `summary()` has the counts and RTTs. The
 * packet socket is opened at once (so EPERM and ENODEV throw from ping()) and closed when the
 * iteration ends, or by close().
 */
export class PingSession implements AsyncIterable<PingReply>, AsyncDisposable {
  readonly destination: string;
  readonly id: number;
  readonly #socket: PacketSocket;
  readonly #options: PingOptions;
  readonly #checked: Checked;
  #mac: string | undefined;
  #transmitted = 0;
  #duplicates = 0;
  readonly #rtts: number[] = [];
  #started: number | undefined;
  #ended: number | undefined;
  #iterating = false;

  /** @internal use ping() */
  constructor(ip: string, options: PingOptions) {
    this.#checked = check(ip, options);
    this.destination = ip;
    this.id = this.#checked.id;
    this.#options = options;
    this.#mac = options.mac?.toLowerCase();
    this.#socket = openPacketSocket({
      interface: options.interface,
      ...(options.netns !== undefined && { netns: options.netns }),
      filter: ARP_OR_ICMP,
      ignoreOutgoing: true,
    });
  }

  /** Counts so far (final once the iteration has ended). */
  summary(): PingSummary {
    const received = this.#rtts.length;
    const loss =
      this.#transmitted === 0 ? 0 : ((this.#transmitted - received) / this.#transmitted) * 100;
    let rtt: PingSummary['rtt'];
    if (received > 0) {
      const avg = this.#rtts.reduce((a, b) => a + b, 0) / received;
      const sq = this.#rtts.reduce((a, b) => a + b * b, 0) / received;
      rtt = {
        min: Math.min(...this.#rtts),
        avg,
        max: Math.max(...this.#rtts),
        mdev: Math.sqrt(Math.max(0, sq - avg * avg)),
      };
    }
    const end = this.#ended ?? performance.now();
    return {
      destination: this.destination,
      mac: this.#mac,
      transmitted: this.#transmitted,
      received,
      duplicates: this.#duplicates,
      loss,
      time: this.#started === undefined ? 0 : end - this.#started,
      rtt,
    };
  }

  /** Closes the socket; an iteration in progress ends. Idempotent. */
  async close(): Promise<void> {
    await this.#socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<PingReply> {
    if (this.#iterating) throw new Error('a ping session can be iterated once');
    this.#iterating = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<PingReply> {
    const { count, interval, timeout, size, ttl, id } = this.#checked;
    const signal = this.#options.signal;
    const socket = this.#socket;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let receiving: Promise<void> | undefined;
    try {
      if (signal?.aborted) return;
      const source = sourceAddressFor(socket.interface, this.destination, this.#options.source);
      if (this.#mac === undefined) {
        try {
          const resolved = await resolveMac(this.destination, {
            socket,
            source,
            timeout,
            signal: stop.signal,
          });
          this.#mac = resolved.mac;
        } catch (err) {
          if (stop.signal.aborted) return;
          throw err;
        }
      }
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i++) data[i] = (i + 0x10) & 0xff;
      const frameFor = (sequence: number) =>
        buildEthernet({
          dst: this.#mac as string,
          src: socket.interface.mac,
          ethertype: EtherType.IPv4,
          payload: buildIPv4({
            src: source,
            dst: this.destination,
            protocol: IpProtocol.ICMP,
            ttl,
            id: sequence & 0xffff,
            dontFragment: true,
            payload: buildIcmpv4Echo({ id, sequence: sequence & 0xffff, data }),
          }),
        });

      // Replies are collected by a reader running beside the sender; the generator yields them.
      const sentAt = new Map<number, number>();
      const answered = new Set<number>();
      const queue: PingReply[] = [];
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      let receiveError: unknown;
      receiving = (async () => {
        try {
          for await (const frame of socket) {
            const now = performance.now();
            const d = decodeFrame(frame.data, { lenient: true });
            const icmp = d.icmpv4;
            if (!d.ipv4 || !icmp?.echo || icmp.type !== Icmpv4Type.EchoReply) continue;
            if (!d.ipv4.checksumValid || !icmp.checksumValid) continue;
            if (icmp.echo.id !== id || d.ipv4.src !== this.destination || d.ipv4.dst !== source)
              continue;
            const sent = sentAt.get(icmp.echo.sequence);
            if (sent === undefined || !sameBytes(icmp.data, data)) continue;
            const duplicate = answered.has(icmp.echo.sequence);
            const rtt = now - sent;
            if (duplicate) this.#duplicates++;
            else {
              answered.add(icmp.echo.sequence);
              this.#rtts.push(rtt);
            }
            queue.push({
              from: d.ipv4.src,
              sequence: icmp.echo.sequence,
              bytes: icmp.data.length + 8,
              ttl: d.ipv4.ttl,
              rtt,
              duplicate,
            });
            notify();
          }
        } catch (err) {
          // Handed to the sending loop, which throws it.
          receiveError = err;
          notify();
        }
      })();

      this.#started = performance.now();
      let nextSend = this.#started;
      let lastSent = this.#started;
      let sequence = 0;
      for (;;) {
        while (queue.length > 0) yield queue.shift() as PingReply;
        if (receiveError !== undefined) throw receiveError;
        if (stop.signal.aborted || socket.closed) break;
        let now = performance.now();
        if (sequence < count && now >= nextSend) {
          sequence++;
          const seq = sequence & 0xffff;
          // Sequence numbers wrap at 65536: a stale entry for the same number is replaced.
          sentAt.set(seq, performance.now());
          answered.delete(seq);
          socket.send(frameFor(sequence));
          this.#transmitted++;
          lastSent = performance.now();
          now = lastSent;
          nextSend += interval;
        }
        // Always waits on a timer, even for 0 ms: an interval of 0 must not starve the loop.
        const allSent = sequence >= count;
        if (allSent && (answered.size >= this.#transmitted || now >= lastSent + timeout)) break;
        const until = allSent ? lastSent + timeout : nextSend;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(0, until - performance.now()));
          function done() {
            clearTimeout(timer);
            stop.signal.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          stop.signal.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
      }
      while (queue.length > 0) yield queue.shift() as PingReply;
    } finally {
      this.#ended = performance.now();
      signal?.removeEventListener('abort', onAbort);
      await socket.close();
      await receiving;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Pings `ip` on a directly connected link with frames built here: ARP first (unless `mac`),
 * then `count` ICMP echo requests `interval` ms apart. Needs CAP_NET_RAW.
 *
 * ```ts
 * const session = ping('198.18.1.2', { interface: 'eth0', count: 3 });
 * for await (const r of session) console.log(`${r.bytes} bytes from ${r.from}: icmp_seq=${r.sequence} time=${r.rtt.toFixed(3)} ms`);
 * console.log(session.summary());
 * ```
 */
export function ping(ip: string, options: PingOptions): PingSession {
  return new PingSession(ip, options);
}
