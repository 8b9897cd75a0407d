import type { AddressInfo } from 'node:net';
import { checkInteger, checkTimeout } from '@netkit/internal';
import { formatEndpoint } from './address.js';
import type { Payload } from './payload.js';
import { type Datagram, UdpSocket, type UdpSocketOptions } from './socket.js';

/** What a handler returns: a reply to send back to the sender, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: handlers written as statements return void, meaning no reply
export type HandlerResult = Payload | null | undefined | void;

export interface HandlerContext {
  /** The server's socket, to send more than one reply or to other peers. */
  socket: UdpSocket;
  /** Fires when the server closes: long handlers should stop. */
  signal: AbortSignal;
}

/** Called once per datagram; the value it returns (or resolves to) is sent back to the sender. */
export type UdpHandler = (
  datagram: Datagram,
  context: HandlerContext,
) => HandlerResult | Promise<HandlerResult>;

export interface UdpServerOptions extends Omit<UdpSocketOptions, 'signal'> {
  /** Address to bind (default '127.0.0.1'; use '0.0.0.0' or '::' for every interface). */
  host?: string;
  /** Port to bind (default 0: any free port; read it from address()). */
  port?: number;
  /** Handlers still running at once (default 1024); datagrams beyond it are dropped and counted. */
  maxConcurrent?: number;
  /** Called with each handler error (the server goes on either way). */
  onError?: (error: unknown, datagram: Datagram) => void;
  /** Closes the server when it fires. */
  signal?: AbortSignal;
}

export interface UdpServerStats {
  /** Datagrams received. */
  received: number;
  /** Replies handed to the kernel. */
  replied: number;
  /** Handlers that threw or rejected. */
  errors: number;
  /** Datagrams not handled (too many handlers running) or replies refused (send queue full). */
  dropped: number;
}

export interface CloseOptions {
  /** Milliseconds to let running handlers finish before the socket closes (default 5000). */
  timeout?: number;
}

/**
 * A datagram server in the spirit of Python's socketserver.UDPServer: a handler per datagram,
 * whose result is the reply. A handler that throws is counted and the server goes on.
 */
export class UdpServer implements AsyncDisposable {
  readonly socket: UdpSocket;
  readonly #handler: UdpHandler;
  readonly #maxConcurrent: number;
  readonly #onError: ((error: unknown, datagram: Datagram) => void) | undefined;
  readonly #abort = new AbortController();
  /** One context for every call: the handler gets no new object per datagram. */
  readonly #context: HandlerContext;
  #running = 0;
  #idle: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #stats: UdpServerStats = { received: 0, replied: 0, errors: 0, dropped: 0 };

  /** Use createServer(), which also binds. */
  constructor(handler: UdpHandler, options: UdpServerOptions = {}) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const { host: _h, port: _p, maxConcurrent, onError, signal, ...socketOptions } = options;
    this.#handler = handler;
    this.#maxConcurrent = checkInteger('maxConcurrent', maxConcurrent ?? 1024, 1, 2 ** 24);
    this.#onError = onError;
    this.socket = new UdpSocket(socketOptions);
    this.#context = { socket: this.socket, signal: this.#abort.signal };
    if (signal?.aborted) void this.close();
    else signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Binds and starts serving. */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    const address = await this.socket.bind({ port, host });
    this.socket.setListener((d) => this.#onDatagram(d));
    return address;
  }

  address(): AddressInfo {
    const address = this.socket.address();
    if (!address) throw new Error('the server is not listening');
    return address;
  }

  /** "127.0.0.1:8888" */
  get endpoint(): string {
    const { address, port } = this.address();
    return formatEndpoint(address, port);
  }

  get stats(): UdpServerStats {
    return { ...this.#stats };
  }

  #onDatagram(datagram: Datagram): void {
    this.#stats.received++;
    if (this.#closing) return;
    if (this.#running >= this.#maxConcurrent) {
      this.#stats.dropped++;
      return;
    }
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = this.#handler(datagram, this.#context);
    } catch (err) {
      this.#failed(err, datagram);
      return;
    }
    // Synchronous handlers (echo, fixed reply) answer without a promise per datagram.
    if (isPromise(result)) {
      this.#running++;
      result
        .then(
          (reply) => this.#reply(reply, datagram),
          (err) => this.#failed(err, datagram),
        )
        .finally(() => this.#handlerDone());
    } else {
      this.#reply(result, datagram);
    }
  }

  #reply(reply: HandlerResult, datagram: Datagram): void {
    if (reply === undefined || reply === null || this.socket.closed) return;
    try {
      if (this.socket.trySend(reply, datagram.port, datagram.address)) this.#stats.replied++;
      else this.#stats.dropped++;
    } catch (err) {
      this.#failed(err, datagram);
    }
  }

  #failed(err: unknown, datagram: Datagram): void {
    this.#stats.errors++;
    try {
      this.#onError?.(err, datagram);
    } catch {
      // An error reporter that throws must not stop the server either.
    }
  }

  #handlerDone(): void {
    this.#running--;
    if (this.#running === 0) this.#idle?.();
  }

  /** Stops taking datagrams, lets running handlers finish (up to the timeout), then closes. */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing) return this.#closing;
    const timeout = checkTimeout('timeout', options.timeout ?? 5000);
    this.#closing = (async () => {
      if (this.#running > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeout);
          this.#idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      this.#abort.abort();
      await this.socket.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** Creates a server, binds it (default 127.0.0.1, a free port) and starts serving. */
export async function createServer(
  handler: UdpHandler,
  options: UdpServerOptions = {},
): Promise<UdpServer> {
  const server = new UdpServer(handler, options);
  await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return server;
}
