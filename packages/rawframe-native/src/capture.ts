// Capture: frames from a packet socket, decoded and summarised, optionally written to a pcap file.
import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { type BpfInstruction, filters } from './bpf.js';
import { type DecodedFrame, decodeFrame } from './frames/decode.js';
import { FrameError } from './frames/errors.js';
import { summarizeFrame } from './frames/summary.js';
import {
  openPacketSocket,
  type PacketSocket,
  type PacketSocketStats,
  type ReceivedFrame,
} from './packet-socket.js';
import { PcapWriter } from './pcap.js';

/** What to keep: a protocol by name, an EtherType, or a BPF program of your own. */
export type CaptureFilter =
  | 'icmp'
  | 'arp'
  | 'udp'
  | { ethertype: number }
  | readonly BpfInstruction[];

export interface CaptureOptions {
  /** The interface to capture on (required). */
  interface: string;
  /** Open the socket inside this network namespace. */
  netns?: string;
  /** Stop after this many frames. */
  count?: number;
  filter?: CaptureFilter;
  /** Also see frames for other hosts (default false). */
  promiscuous?: boolean;
  /**
   * Leave out the frames this host sends (default false: both directions, as tcpdump). On a
   * loopback interface each frame is seen once either way, as in tcpdump: the kernel's outgoing
   * copy is left out, the incoming one kept.
   */
  ignoreOutgoing?: boolean;
  /** Bytes kept per frame (default 65535). */
  snapLength?: number;
  /** Write every frame to this pcap file (created or truncated). */
  write?: string;
  /** Stop after this many milliseconds. */
  timeout?: number;
  /** Stops the capture (the iteration ends normally, like Ctrl-C in tcpdump). */
  signal?: AbortSignal;
}

export interface CapturedFrame extends ReceivedFrame {
  /** Every layer netkit knows; an inner layer that did not parse is in `decoded.error`. */
  decoded: DecodedFrame | undefined;
  /** One line like tcpdump's. */
  summary: string;
}

/** Maps a CaptureFilter to a BPF program; TypeError for anything else. */
export function captureFilter(filter: CaptureFilter): readonly BpfInstruction[] {
  if (filter === 'icmp') return filters.icmp();
  if (filter === 'arp') return filters.arp();
  if (filter === 'udp') return filters.udp();
  if (Array.isArray(filter)) return filter;
  if (typeof filter === 'object' && filter !== null && 'ethertype' in filter) {
    return filters.ethertype(checkInteger('filter.ethertype', filter.ethertype, 0, 0xffff));
  }
  throw new TypeError(
    `filter must be 'icmp', 'arp', 'udp', { ethertype } or a BPF program, got ${String(filter)}`,
  );
}

/**
 * A running capture: iterate it for frames. The socket opens at once (EPERM and ENODEV throw from
 * capture()), so frames that arrive before the iteration starts are not lost.
 */
export class Capture implements AsyncIterable<CapturedFrame>, AsyncDisposable {
  readonly #socket: PacketSocket;
  readonly #options: CaptureOptions;
  readonly #count: number;
  readonly #timeout: number | undefined;
  #writer: Promise<PcapWriter> | undefined;
  #iterating = false;
  /** Frames handed out so far. */
  captured = 0;

  /** @internal use capture() */
  constructor(options: CaptureOptions) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('options must be an object');
    checkSignal('signal', options.signal);
    this.#count =
      options.count === undefined
        ? Number.POSITIVE_INFINITY
        : checkInteger('count', options.count, 1, Number.MAX_SAFE_INTEGER);
    this.#timeout =
      options.timeout === undefined ? undefined : checkTimeout('timeout', options.timeout);
    if (
      options.write !== undefined &&
      (typeof options.write !== 'string' || options.write === '')
    ) {
      throw new TypeError('write must be a file path');
    }
    const filter = options.filter === undefined ? undefined : captureFilter(options.filter);
    this.#options = options;
    this.#socket = openPacketSocket({
      interface: options.interface,
      ...(options.netns !== undefined && { netns: options.netns }),
      ...(filter !== undefined && { filter }),
      ...(options.promiscuous !== undefined && { promiscuous: options.promiscuous }),
      ...(options.ignoreOutgoing !== undefined && { ignoreOutgoing: options.ignoreOutgoing }),
      ...(options.snapLength !== undefined && { snapLength: options.snapLength }),
    });
  }

  /** The interface captured on (name, index, MAC, MTU, addresses). */
  get interface(): PacketSocket['interface'] {
    return this.#socket.interface;
  }

  /** Frames received and dropped by the kernel (nobody read fast enough). */
  get stats(): PacketSocketStats {
    return this.#socket.stats;
  }

  /** Stops the capture and closes the pcap file. Idempotent. */
  async close(): Promise<void> {
    await this.#socket.close();
    // A writer that failed to open already failed the iteration; nothing to close then.
    const writer = await this.#writer?.catch(() => undefined);
    await writer?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<CapturedFrame> {
    if (this.#iterating) throw new Error('a capture can be iterated once');
    this.#iterating = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<CapturedFrame> {
    const { signal, write } = this.#options;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.#timeout === undefined ? undefined : setTimeout(onAbort, this.#timeout);
    try {
      if (signal?.aborted) return;
      if (write !== undefined)
        this.#writer = PcapWriter.open(
          write,
          this.#options.snapLength === undefined ? {} : { snapLength: this.#options.snapLength },
        );
      const writer = this.#writer === undefined ? undefined : await this.#writer;
      const loopback = this.#socket.interface.loopback;
      while (this.captured < this.#count) {
        let frame: ReceivedFrame;
        try {
          frame = await this.#socket.receive({ signal: stop.signal });
        } catch (err) {
          if (stop.signal.aborted || this.#socket.closed) break;
          throw err;
        }
        // On loopback the kernel shows every frame twice, going out and coming back in; libpcap
        // (tcpdump, tshark) drops the outgoing copy, and so does this.
        if (loopback && frame.packetType === 'outgoing') continue;
        let decoded: DecodedFrame | undefined;
        try {
          decoded = decodeFrame(frame.data, { lenient: true });
        } catch (err) {
          if (!(err instanceof FrameError)) throw err;
        }
        const how = frame.checksumNotReady ? { checksumNotReady: true } : {};
        const summary = summarizeFrame(decoded ?? frame.data, how);
        if (writer) await writer.write(frame.data, frame);
        this.captured++;
        yield { ...frame, decoded, summary };
      }
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      await this.close();
    }
  }
}

/**
 * Captures frames on an interface (needs CAP_NET_RAW), decoded and summarised like tcpdump,
 * optionally written to a pcap file that tshark and tcpdump read.
 *
 * ```ts
 * for await (const f of capture({ interface: 'eth0', filter: 'icmp', count: 4, write: 'ping.pcap' })) {
 *   console.log(f.summary);
 * }
 * ```
 */
export function capture(options: CaptureOptions): Capture {
  return new Capture(options);
}
