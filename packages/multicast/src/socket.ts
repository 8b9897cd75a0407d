import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { checkInteger, checkSignal } from '@netkit/internal';
import {
  type Datagram,
  type Payload,
  SocketClosedError,
  UdpSocket,
  type UdpSocketStats,
  type WaitOptions,
} from '@netkit/udp';
import { InterfaceRequiredError, MulticastError, NoInterfaceAddressError } from './errors.js';
import {
  checkGroup,
  checkSource,
  type GroupFamily,
  ipv6GroupScope,
  isMulticastAddress,
} from './group.js';
import { multicastInterfaces, resolveInterface } from './interfaces.js';

export interface MulticastSocketOptions {
  /** 'udp4' or 'udp6'; when omitted, taken from the first group joined or sent to. */
  type?: 'udp4' | 'udp6';
  /** SO_REUSEADDR, so several receivers on this host share the group's port (default true). */
  reuseAddr?: boolean;
  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS for sent datagrams, 0 to 255 (the kernel's default is 1). */
  ttl?: number;
  /** IP_MULTICAST_LOOP: whether this host's own receivers get what it sends (the kernel's default is on). */
  loopback?: boolean;
  /** The outgoing interface, by name ('eth0') or address; the routing table picks one by default. */
  interface?: string;
  /** SO_RCVBUF in bytes. */
  recvBufferSize?: number;
  /** Largest datagram delivered whole (default 65535); longer ones arrive marked truncated. */
  maxDatagramSize?: number;
  /** Datagrams held while nobody is receiving (default 4096); beyond it they are dropped and counted. */
  receiveQueue?: number;
  /** Closes the socket when it fires. */
  signal?: AbortSignal;
}

export interface MembershipOptions {
  /**
   * Where to join: an interface name ('eth0'), one of its addresses, or 'all' for every interface
   * with the MULTICAST flag. Default: the interface the routing table picks for the group.
   */
  interface?: string;
  /** Join source-specifically (IGMPv3/MLDv2): only this sender's datagrams arrive. */
  source?: string;
}

export interface Membership {
  group: string;
  /** The interface name, or undefined when the kernel picked it. */
  interface: string | undefined;
  source: string | undefined;
}

/** A received datagram, with the group it was sent to when the socket can tell. */
export interface MulticastDatagram extends Datagram {
  /**
   * The group, known when the socket is bound to a group address (joinGroup does that). A socket
   * bound to a wildcard address cannot tell: node:dgram does not expose IP_PKTINFO.
   */
  group: string | undefined;
}

export interface MulticastTarget {
  group: string;
  port: number;
}

type Joined = Membership & { key: string; iface: string | undefined };

/**
 * A UDP socket for multicast, on top of @netkit/udp's socket: join and leave groups (any-source
 * or source-specific), set TTL, loopback and the outgoing interface in any order, before or after
 * bind. Nothing here binds a socket implicitly except a send, which binds a free port like UDP does.
 */
export class MulticastSocket implements AsyncIterable<MulticastDatagram>, AsyncDisposable {
  readonly #options: MulticastSocketOptions;
  #udp: UdpSocket | undefined;
  #family: GroupFamily | undefined;
  #joined = new Map<string, Joined>();
  #boundGroup: string | undefined;
  #closedEarly = false;
  /** bind() or a send asked for a local port: only then can anything arrive. */
  #bindAsked = false;
  #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();

  constructor(options: MulticastSocketOptions = {}) {
    if (options.type !== undefined && options.type !== 'udp4' && options.type !== 'udp6') {
      throw new TypeError(`type must be 'udp4' or 'udp6', got ${String(options.type)}`);
    }
    if (options.ttl !== undefined) checkInteger('ttl', options.ttl, 0, 255);
    if (options.loopback !== undefined && typeof options.loopback !== 'boolean') {
      throw new TypeError(`loopback must be a boolean, got ${String(options.loopback)}`);
    }
    if (options.interface !== undefined && typeof options.interface !== 'string') {
      throw new TypeError(
        `interface must be a name or an address, got ${String(options.interface)}`,
      );
    }
    const signal = checkSignal('signal', options.signal);
    this.#options = { ...options };
    if (options.type) this.#ensure(options.type === 'udp6' ? 'IPv6' : 'IPv4');
    if (signal?.aborted) this.#closedEarly = true;
    else if (signal) {
      // Removed by close(): a long-lived signal shared by many sockets must not collect listeners.
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** 'IPv4' or 'IPv6' once known (from `type`, a group, or bind). */
  get family(): GroupFamily | undefined {
    return this.#family;
  }

  /** The @netkit/udp socket underneath, once the family is known (for unicast replies and stats). */
  get udp(): UdpSocket | undefined {
    return this.#udp;
  }

  get closed(): boolean {
    return this.#closedEarly || (this.#udp?.closed ?? false);
  }

  get stats(): UdpSocketStats | undefined {
    return this.#udp?.stats;
  }

  /** The groups joined, one entry per interface. */
  memberships(): Membership[] {
    return [...this.#joined.values()].map(({ group, interface: i, source }) => ({
      group,
      interface: i,
      source,
    }));
  }

