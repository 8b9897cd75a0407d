/** Every error netkit's UDP package throws on purpose carries a stable `code`; match on it. */
export class UdpError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when a wait (receive, request) ends because its timeout passed. */
export class TimeoutError extends UdpError {
  constructor(message: string) {
    super('ERR_NETKIT_TIMEOUT', message);
  }
}

/** Thrown when a wait ends because its AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends UdpError {
  constructor(message: string, reason?: unknown) {
    super('ERR_NETKIT_ABORTED', message, { cause: reason });
  }
}

/** Thrown when a socket is used after close(), or a pending receive ends because of close(). */
export class SocketClosedError extends UdpError {
  constructor(what: string) {
    super('ERR_UDP_SOCKET_CLOSED', `${what}: the socket is closed`);
  }
}

/** Thrown when a payload is larger than one UDP datagram can carry on that address family. */
export class MessageTooLargeError extends UdpError {
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number, family: string) {
    super(
      'ERR_UDP_MESSAGE_TOO_LARGE',
      `datagram of ${size} bytes is larger than the ${limit}-byte UDP payload limit on ${family} (split it with sendMessage(), which fragments)`,
    );
    this.size = size;
    this.limit = limit;
  }
}

/** Thrown when more sends wait for a free slot than `maxQueuedSends` allows: slow down. */
export class SendQueueFullError extends UdpError {
  constructor(limit: number) {
    super(
      'ERR_UDP_SEND_QUEUE_FULL',
      `${limit} sends are already waiting (await each send(), or raise maxQueuedSends)`,
    );
  }
}

/** Thrown when reusePort is asked for on a Node.js whose node:dgram cannot set SO_REUSEPORT. */
export class ReusePortUnsupportedError extends UdpError {
  constructor() {
    super(
      'ERR_UDP_REUSEPORT_UNSUPPORTED',
      `reusePort needs Node.js >= 22.12 (this is ${process.version}); use reuseAddr, or upgrade Node.js`,
    );
  }
}

/** Thrown when a fragment's header is malformed (bad magic, version, index or lengths). */
export class FragmentError extends UdpError {
  constructor(message: string) {
    super('ERR_UDP_FRAGMENT_MALFORMED', message);
  }
}

/** Thrown when an interface has no IPv4 address to derive a directed broadcast address from. */
export class BroadcastAddressError extends UdpError {
  constructor(message: string) {
    super('ERR_UDP_NO_BROADCAST_ADDRESS', message);
  }
}

/** An error from the operating system: keeps its errno `code`, says what was being done and how to fix it. */
export class UdpSystemError extends UdpError {
  /** What was being done, e.g. "binding 127.0.0.1:53". */
  readonly action: string;
  readonly syscall: string | undefined;
  readonly errno: number | undefined;
  readonly hint: string | undefined;
  constructor(
    code: string,
    action: string,
    hint: string | undefined,
    cause: NodeJS.ErrnoException,
  ) {
    super(code, `${action}: ${code}${hint ? ` (${hint})` : ''}`, { cause });
    this.action = action;
    this.syscall = cause.syscall;
    this.errno = cause.errno;
    this.hint = hint;
  }
}

const SEND_EACCES = 'sending to a broadcast address needs broadcast: true (or setBroadcast(true))';

const HINTS: Record<string, string> = {
  EADDRINUSE:
    'another socket is bound to that address; pick another port, or set reuseAddr on every socket sharing it',
  EADDRNOTAVAIL: 'that address is not assigned to any interface of this host',
  EACCES: 'ports below 1024 need root or CAP_NET_BIND_SERVICE',
  EPERM: 'the operation needs more privileges (root or the right capability)',
  ENETUNREACH: 'no route to that network; check the address and the routing table',
  EHOSTUNREACH: 'no route to that host',
  ECONNREFUSED: 'nothing is listening on that port',
  EMSGSIZE:
    'the datagram is larger than the path allows; send less, or use sendMessage() to fragment',
  ENOTFOUND: 'the host name could not be resolved; check its spelling or use an IP address',
  EAI_AGAIN:
    'the host name could not be resolved right now; check the resolver or use an IP address',
  EAFNOSUPPORT:
    'the address family does not match the socket (IPv4 vs IPv6); pick type udp6 for IPv6',
  EINVAL: 'an argument was rejected by the kernel; check the address and the socket state',
  ENODEV: 'no such network interface',
  ENOBUFS: 'the kernel ran out of buffer space; slow down or raise the send buffer size',
};

/** Wraps an errno error from node:dgram with what was being done; other errors pass through. */
export function systemError(err: unknown, action: string): Error {
  if (err instanceof UdpError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const hint = e.code === 'EACCES' && action.startsWith('sending') ? SEND_EACCES : HINTS[e.code];
    return new UdpSystemError(e.code, action, hint, e);
  }
  return err instanceof Error ? err : new Error(`${action}: ${String(err)}`);
}
