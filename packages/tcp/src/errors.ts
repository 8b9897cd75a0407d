/** Every error netkit's TCP package throws on purpose carries a stable `code`; match on it. */
export class TcpError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when a wait (connect, receive) ends because its timeout passed. */
export class TimeoutError extends TcpError {
  constructor(message: string) {
    super('ERR_NETKIT_TIMEOUT', message);
  }
}

/** Thrown when a wait ends because its AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends TcpError {
  constructor(message: string, reason?: unknown) {
    super('ERR_NETKIT_ABORTED', message, { cause: reason });
  }
}

/** Thrown when a connection is used after it closed, or a pending call ends because it closed. */
export class ConnectionClosedError extends TcpError {
  constructor(what: string, reason?: unknown) {
    super('ERR_TCP_CONNECTION_CLOSED', `${what}: the connection is closed`, { cause: reason });
  }
}

/** The server closed a connection that stayed silent longer than its idle timeout. */
export class IdleTimeoutError extends TcpError {
  constructor(ms: number) {
    super('ERR_TCP_IDLE_TIMEOUT', `no data for ${ms} ms: closed by the idle timeout`);
  }
}

/** The server closed a connection that sent more than its per-connection byte limit. */
export class ByteLimitError extends TcpError {
  constructor(limit: number) {
    super('ERR_TCP_BYTE_LIMIT', `the connection sent more than its limit of ${limit} bytes`);
  }
}

/** Thrown for a name the client-list service cannot take (empty, too long, not UTF-8). */
export class ClientNameError extends TcpError {
  constructor(message: string) {
    super('ERR_CLIENTS_BAD_NAME', message);
  }
}

/** The client-list server answered with an error instead of the list. */
export class ClientListError extends TcpError {
  constructor(message: string) {
    super('ERR_CLIENTS_REFUSED', message);
  }
}

/** An error from the operating system: keeps its errno `code`, says what was being done and how to fix it. */
export class TcpSystemError extends TcpError {
  /** What was being done, e.g. "connecting to 127.0.0.1:5000". */
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

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there; start the server or check the port',
  ECONNRESET: 'the peer reset the connection',
  EPIPE: 'the peer closed the connection while data was still being sent',
  ETIMEDOUT: 'the peer did not answer; check the address and any firewall',
  EADDRINUSE:
    'another socket is listening there; pick another port (or remove the process holding it)',
  EADDRNOTAVAIL: 'that address is not assigned to any interface of this host',
  EACCES:
    'ports below 1024 need root or CAP_NET_BIND_SERVICE; a Unix socket path needs write access to its folder',
  ENOENT: 'no Unix socket at that path; is the server running?',
  ENOTSOCK: 'that path is not a Unix socket',
  ENETUNREACH: 'no route to that network; check the address and the routing table',
  EHOSTUNREACH: 'no route to that host',
  ENOTFOUND: 'the host name could not be resolved; check its spelling or use an IP address',
  EAI_AGAIN:
    'the host name could not be resolved right now; check the resolver or use an IP address',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or lower maxConnections',
};

/** Wraps an errno error with what was being done; netkit errors pass through. */
export function systemError(err: unknown, action: string): Error {
  if (err instanceof TcpError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && /^E[A-Z]/.test(e.code)) {
    return new TcpSystemError(e.code, action, HINTS[e.code], e);
  }
  return err instanceof Error ? err : new Error(`${action}: ${String(err)}`);
}