  /** The bound address, or undefined before bind. */
  address(): AddressInfo | undefined {
    return this.#udp?.address();
  }

  /** The socket of `family`, made (and given the options so far) the first time it is needed. */
  #ensure(family: GroupFamily): UdpSocket {
    if (this.#closedEarly) throw new SocketClosedError('multicast');
    if (this.#family !== undefined && this.#family !== family) {
      throw new TypeError(
        `this socket is ${this.#family}; an ${family} group needs a socket of its own`,
      );
    }
    if (this.#udp) return this.#udp;
    const o = this.#options;
    // Resolved before the socket exists: a bad interface must fail every send, never leave a
    // socket behind that sends through the routed interface instead.
    const iface = o.interface === undefined ? undefined : resolveInterface(o.interface, family);
    this.#family = family;
    const udp = new UdpSocket({
      type: family === 'IPv6' ? 'udp6' : 'udp4',
      reuseAddr: o.reuseAddr ?? true,
      ...(o.recvBufferSize !== undefined && { recvBufferSize: o.recvBufferSize }),
      ...(o.maxDatagramSize !== undefined && { maxDatagramSize: o.maxDatagramSize }),
      ...(o.receiveQueue !== undefined && { receiveQueue: o.receiveQueue }),
    });
    this.#udp = udp;
    // Queued by UdpSocket until bind: node:dgram would bind a random port, or fail with EBADF.
    if (o.ttl !== undefined) udp.setMulticastTTL(o.ttl);
    if (o.loopback !== undefined) udp.setMulticastLoopback(o.loopback);
    if (iface !== undefined) udp.setMulticastInterface(iface.address);
    return udp;
  }

  /** TTL (IPv4) or hop limit (IPv6) of sent datagrams, 0 to 255; 1 keeps them on the local link. */
  setTTL(ttl: number): void {
    checkInteger('ttl', ttl, 0, 255);
    this.#options.ttl = ttl;
    this.#udp?.setMulticastTTL(ttl);
  }

  /** Whether receivers on this host get this socket's datagrams. */
  setLoopback(on: boolean): void {
    if (typeof on !== 'boolean')
      throw new TypeError(`loopback must be a boolean, got ${String(on)}`);
    this.#options.loopback = on;
    this.#udp?.setMulticastLoopback(on);
  }

  /** The outgoing interface, by name or address (checked now when the family is known). */
  setInterface(iface: string): void {
    if (this.#family)
      this.#udp?.setMulticastInterface(resolveInterface(iface, this.#family).address);
    this.#options.interface = iface;
  }

  /** Binds to the group's port; `host` a group address (then datagrams carry their group) or a wildcard. */
  async bind(port: number, host?: string): Promise<AddressInfo> {
    checkInteger('port', port, 0, 65_535);
    const bare = host?.split('%')[0] ?? '';
    const version = host === undefined ? 0 : isIP(bare);
    if (host !== undefined && version === 0) {
      throw new TypeError(
        `host must be an IP address (a group or a wildcard), got ${JSON.stringify(host)}`,
      );
    }
    const udp = this.#ensure(
      version === 6 ? 'IPv6' : version === 4 ? 'IPv4' : (this.#family ?? 'IPv4'),
    );
    this.#bindAsked = true;
    const bound = await udp.bind({
      port,
      host: host ?? (this.#family === 'IPv6' ? '::' : '0.0.0.0'),
    });
    if (host !== undefined && isMulticastAddress(host)) this.#boundGroup = bare;
    return bound;
  }

  /** Joins `group` (any-source, or from `source` only), on one interface, the routed one, or 'all'. */
  join(group: string, options: MembershipOptions = {}): void {
    for (const m of this.#plan(group, options)) {
      if (this.#joined.has(m.key)) continue;
      const udp = this.#udp!;
      if (m.source) udp.addSourceSpecificMembership(m.source, m.group, m.iface);
      else udp.addMembership(m.group, m.iface);
      this.#joined.set(m.key, m);
    }
  }

  /** Leaves what join() joined with the same arguments (a source-specific join: that source only). */
  leave(group: string, options: MembershipOptions = {}): void {
    const planned = this.#plan(group, options);
    const missing = planned.find((m) => !this.#joined.has(m.key));
    if (missing) {
      throw new MulticastError(
        'ERR_MCAST_NOT_JOINED',
        `leaving ${describe(missing)}: not joined (call leave() with the group, interface and source given to join())`,
      );
    }
    for (const m of planned) {
      const udp = this.#udp!;
      if (m.source) udp.dropSourceSpecificMembership(m.source, m.group, m.iface);
      else udp.dropMembership(m.group, m.iface);
      this.#joined.delete(m.key);
    }
  }

  /** Validates a join or leave up front and spells out one membership per interface. */
  #plan(group: string, options: MembershipOptions): Joined[] {
    const family = checkGroup(group);
    const source =
      options.source === undefined ? undefined : checkSource(options.source, group, family);
    this.#ensure(family);
    const spec = options.interface;
    const ifaces =
      spec === undefined
        ? [undefined]
        : spec === 'all'
          ? allInterfaces(family)
          : [resolveInterface(spec, family)];
    return ifaces.map((i) => ({
      key: `${group}|${i?.address ?? ''}|${source ?? ''}`,
      group,
      interface: i?.name,
      iface: i?.address,
      source,
    }));
  }

  /** Sends one datagram to a group; binds a free port first when the socket is not bound. */
  async send(data: Payload, target: MulticastTarget): Promise<number> {
    const family = checkGroup(target?.group);
    const scope = ipv6GroupScope(target.group);
    // Without an interface the kernel refuses with a bare EINVAL; say what is missing instead.
    if (scope !== undefined && scope <= 2 && this.#options.interface === undefined) {
      if (!target.group.includes('%')) throw new InterfaceRequiredError(target.group, scope);
    }
    const udp = this.#ensure(family);
    this.#bindAsked = true;
    return udp.send(data, { host: target.group, port: target.port });
  }

  /** Sends a unicast datagram, e.g. an acknowledgement back to a datagram's sender. */
  async reply(data: Payload, to: { address: string; port: number }): Promise<number> {
    const udp = this.#udp;
    if (!udp) throw new MulticastError('ERR_MCAST_NOT_BOUND', 'reply: the socket is not bound yet');
    return udp.send(data, { host: to.address, port: to.port });
  }

  #withGroup(d: Datagram): MulticastDatagram {
    const m = d as MulticastDatagram;
    m.group = this.#boundGroup;
    return m;
  }

  /** Resolves with the next datagram; rejects on timeout, abort, close or a socket error. */
  async receive(options: WaitOptions = {}): Promise<MulticastDatagram> {
    return this.#withGroup(await this.#receiving('receive').receive(options));
  }

  /**
   * The socket to receive on, or ERR_MCAST_NOT_BOUND when nothing could ever arrive: join()
   * alone does not bind (netkit never binds implicitly), so a receive would only wait it out.
   */
  #receiving(what: string): UdpSocket {
    const udp = this.#udp;
    if (!udp || (!this.#bindAsked && !udp.closed && udp.address() === undefined)) {
      throw new MulticastError(
        'ERR_MCAST_NOT_BOUND',
        `${what}: the socket is not bound, so nothing can arrive (join() does not bind: call bind(port) too, or use joinGroup())`,
      );
    }
    return udp;
  }

  /** Routes every datagram to `listener` (no promise per datagram); undefined goes back to receive(). */
  setListener(listener: ((d: MulticastDatagram) => void) | undefined): void {
    const udp = this.#receiving('setListener');
    udp.setListener(listener && ((d) => listener(this.#withGroup(d))));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<MulticastDatagram> {
    const udp = this.#receiving('iterating');
    for await (const d of udp) yield this.#withGroup(d);
  }

  /** Closes the socket (the kernel leaves its groups); pending receives reject, iterators end. */
  async close(): Promise<void> {
    this.#closedEarly = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    await this.#udp?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function allInterfaces(family: GroupFamily) {
  const found = multicastInterfaces(family);
  if (found.length === 0)
    throw new NoInterfaceAddressError('any multicast-capable interface', family);
  return found.map((i) => resolveInterface(i.name, family));
}

function describe(m: Joined): string {
  return `${m.group}${m.source ? ` for source ${m.source}` : ''}${m.interface ? ` on ${m.interface}` : ''}`;
}

/** Creates a multicast socket; join and bind it to receive, or just send. */
export function createMulticastSocket(options: MulticastSocketOptions = {}): MulticastSocket {
  return new MulticastSocket(options);
}
