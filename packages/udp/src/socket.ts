import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { checkInteger, checkSignal, toBuffer } from '@netkit/internal';
import {
  type Endpoint,
  type Family,
  familyOf,
  formatEndpoint,
  resolveHost,
  type SocketType,
  socketTypeOf,
} from './address.js';
import {
  MessageTooLargeError,
  ReusePortUnsupportedError,
  SendQueueFullError,
  SocketClosedError,
  systemError,
  UdpError,
} from './errors.js';
import { Fifo } from './fifo.js';
import { maxPayload } from './limits.js';
import type { Payload } from './payload.js';
import { type WaitOptions, waitFor } from './wait.js';

export interface UdpSocketOptions {
  /** 'udp4' or 'udp6'. When omitted, taken from the first address used (bind, connect or send). */
  type?: SocketType;
  /** SO_REUSEADDR: several sockets may bind the same address and port. */
  reuseAddr?: boolean;
  /** SO_REUSEPORT: the kernel spreads datagrams over sockets bound to one port (Node.js >= 22.12). */
  reusePort?: boolean;
  /** IPV6_V6ONLY on a udp6 socket bound to '::'. */
  ipv6Only?: boolean;
  /** SO_BROADCAST: allow sending to broadcast addresses. */
  broadcast?: boolean;
  /** IP_TTL / IPV6_UNICAST_HOPS for unicast datagrams, 1 to 255. */
  ttl?: number;
  /** SO_RCVBUF in bytes. */
  recvBufferSize?: number;
  /** SO_SNDBUF in bytes. */
  sendBufferSize?: number;
  /**
   * Largest datagram delivered whole, in bytes (default 65535). A larger one is delivered cut to
   * this size with `truncated: true` and its real `size`, and counted; never cut silently.
   */
  maxDatagramSize?: number;
  /** Datagrams held while nobody is receiving (default 4096); beyond it they are dropped and counted. */
  receiveQueue?: number;
  /** Sends handed to the kernel whose completion is still pending (default 64). */
  maxInFlight?: number;
  /** Sends waiting for a free slot (default 4096); beyond it send() rejects with ERR_UDP_SEND_QUEUE_FULL. */
  maxQueuedSends?: number;
  /** Closes the socket when it fires. */
  signal?: AbortSignal;
}

/** One received datagram. */
export interface Datagram {
  /** The payload (a Buffer, which is a Uint8Array). */
  data: Buffer;
  /** The sender's address. */
  address: string;
  /** The sender's port. */
  port: number;
  family: Family;
  /** Bytes the datagram carried on the wire; larger than data.length when truncated. */
  size: number;
  /** True when the datagram was larger than maxDatagramSize and `data` holds only its start. */
  truncated: boolean;
}

export interface UdpSocketStats {
  /** Datagrams received. */
  received: number;
  /** Datagrams the kernel accepted for sending. */
  sent: number;
  /** Datagrams dropped because the receive queue was full. */
  dropped: number;
  /** Datagrams delivered truncated. */
  truncated: number;
  /** Sends that failed. */
  sendErrors: number;
  /** trySend() calls refused because the send queue was full. */
  sendsRefused: number;
}

export interface BindOptions {
  port?: number;
  /** Address to bind; every interface ('0.0.0.0' or '::') when omitted. */
  host?: string;
}

type Waiter = { resolve: (d: Datagram) => void; reject: (err: unknown) => void };
type PendingOption = { what: string; apply: (s: dgram.Socket) => void };

/**
 * Sends started per event-loop turn before send() yields to let I/O run. libuv reads at most 32
 * datagrams per poll, so a sender in the same process as its receiver keeps pace at this rate.
 */
const SENDS_PER_TURN = 32;

const [NODE_MAJOR = 0, NODE_MINOR = 0] = process.versions.node.split('.').map(Number);
/** node:dgram gained `reusePort` in 22.12 and 23.1. */
export const supportsReusePort = NODE_MAJOR > 22 || (NODE_MAJOR === 22 && NODE_MINOR >= 12);

/**
 * A UDP socket with promises and async iteration, on top of node:dgram.
 *
 * Options that node:dgram only accepts after bind (broadcast, TTL, buffer sizes, memberships) are
 * remembered and applied in order right after the bind, so they can be set at any time.
 */
