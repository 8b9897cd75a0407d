// AF_PACKET sockets: send and receive whole Ethernet frames on one interface. The addon watches
// the socket with uv_poll on this thread's loop and reads only while someone waits for a frame
// (or iterates), so an unread socket never piles frames up in JS: the kernel queues, then drops
// and counts (stats.dropped).
import { checkSignal, checkTimeout, makeWaitFor } from '@netkit/internal';
import { addon, type NativePacketSocket } from './addon.js';
import { type BpfInstruction, packFilter } from './bpf.js';
import { AbortedError, fromNative, SocketClosedError, TimeoutError } from './errors.js';
import { checkInterfaceName, checkNetns, type InterfaceInfo, interfaceInfo } from './interfaces.js';

export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing';

export interface ReceivedFrame {
  /**
   * The frame as on the wire, from the destination MAC on (no FCS). An 802.1Q tag the kernel
   * stripped (VLAN offload) is put back after the MAC addresses, as libpcap does; `vlan` has it too.
   */
  data: Uint8Array;
  /** Receive time, ns since the epoch (SO_TIMESTAMPNS). */
  timestamp: bigint;
  /** Length on the wire; more than data.length when snapLength truncated the frame. */
  originalLength: number;
  packetType: PacketType;
  /** The 802.1Q tag, from PACKET_AUXDATA. */
  vlan?: { id: number; priority: number; tpid: number };
  interfaceIndex: number;
  /**
   * True when the kernel left the frame's UDP/TCP checksum incomplete (PACKET_AUXDATA
   * TP_STATUS_CSUMNOTREADY): typically this host's outgoing frames with checksum offload
   * (CHECKSUM_PARTIAL), whose checksum field holds only the pseudo-header sum because the NIC
   * fills it in later. Such a checksum is not wrong on the wire: do not flag it. Absent otherwise.
   */
  checksumNotReady?: boolean;
}

export interface PacketSocketOptions {
  /** The interface, by name. */
  interface: string;
  /** A namespace under /var/run/netns: the socket is created inside it (this thread enters and leaves it). */
  netns?: string;
  /**
   * The EtherType to receive, or 'all' (ETH_P_ALL, the default). Sending is not limited by it. The
   * kernel shows this host's outgoing frames only to 'all' sockets: to see them for one EtherType,
   * use 'all' with `filter: filters.ethertype(type)`.
   */
  protocol?: 'all' | number;
  /** Receive frames for other hosts too (PACKET_MR_PROMISC membership, dropped on close). */
  promiscuous?: boolean;
  /** A classic BPF program (see `filters`); the kernel drops what it rejects. */
  filter?: readonly BpfInstruction[];
  /** Do not receive the frames this host sends (PACKET_IGNORE_OUTGOING). */
  ignoreOutgoing?: boolean;
  /** At most this many bytes of each frame are delivered (14 to 262144, default 65535). */
  snapLength?: number;
  /** Hand frames straight to the driver, skipping the qdisc (PACKET_QDISC_BYPASS): faster, no shaping. */
  qdiscBypass?: boolean;
}

export interface PacketSocketStats {
  /** Frames delivered to JS. */
  received: number;
  /** Frames the kernel dropped because nobody read them fast enough (PACKET_STATISTICS). */
  dropped: number;
  /** Frames sent. */
  sent: number;
}

export interface ReceiveOptions {
  signal?: AbortSignal;
  timeout?: number;
}

const waitFor = makeWaitFor({
  timeout: (message) => new TimeoutError(message),
  aborted: (message, reason) => new AbortedError(message, reason),
});

const ETH_P_ALL = 0x0003;
/** Frames held in JS for readers before reading pauses (the kernel queues the rest). */
const MAX_QUEUED_FRAMES = 4096;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

interface Waiter {
  resolve(frame: ReceivedFrame): void;
  reject(err: unknown): void;
}

function typeError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}

