import { lstat, unlink } from 'node:fs/promises';
import {
  connect as netConnect,
  createServer as netCreateServer,
  type Server,
  type Socket,
} from 'node:net';
import { checkInteger, checkTimeout } from '@netkit/internal';
import { type ConnectionOptions, TcpConnection } from './connection.js';
import { AbortedError, ByteLimitError, IdleTimeoutError, systemError, TcpError } from './errors.js';

export interface HandlerContext {
  /** Fires when the server starts shutting down: long handlers should finish up. */
  signal: AbortSignal;
}

/**
 * Called once per connection. The connection is closed gracefully when the handler returns, and
 * at once if it throws; either way only that connection is affected.
 */
export type TcpHandler = (
  connection: TcpConnection,
  context: HandlerContext,
) => void | Promise<void>;

export interface TcpServerOptions extends ConnectionOptions {
  /** Address to bind (default '127.0.0.1'; '0.0.0.0' or '::' for every interface). */
  host?: string;
  /** Port to bind (default 0: any free port). */
  port?: number;
  /** A Unix socket path instead of host and port. A stale socket file there is removed. */
  path?: string;
  /**
   * Connections waiting in the kernel to be accepted (default 511; the kernel caps it at
   * net.core.somaxconn). Raise it for bursts of many connections at once.
   */
  backlog?: number;
  /** Connections open at once (default 1024); one more is refused at once with a reset and counted. */
  maxConnections?: number;
  /** Milliseconds without data after which a connection is closed (default 0: never). */
  idleTimeout?: number;
  /** Bytes one connection may send; beyond it the connection is closed (default: no limit). */
  maxBytesPerConnection?: number;
  /** Milliseconds that close() lets open connections finish before closing them (default 5000). */
  drainTimeout?: number;
  /** TCP_NODELAY on accepted connections. */
  noDelay?: boolean;
  /** Called with each handler error and each connection closed by a limit. */
  onError?: (error: unknown, connection: TcpConnection) => void;
  signal?: AbortSignal;
}

export interface TcpServerStats {
  /** Connections accepted and handed to the handler. */
  accepted: number;
  /** Connections open now. */
  active: number;
  /** Connections refused because maxConnections were open. */
  refused: number;
  /** Handlers that returned normally. */
  completed: number;
  /** Handlers that threw or rejected. */
  errors: number;
  /** Connections closed by the idle timeout. */
  idleTimeouts: number;
  /** Connections closed for sending more than maxBytesPerConnection. */
  byteLimits: number;
}

/**
 * A TCP (or Unix socket) server in the spirit of socketserver's threading servers, on the event
 * loop: one handler call per connection, limits that protect the process, graceful shutdown.
 */