export class UdpSocket implements AsyncIterable<Datagram>, AsyncDisposable {
  readonly #options: UdpSocketOptions;
  readonly #maxDatagramSize: number;
  readonly #receiveQueueLimit: number;
  readonly #maxInFlight: number;
  readonly #maxQueuedSends: number;
  #type: SocketType | undefined;
  #socket: dgram.Socket | undefined;
  #bound = false;
  #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => void this.close();
  #binding: Promise<AddressInfo> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #pendingOptions: PendingOption[] = [];
  #queue = new Fifo<Datagram>();
  #waiters = new Fifo<Waiter>();
  #pendingError: Error | undefined;
  #listener: ((d: Datagram) => void) | undefined;
  #inFlight = 0;
  #sendWaiters = new Fifo<() => void>();
  #sendsThisTurn = 0;
  /** Fails each send() still waiting for node:dgram's callback (used when the socket closes). */
  readonly #unsettledSends = new Set<(err: Error) => void>();
  #stats: UdpSocketStats = {
    received: 0,
    sent: 0,
    dropped: 0,
    truncated: 0,
    sendErrors: 0,
    sendsRefused: 0,
  };

  constructor(options: UdpSocketOptions = {}) {
    if (options.type !== undefined && options.type !== 'udp4' && options.type !== 'udp6') {
      throw new TypeError(`type must be 'udp4' or 'udp6', got ${String(options.type)}`);
    }
    if (options.reusePort && !supportsReusePort) throw new ReusePortUnsupportedError();
    this.#options = options;
    this.#type = options.type;
    this.#maxDatagramSize = checkInteger(
      'maxDatagramSize',
      options.maxDatagramSize ?? 65_535,
      1,
      65_535,
    );
    this.#receiveQueueLimit = checkInteger(
      'receiveQueue',
      options.receiveQueue ?? 4096,
      0,
      2 ** 24,
    );
    this.#maxInFlight = checkInteger('maxInFlight', options.maxInFlight ?? 64, 1, 65_536);
    this.#maxQueuedSends = checkInteger(
      'maxQueuedSends',
      options.maxQueuedSends ?? 4096,
      0,
      2 ** 24,
    );
    for (const name of ['recvBufferSize', 'sendBufferSize'] as const) {
      if (options[name] !== undefined) checkInteger(name, options[name], 1, 2 ** 31 - 1);
    }
    if (options.broadcast !== undefined) this.setBroadcast(options.broadcast);
    if (options.ttl !== undefined) this.setTTL(options.ttl);
    const signal = checkSignal('signal', options.signal);
    if (signal) {
      if (signal.aborted) this.#closed = true;
      else {
        // Removed by close(): one long-lived signal shared by many sockets must not pile up listeners.
        this.#signal = signal;
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  /** 'udp4' or 'udp6' once known. */
  get type(): SocketType | undefined {
    return this.#type;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Counters since the socket was created (a copy). */
  get stats(): UdpSocketStats {
    return { ...this.#stats };
  }

  /** Sends handed to the kernel and not completed yet. */
  get sendsInFlight(): number {
    return this.#inFlight;
  }

  /** Sends waiting for a free slot: a growing number means the caller sends faster than the kernel takes. */
  get sendsQueued(): number {
    return this.#sendWaiters.length;
  }

  /** The underlying node:dgram socket once bound (for options netkit does not wrap). */
  get nodeSocket(): dgram.Socket | undefined {
    return this.#socket;
  }

  /** The bound address, or undefined before bind. */
  address(): AddressInfo | undefined {
    return this.#bound ? this.#socket?.address() : undefined;
  }

  /** The connected peer, or undefined. */
  remoteAddress(): AddressInfo | undefined {
    try {
      return this.#socket?.remoteAddress();
    } catch {
      return undefined;
    }
  }

  /** Binds to a port (0: any free one) and address. Resolves with the bound address. */
  bind(portOrOptions: number | BindOptions = {}, host?: string): Promise<AddressInfo> {
    const opts = typeof portOrOptions === 'number' ? { port: portOrOptions, host } : portOrOptions;
    if (this.#closed) return Promise.reject(new SocketClosedError('bind'));
    if (this.#binding) {
      return Promise.reject(
        new UdpError(
          'ERR_UDP_ALREADY_BOUND',
          'bind: the socket is already bound (bind once, before sending)',
        ),
      );
    }
    const port = checkInteger('port', opts.port ?? 0, 0, 65_535);
    this.#binding = this.#bind(port, opts.host);
    return this.#binding;
  }

  async #bind(port: number, host: string | undefined): Promise<AddressInfo> {
    let address = host;
    if (host !== undefined) {
      const resolved = await resolveHost(host, this.#type);
      address = resolved.address;
      this.#type ??= socketTypeOf(resolved.family);
    }
    this.#type ??= 'udp4';
    const type = this.#type;
    if (address !== undefined && familyOf(type) !== (isIP(address) === 6 ? 'IPv6' : 'IPv4')) {
      throw systemError({ code: 'EAFNOSUPPORT' }, `binding ${type} socket to ${address}`);
    }
    if (this.#closed) throw new SocketClosedError('bind');
    const o = this.#options;
    const socket = dgram.createSocket({
      type,
      reuseAddr: o.reuseAddr ?? false,
      ipv6Only: o.ipv6Only ?? false,
      ...(o.recvBufferSize !== undefined && { recvBufferSize: o.recvBufferSize }),
      ...(o.sendBufferSize !== undefined && { sendBufferSize: o.sendBufferSize }),
      ...(o.reusePort && { reusePort: true }),
    });
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    socket.on('error', (err) => this.#onError(err));
    const where = formatEndpoint(address ?? (type === 'udp6' ? '::' : '0.0.0.0'), port);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(systemError(err, `binding ${where}`));
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        resolve();
      });
    }).catch((err) => {
      this.#closeSocket();
      throw err;
    });
    this.#bound = true;
    try {
      for (const option of this.#pendingOptions) this.#applyNow(option);
    } catch (err) {
      this.#closeSocket();
      throw err;
    } finally {
      this.#pendingOptions = [];
    }
    if (this.#closed) {
      this.#closeSocket();
      throw new SocketClosedError('bind');
    }
    return socket.address();
  }

  /** Binds implicitly (any address, free port) when a send or connect comes first. */
  async #ensureBound(host?: string): Promise<dgram.Socket> {
    if (this.#closed) throw new SocketClosedError('send');
    if (!this.#binding) {
      if (this.#type === undefined && host !== undefined) {
        this.#type = socketTypeOf((await resolveHost(host)).family);
      }
      if (!this.#binding) this.#binding = this.#bind(0, undefined);
    }
    await this.#binding;
    if (this.#closed || !this.#socket) throw new SocketClosedError('send');
    return this.#socket;
  }

  /** Connects to one peer: sends need no address, and only that peer's datagrams arrive. */
  async connect(port: number, host = 'localhost'): Promise<void> {
    checkInteger('port', port, 1, 65_535);
    const resolved = await resolveHost(host, this.#type);
    const socket = await this.#ensureBound(resolved.address);
    const where = formatEndpoint(resolved.address, port);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(systemError(err, `connecting to ${where}`));
      socket.once('error', onError);
      socket.connect(port, resolved.address, () => {
        socket.off('error', onError);
        resolve();
      });
    });
  }

  /** Forgets the connected peer. */
  disconnect(): void {
    this.#socket?.disconnect();
  }

  /**
   * Sends one datagram and resolves with the bytes sent once the kernel took it. Without a target
   * the socket must be connected. Waits for a free slot when maxInFlight sends are pending, and
   * yields to the event loop during long bursts so receives and timers keep running.
   */
  async send(data: Payload, target?: Endpoint): Promise<number> {
    const buf = toBuffer(data, 'data');
    if (target) checkInteger('port', target.port, 1, 65_535);
    const host = target ? (target.host ?? 'localhost') : undefined;
    const socket = this.#socket && this.#bound ? this.#socket : await this.#ensureBound(host);
    this.#checkSize(buf.byteLength);
    if (this.#inFlight >= this.#maxInFlight || this.#sendsThisTurn >= SENDS_PER_TURN) {
      await this.#waitForSlot();
    } else {
      this.#takeSlot();
    }
    return new Promise<number>((resolve, reject) => {
      const fail = (err: Error) => done(err, 0);
      this.#unsettledSends.add(fail);
      const done = (err: Error | null, bytes: number) => {
        if (!this.#unsettledSends.delete(fail)) return;
        this.#releaseSlot();
        if (err) {
          this.#stats.sendErrors++;
          const where = target ? formatEndpoint(host ?? '', target.port) : 'the connected peer';
          reject(systemError(err, `sending ${buf.byteLength} bytes to ${where}`));
        } else {
          this.#stats.sent++;
          resolve(bytes);
        }
      };
      try {
        if (target) socket.send(buf, target.port, host, done);
        else socket.send(buf, done);
      } catch (err) {
        done(err as Error, 0);
      }
    });
  }

  /**
   * Sends without waiting, for servers answering at line rate: returns false (and counts it) when
   * the socket is not bound yet or the kernel's send queue already holds maxQueuedSends datagrams.
   * Errors are counted in stats.sendErrors.
   */
  trySend(data: Payload, port: number, address: string): boolean {
    const socket = this.#socket;
    if (this.#closed || !socket || !this.#bound) throw new SocketClosedError('trySend');
    const buf = toBuffer(data, 'data');
    this.#checkSize(buf.byteLength);
    if (socket.getSendQueueCount() >= this.#maxQueuedSends) {
      this.#stats.sendsRefused++;
      return false;
    }
    socket.send(buf, port, address);
    this.#stats.sent++;
    return true;
  }

  #checkSize(size: number): void {
    const family = familyOf(this.#type ?? 'udp4');
    const limit = maxPayload(family);
    if (size > limit) throw new MessageTooLargeError(size, limit, family);
  }

  #takeSlot(): void {
    this.#inFlight++;
    // Awaited sends resolve in microtasks, which run before the event loop polls I/O again; count
    // the sends of this turn and let the next turn reset it, so floods cannot starve the loop.
    if (this.#sendsThisTurn++ === 0) setImmediate(() => this.#newTurn());
  }

  #newTurn(): void {
    this.#sendsThisTurn = 0;
    if (this.#closed) return; // close() rejects the waiters
    while (this.#sendWaiters.length > 0 && this.#inFlight < this.#maxInFlight) {
      if (this.#sendsThisTurn >= SENDS_PER_TURN) break;
      this.#takeSlot();
      this.#sendWaiters.shift()?.();
    }
  }

  #waitForSlot(): Promise<void> {
    if (this.#closed) return Promise.reject(new SocketClosedError('send'));
    if (this.#sendWaiters.length >= this.#maxQueuedSends) {
      this.#stats.sendsRefused++;
      return Promise.reject(new SendQueueFullError(this.#maxQueuedSends));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = () => (this.#closed ? reject(new SocketClosedError('send')) : resolve());
      this.#sendWaiters.push(waiter);
    });
  }

  #releaseSlot(): void {
    this.#inFlight--;
    if (!this.#closed && this.#sendWaiters.length > 0 && this.#sendsThisTurn < SENDS_PER_TURN) {
      this.#takeSlot();
      this.#sendWaiters.shift()?.();
    }
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.#stats.received++;
    let data = msg;
    let truncated = false;
    if (msg.length > this.#maxDatagramSize) {
      data = msg.subarray(0, this.#maxDatagramSize);
      truncated = true;
      this.#stats.truncated++;
    }
    const datagram: Datagram = {
      data,
      address: rinfo.address,
      port: rinfo.port,
      family: rinfo.family as Family,
      size: rinfo.size,
      truncated,
    };
    const waiter = this.#listener ? undefined : this.#waiters.shift();
    if (this.#listener) this.#listener(datagram);
    else if (waiter) waiter.resolve(datagram);
    else if (this.#queue.length < this.#receiveQueueLimit) this.#queue.push(datagram);
    else this.#stats.dropped++;
  }

  #onError(err: Error): void {
    // Sends without a callback (trySend) report failures here; they concern no receiver.
    if ((err as NodeJS.ErrnoException).syscall === 'send') {
      this.#stats.sendErrors++;
      return;
    }
    const wrapped = systemError(err, 'receiving');
    const waiter = this.#waiters.shift();
    if (waiter) waiter.reject(wrapped);
    else this.#pendingError = wrapped;
  }

  /**
   * Routes every datagram to `listener` instead of the receive queue (for servers: no promise
   * per datagram). Pass undefined to go back to receive() and iteration.
   */
  setListener(listener: ((d: Datagram) => void) | undefined): void {
    this.#listener = listener;
    if (listener) for (const d of this.#queue.drain()) listener(d);
  }

  /** Resolves with the next datagram; rejects on timeout, abort, close or a socket error. */
  receive(options: WaitOptions = {}): Promise<Datagram> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#pendingError) {
      const err = this.#pendingError;
      this.#pendingError = undefined;
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(new SocketClosedError('receive'));
    return waitFor<Datagram>('receive', options, (resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      this.#waiters.push(waiter);
      return () => this.#waiters.remove(waiter);
    });
  }

  /** Iterates over received datagrams until the socket closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<Datagram> {
    while (true) {
      try {
        yield await this.receive();
      } catch (err) {
        if (err instanceof SocketClosedError) return;
        throw err;
      }
    }
  }

  setBroadcast(on: boolean): void {
    this.#apply(`setting broadcast ${on ? 'on' : 'off'}`, (s) => s.setBroadcast(on));
  }

  setTTL(ttl: number): void {
    checkInteger('ttl', ttl, 1, 255);
    this.#apply(`setting TTL ${ttl}`, (s) => s.setTTL(ttl));
  }

  setRecvBufferSize(bytes: number): void {
    checkInteger('recvBufferSize', bytes, 1, 2 ** 31 - 1);
    this.#apply(`setting the receive buffer to ${bytes} bytes`, (s) => s.setRecvBufferSize(bytes));
  }

  setSendBufferSize(bytes: number): void {
    checkInteger('sendBufferSize', bytes, 1, 2 ** 31 - 1);
    this.#apply(`setting the send buffer to ${bytes} bytes`, (s) => s.setSendBufferSize(bytes));
  }

  /** Kernel buffer sizes once bound (Linux reports twice the size asked for). */
  bufferSizes(): { recv: number; send: number } | undefined {
    const s = this.#socket;
    return s && this.#bound
      ? { recv: s.getRecvBufferSize(), send: s.getSendBufferSize() }
      : undefined;
  }

  setMulticastTTL(ttl: number): void {
    checkInteger('multicastTTL', ttl, 0, 255);
    this.#apply(`setting multicast TTL ${ttl}`, (s) => s.setMulticastTTL(ttl));
  }

  setMulticastLoopback(on: boolean): void {
    this.#apply(`setting multicast loopback ${on ? 'on' : 'off'}`, (s) =>
      s.setMulticastLoopback(on),
    );
  }

  /** The outgoing interface for multicast: an IPv4 address, or '::%eth0' style for IPv6. */
  setMulticastInterface(iface: string): void {
    this.#apply(`setting the multicast interface to ${iface}`, (s) =>
      s.setMulticastInterface(iface),
    );
  }

  addMembership(group: string, iface?: string): void {
    checkGroup(group);
    this.#apply(`joining ${group}${iface ? ` on ${iface}` : ''}`, (s) =>
      s.addMembership(group, iface),
    );
  }

  dropMembership(group: string, iface?: string): void {
    checkGroup(group);
    this.#apply(`leaving ${group}${iface ? ` on ${iface}` : ''}`, (s) =>
      s.dropMembership(group, iface),
    );
  }

  addSourceSpecificMembership(source: string, group: string, iface?: string): void {
    checkGroup(group);
    this.#apply(`joining ${group} for source ${source}`, (s) =>
      s.addSourceSpecificMembership(source, group, iface),
    );
  }

  dropSourceSpecificMembership(source: string, group: string, iface?: string): void {
    checkGroup(group);
    this.#apply(`leaving ${group} for source ${source}`, (s) =>
      s.dropSourceSpecificMembership(source, group, iface),
    );
  }

  ref(): this {
    this.#apply('ref', (s) => s.ref());
    return this;
  }

  unref(): this {
    this.#apply('unref', (s) => s.unref());
    return this;
  }

  /** Before bind, remember the option for the bind; after it, apply at once. */
  #apply(what: string, apply: (s: dgram.Socket) => void): void {
    if (this.#closed) throw new SocketClosedError(what);
    const option = { what, apply };
    if (this.#socket && this.#bound) this.#applyNow(option);
    else this.#pendingOptions.push(option);
  }

  #applyNow(option: PendingOption): void {
    try {
      option.apply(this.#socket!);
    } catch (err) {
      throw systemError(err, option.what);
    }
  }

  /** Closes the socket: pending receives reject with ERR_UDP_SOCKET_CLOSED and iterators end. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    this.#closing = (async () => {
      if (this.#binding) await this.#binding.catch(() => undefined);
      // node:dgram hands a datagram to the kernel a tick after send() (after its address lookup)
      // and drops it silently if the socket closed meanwhile: let the sends already made go out.
      if (this.#socket) await new Promise((resolve) => setImmediate(resolve));
      await this.#closeSocket();
      // Settled last, right before close() resolves, so a caller who awaits close() and then
      // the pending call observes the rejection in time (no unhandled-rejection warning).
      for (const waiter of this.#waiters.drain()) waiter.reject(new SocketClosedError('receive'));
      for (const waiter of this.#sendWaiters.drain()) waiter();
      for (const fail of [...this.#unsettledSends]) fail(new SocketClosedError('send'));
    })();
    return this.#closing;
  }

  #closeSocket(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#bound = false;
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // already closed by node:dgram
      }
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function checkGroup(group: string): void {
  if (!isIP(group))
    throw new TypeError(`group must be an IP address, got ${JSON.stringify(group)}`);
}

/** Creates a UDP socket; bind it, or just send (which binds to a free port). */
export function createSocket(options: UdpSocketOptions = {}): UdpSocket {
  return new UdpSocket(options);
}