function rangeError(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

function checkBool(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw typeError(`${name} must be a boolean`);
}

/** A packet socket on one interface. Create it with openPacketSocket(). */
export class PacketSocket implements AsyncIterable<ReceivedFrame>, AsyncDisposable {
  /** The interface as it was when the socket opened. */
  readonly interface: InterfaceInfo;
  readonly #native: NativePacketSocket;
  readonly #queue: ReceivedFrame[] = [];
  #queuedBytes = 0;
  readonly #waiters = new Set<Waiter>();
  #iterators = 0;
  #reading = false;
  #received = 0;
  #failure: unknown;
  #closed = false;
  #lastStats = { kernelPackets: 0, kernelDrops: 0, sent: 0 };

  /** @internal use openPacketSocket() */
  constructor(options: PacketSocketOptions) {
    if (typeof options !== 'object' || options === null)
      throw typeError('options must be an object');
    const name = checkInterfaceName(options.interface);
    const netns = checkNetns(options.netns);
    let protocol = ETH_P_ALL;
    if (options.protocol !== undefined && options.protocol !== 'all') {
      if (typeof options.protocol !== 'number')
        throw typeError("protocol must be 'all' or an EtherType number");
      if (
        !Number.isInteger(options.protocol) ||
        options.protocol < 1 ||
        options.protocol > 0xffff
      ) {
        throw rangeError('protocol must be an EtherType from 1 to 0xffff');
      }
      protocol = options.protocol;
    }
    const snap = options.snapLength;
    if (
      snap !== undefined &&
      (typeof snap !== 'number' || !Number.isInteger(snap) || snap < 14 || snap > 262144)
    ) {
      throw rangeError('snapLength must be an integer from 14 to 262144');
    }
    const filter = options.filter === undefined ? undefined : packFilter(options.filter);
    const Native = addon().PacketSocket;
    try {
      this.#native = new Native(
        {
          interface: name,
          netns,
          protocol,
          promiscuous: checkBool('promiscuous', options.promiscuous),
          filter,
          ignoreOutgoing: checkBool('ignoreOutgoing', options.ignoreOutgoing),
          snapLength: snap,
          qdiscBypass: checkBool('qdiscBypass', options.qdiscBypass),
        },
        (frames, error) => this.#onFrames(frames, error),
      );
    } catch (err) {
      throw fromNative(err);
    }
    try {
      this.interface = interfaceInfo(name, netns === undefined ? {} : { netns });
    } catch (err) {
      this.#native.close();
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one frame (at least 14 bytes; padding to 60 is the caller's). EMSGSIZE above the MTU. */
  send(frame: Uint8Array): void {
    // The addon checks each frame (a Uint8Array, attached, at least 14 bytes) and throws the
    // TypeError/RangeError with its code, so frames are not checked here a second time.
    if (this.#closed) throw new SocketClosedError('send');
    try {
      this.#native.send(frame);
    } catch (err) {
      throw fromNative(err, 'send');
    }
  }

  /**
   * Sends every frame with as few system calls as possible (sendmmsg, 1024 per call). Returns how
   * many went out: fewer than given only when the socket's send buffer filled up (send the rest
   * later). Any other error throws, with `framesSent` saying how many went out before it.
   */
  sendBatch(frames: readonly Uint8Array[]): number {
    if (!Array.isArray(frames)) throw typeError('frames must be an array of Uint8Array');
    if (this.#closed) throw new SocketClosedError('sendBatch');
    try {
      return this.#native.sendBatch(frames);
    } catch (err) {
      throw fromNative(err, 'sendBatch');
    }
  }

  /** The next frame. Rejects with ERR_SOCKET_CLOSED on close, or with the timeout/abort errors. */
  receive(options: ReceiveOptions = {}): Promise<ReceivedFrame> {
    const signal = checkSignal('signal', options?.signal);
    const timeout =
      options?.timeout === undefined ? undefined : checkTimeout('timeout', options.timeout);
    return waitFor<ReceivedFrame>('receive', { signal, timeout }, (resolve, reject) => {
      const frame = this.#shift();
      if (frame) {
        resolve(frame);
        return () => {};
      }
      if (this.#closed) {
        reject(new SocketClosedError('receive'));
        return () => {};
      }
      if (this.#failure !== undefined) {
        const failure = this.#failure;
        this.#failure = undefined;
        reject(failure);
        return () => {};
      }
      const waiter: Waiter = { resolve, reject };
      this.#waiters.add(waiter);
      this.#updateReading();
      return () => {
        this.#waiters.delete(waiter);
        this.#updateReading();
      };
    });
  }

  /** Frames as they arrive; ends when the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedFrame> {
    let active = true;
    this.#iterators++;
    this.#updateReading();
    const finish = (): IteratorReturnResult<undefined> => {
      if (active) {
        active = false;
        this.#iterators--;
        this.#updateReading();
      }
      return { done: true, value: undefined };
    };
    return {
      next: async () => {
        if (!active) return { done: true, value: undefined };
        try {
          return { done: false, value: await this.receive() };
        } catch (err) {
          if (err instanceof SocketClosedError) return finish();
          finish();
          throw err;
        }
      },
      return: async () => finish(),
    };
  }

  /** Counters since open (still readable after close). */
  get stats(): PacketSocketStats {
    if (!this.#closed) this.#lastStats = this.#native.stats();
    return {
      received: this.#received,
      dropped: this.#lastStats.kernelDrops,
      sent: this.#lastStats.sent,
    };
  }

  /** Closes the socket; pending receives reject with ERR_SOCKET_CLOSED, iterators end. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#lastStats = this.#native.stats();
    this.#closed = true;
    this.#reading = false;
    this.#native.close();
    for (const w of this.#waiters) w.reject(new SocketClosedError('receive'));
    this.#waiters.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #shift(): ReceivedFrame | undefined {
    const frame = this.#queue.shift();
    if (frame) {
      this.#queuedBytes -= frame.data.length;
      this.#updateReading();
    }
    return frame;
  }

  #updateReading(): void {
    if (this.#closed) return;
    const want =
      (this.#waiters.size > 0 || this.#iterators > 0) &&
      this.#queue.length < MAX_QUEUED_FRAMES &&
      this.#queuedBytes < MAX_QUEUED_BYTES;
    if (want === this.#reading) return;
    this.#reading = want;
    if (want) this.#native.resume();
    else this.#native.pause();
  }

  #onFrames(flat: unknown[], error?: Error): void {
    for (let i = 0; i + 7 < flat.length; i += 8) {
      const tci = flat[i + 4] as number;
      const frame: ReceivedFrame = {
        data: flat[i] as Uint8Array,
        timestamp: flat[i + 1] as bigint,
        originalLength: flat[i + 2] as number,
        packetType: flat[i + 3] as PacketType,
        interfaceIndex: flat[i + 6] as number,
      };
      if (tci >= 0)
        frame.vlan = { id: tci & 0xfff, priority: tci >> 13, tpid: flat[i + 5] as number };
      if (flat[i + 7] === true) frame.checksumNotReady = true;
      this.#received++;
      const waiter = this.#waiters.values().next().value;
      if (waiter) {
        this.#waiters.delete(waiter);
        waiter.resolve(frame);
      } else {
        this.#queue.push(frame);
        this.#queuedBytes += frame.data.length;
      }
    }
    if (error) {
      // The addon stopped reading; hand the error to whoever waits, or to the next receive().
      this.#reading = false;
      const wrapped = fromNative(error, 'receive');
      if (this.#waiters.size === 0) this.#failure = wrapped;
      for (const w of this.#waiters) w.reject(wrapped);
      this.#waiters.clear();
    }
    this.#updateReading();
  }
}

/**
 * Opens a packet socket on an interface (needs CAP_NET_RAW). Synchronous; throws
 * RawFrameSystemError (EPERM with the setcap hint, ENODEV naming the interface, ENOENT for a
 * missing namespace) and TypeError/RangeError for bad options.
 */
export function openPacketSocket(options: PacketSocketOptions): PacketSocket {
  return new PacketSocket(options);
}