export class TcpServer implements AsyncDisposable {
  readonly server: Server;
  readonly #handler: TcpHandler;
  readonly #options: TcpServerOptions;
  readonly #maxConnections: number;
  readonly #idleTimeout: number;
  readonly #maxBytes: number;
  readonly #abort = new AbortController();
  readonly #context: HandlerContext;
  readonly #open = new Set<TcpConnection>();
  #idle: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #stats: TcpServerStats = {
    accepted: 0,
    active: 0,
    refused: 0,
    completed: 0,
    errors: 0,
    idleTimeouts: 0,
    byteLimits: 0,
  };

  constructor(handler: TcpHandler, options: TcpServerOptions = {}) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.#handler = handler;
    this.#options = options;
    this.#maxConnections = checkInteger(
      'maxConnections',
      options.maxConnections ?? 1024,
      1,
      2 ** 24,
    );
    this.#idleTimeout = checkTimeout('idleTimeout', options.idleTimeout ?? 0);
    this.#maxBytes = options.maxBytesPerConnection ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxBytes > 0))
      throw new RangeError(`maxBytesPerConnection must be > 0, got ${this.#maxBytes}`);
    checkTimeout('drainTimeout', options.drainTimeout ?? 5000);
    this.#context = { signal: this.#abort.signal };
    this.server = netCreateServer(
      { allowHalfOpen: true, noDelay: options.noDelay ?? false },
      (socket) => this.#onSocket(socket),
    );
    const signal = options.signal;
    if (signal?.aborted) void this.close();
    else signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Binds and starts accepting (host/port, or path). */
  async listen(): Promise<void> {
    const { path, host = '127.0.0.1', port = 0 } = this.#options;
    const backlog = checkInteger('backlog', this.#options.backlog ?? 511, 1, 2 ** 31 - 1);
    if (this.#closing)
      throw new AbortedError(
        'listen: the server was closed before it listened',
        this.#options.signal?.reason,
      );
    if (path !== undefined) await removeStaleSocket(path);
    const where = path ?? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(systemError(err, `listening on ${where}`));
      this.server.once('error', onError);
      const done = () => {
        this.server.off('error', onError);
        resolve();
      };
      if (path !== undefined) this.server.listen({ path, backlog }, done);
      else this.server.listen({ host, port, backlog }, done);
    });
    if (this.#closing) {
      // Closed while binding: do not leave a listener nobody can close.
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      throw new AbortedError(
        'listen: the server was closed while it started',
        this.#options.signal?.reason,
      );
    }
    // Later server errors (EMFILE on accept...) must not crash the process.
    this.server.on('error', () => undefined);
  }

  /** The bound address ({ address, port, family }), or the Unix socket path. */
  address(): { address: string; port: number; family: string } | string {
    const a = this.server.address();
    if (a === null) throw new TcpError('ERR_TCP_NOT_LISTENING', 'the server is not listening');
    return a;
  }

  /** "127.0.0.1:5000", "[::1]:5000" or the socket path. */
  get endpoint(): string {
    const a = this.address();
    if (typeof a === 'string') return a;
    return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  }

  /** The bound port (throws for a Unix socket server). */
  get port(): number {
    const a = this.address();
    if (typeof a === 'string') throw new TypeError('a Unix socket server has no port');
    return a.port;
  }

  get stats(): TcpServerStats {
    return { ...this.#stats, active: this.#open.size };
  }

  #onSocket(socket: Socket): void {
    if (this.#closing || this.#open.size >= this.#maxConnections) {
      // The kernel completed the handshake before Node.js saw the socket; a reset is the closest
      // to a refusal the application can give, and it costs nothing (no FIN exchange, no state).
      this.#stats.refused++;
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    this.#stats.accepted++;
    const connection = new TcpConnection(socket, {
      ...this.#options,
      ...(this.#options.path !== undefined && { label: 'unix peer' }),
    });
    this.#open.add(connection);
    if (this.#idleTimeout > 0) {
      socket.setTimeout(this.#idleTimeout, () => {
        this.#stats.idleTimeouts++;
        this.#limitHit(connection, new IdleTimeoutError(this.#idleTimeout));
      });
    }
    if (Number.isFinite(this.#maxBytes)) {
      const onData = () => {
        if (socket.bytesRead > this.#maxBytes) {
          socket.off('data', onData);
          this.#stats.byteLimits++;
          this.#limitHit(connection, new ByteLimitError(this.#maxBytes));
        }
      };
      socket.on('data', onData);
      // The listener switched the socket to flowing mode; bytes must wait for the handler's reads.
      socket.pause();
    }
    void this.#run(connection);
  }

  #limitHit(connection: TcpConnection, reason: Error): void {
    connection.destroy(reason);
    this.#report(reason, connection);
  }

  async #run(connection: TcpConnection): Promise<void> {
    try {
      await this.#handler(connection, this.#context);
      this.#stats.completed++;
      await connection.close();
    } catch (err) {
      // A connection closed by a limit is counted (and reported) as such; its handler failing
      // is only the consequence.
      const reason = connection.closeReason;
      if (!(reason instanceof IdleTimeoutError || reason instanceof ByteLimitError)) {
        this.#stats.errors++;
        this.#report(err, connection);
      }
      connection.destroy();
    } finally {
      this.#open.delete(connection);
      if (this.#open.size === 0) this.#idle?.();
    }
  }

  #report(err: unknown, connection: TcpConnection): void {
    try {
      this.#options.onError?.(err, connection);
    } catch {
      // An error reporter that throws must not take the server down.
    }
  }

  /**
   * Stops accepting, signals handlers, lets open connections finish within drainTimeout, then
   * closes the rest. Resolves when the listening socket and every connection are closed.
   */
  close(options: { drainTimeout?: number } = {}): Promise<void> {
    if (this.#closing) return this.#closing;
    const drain = checkTimeout(
      'drainTimeout',
      options.drainTimeout ?? this.#options.drainTimeout ?? 5000,
    );
    this.#closing = (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.#abort.abort();
      if (this.#open.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drain);
          this.#idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const connection of this.#open) connection.destroy();
      await Promise.all([...this.#open].map((c) => c.whenClosed));
      await stopped;
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A Unix socket file left by a crashed server blocks listen() with EADDRINUSE. Remove it only if
 * it is a socket and nothing answers on it; a live server's socket or any other file stays.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch {
    return; // nothing there
  }
  if (!info.isSocket()) {
    throw systemError(
      Object.assign(new Error(path), { code: 'EADDRINUSE' }),
      `listening on ${path}: a file that is not a socket is in the way`,
    );
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = netConnect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) {
    throw systemError(
      Object.assign(new Error(path), { code: 'EADDRINUSE' }),
      `listening on ${path}: another server is listening there`,
    );
  }
  await unlink(path).catch(() => undefined);
}

/** Creates a server, starts listening (default 127.0.0.1 and a free port) and resolves with it. */
export async function createServer(
  handler: TcpHandler,
  options: TcpServerOptions = {},
): Promise<TcpServer> {
  const server = new TcpServer(handler, options);
  await server.listen();
  return server;
}
