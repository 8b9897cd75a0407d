import { isIP } from 'node:net';
import { checkInteger, checkSignal, toBuffer } from '@netkit/internal';
import type { Payload } from '@netkit/udp';
import { InterfaceRequiredError } from './errors.js';
import { checkGroup, ipv6GroupScope } from './group.js';
import { resolveInterface } from './interfaces.js';
import {
  type MembershipOptions,
  type MulticastDatagram,
  MulticastSocket,
  type MulticastSocketOptions,
} from './socket.js';

export interface JoinGroupOptions
  extends Omit<MulticastSocketOptions, 'interface'>,
    MembershipOptions {
  /** The group, or several groups (same family) on one socket. */
  group: string | string[];
  /** The group's port. */
  port: number;
  /**
   * Address to bind. Default: the group itself when there is one (so only its datagrams arrive
   * and each carries `group`), the wildcard ('0.0.0.0' or '::') for several groups.
   */
  host?: string;
}

/**
 * A socket joined to one or more groups and bound to their port: the seed's receiver. With one
 * group the socket binds to the group address, so datagrams sent to other groups on the same
 * port (which Linux delivers to every wildcard-bound socket, IP_MULTICAST_ALL) stay out.
 */
export async function joinGroup(options: JoinGroupOptions): Promise<MulticastSocket> {
  const { group, port, host, interface: iface, source, ...rest } = options;
  const groups = Array.isArray(group) ? group : [group];
  if (groups.length === 0) throw new TypeError('group must name at least one group');
  const families = new Set(groups.map((g) => checkGroup(g)));
  if (families.size > 1) throw new TypeError('group: IPv4 and IPv6 groups need a socket each');
  checkInteger('port', port, 0, 65_535);
  const family = [...families][0]!;
  if (host === undefined && groups.length === 1 && (iface === undefined || iface === 'all')) {
    // Bound to the bare group, the kernel answers a bare EINVAL (RFC 4007: which link's ff02::1?).
    const scope = ipv6GroupScope(groups[0]!);
    if (scope !== undefined && scope <= 2 && !groups[0]!.includes('%')) {
      throw new InterfaceRequiredError(groups[0]!, scope);
    }
  }
  const socket = new MulticastSocket({
    ...rest,
    type: family === 'IPv6' ? 'udp6' : 'udp4',
    ...(iface !== undefined && iface !== 'all' && { interface: iface }),
  });
  try {
    for (const g of groups) {
      socket.join(g, {
        ...(iface !== undefined && { interface: iface }),
        ...(source !== undefined && { source }),
      });
    }
    let bindHost = host;
    if (bindHost === undefined && groups.length === 1) {
      bindHost = groups[0]!;
      // Link-local and interface-local groups are ambiguous without the interface (RFC 4007).
      const scope = ipv6GroupScope(bindHost);
      if (scope !== undefined && scope <= 2 && iface !== undefined && iface !== 'all') {
        bindHost = `${bindHost}%${resolveInterface(iface, family).name}`;
      }
    }
    if (bindHost !== undefined && isIP(bindHost.split('%')[0] ?? '') === 0) {
      throw new TypeError(`host must be an IP address, got ${JSON.stringify(bindHost)}`);
    }
    await socket.bind(port, bindHost);
    return socket;
  } catch (err) {
    await socket.close();
    throw err;
  }
}

export interface AckReceiverOptions extends JoinGroupOptions {
  /** The answer to every datagram (default "ack", as in the seed); null to answer nothing. */
  ack?: Payload | null;
  /** Called with each datagram received. */
  onMessage?: (datagram: MulticastDatagram) => void;
}

export interface AckReceiverStats {
  received: number;
  acked: number;
  /** Acknowledgements the kernel's send queue refused. */
  dropped: number;
}

/** A group member that answers each datagram with an acknowledgement, sent back to its sender. */
export class AckReceiver implements AsyncDisposable {
  readonly socket: MulticastSocket;
  readonly #ack: Buffer | undefined;
  readonly #stats: AckReceiverStats = { received: 0, acked: 0, dropped: 0 };
  #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();

  constructor(
    socket: MulticastSocket,
    options: Pick<AckReceiverOptions, 'ack' | 'onMessage' | 'signal'>,
  ) {
    this.socket = socket;
    this.#ack = options.ack === null ? undefined : toBuffer(options.ack ?? 'ack', 'ack');
    const onMessage = options.onMessage;
    socket.setListener((d) => {
      this.#stats.received++;
      onMessage?.(d);
      if (!this.#ack || socket.closed) return;
      if (socket.udp?.trySend(this.#ack, d.port, d.address)) this.#stats.acked++;
      else this.#stats.dropped++;
    });
    const signal = checkSignal('signal', options.signal);
    if (signal && !signal.aborted) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get stats(): AckReceiverStats {
    return { ...this.#stats };
  }

  /** Leaves every group and closes the socket. */
  close(): Promise<void> {
    // Removed however the receiver closes: a long-lived signal must not collect one listener
    // per receiver ever made.
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    return this.socket.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Joins the group(s), binds, and answers every datagram with `ack`. */
export async function createAckReceiver(options: AckReceiverOptions): Promise<AckReceiver> {
  const { ack, onMessage, signal, ...join } = options;
  const socket = await joinGroup(join);
  const receiver = new AckReceiver(socket, {
    ...(ack !== undefined && { ack }),
    ...(onMessage && { onMessage }),
    ...(signal && { signal }),
  });
  if (signal?.aborted) await receiver.close();
  return receiver;
}
