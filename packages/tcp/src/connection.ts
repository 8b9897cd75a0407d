import type { Socket } from 'node:net';
import { checkInteger, toBuffer } from '@netkit/internal';
import { AbortedError, ConnectionClosedError, systemError, TimeoutError } from './errors.js';
import { FrameError } from './framing/errors.js';
import type { FrameCodec, FrameEncoder } from './framing/types.js';
import type { Payload } from './payload.js';
import type { WaitOptions } from './wait.js';

export interface ConnectionOptions {
  /**
   * Bytes allowed to wait for the kernel (netkit's batch plus the socket's own buffer) before
   * send() waits for them to drain (default 1 MiB). Memory per connection stays near this.
   */
  highWaterMark?: number;
  /** How to name the peer in messages when it has no address (a Unix socket path). */
  label?: string;
}

/** Sends smaller than this are gathered and written together once per event-loop turn. */
const BATCH_BYTES = 64 * 1024;
const RESOLVED = Promise.resolve();

/**
 * One TCP (or Unix socket) connection with promises and async iterators. Sends are batched:
 * many small send() calls in one turn become one write, so one call per message is cheap.
 */
export class TcpConnection implements AsyncIterable<Buffer>, AsyncDisposable {
  readonly socket: Socket;
  readonly #highWaterMark: number;
  readonly #label: string | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #drainWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  #error: Error | undefined;
  #closed = false;
  #reading = false;
  #closedPromise: Promise<void>;
  #bytesWritten = 0;
  /** Why the connection was closed by netkit (idle timeout, byte limit, bad frame), if it was. */
  closeReason: Error | undefined;

  constructor(socket: Socket, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.#label = options.label;
    this.#highWaterMark = checkInteger(
      'highWaterMark',
      options.highWaterMark ?? 2 ** 20,
      1,
      2 ** 31,
    );
    socket.on('error', (err) => {
      this.#error ??= systemError(err, `connection with ${this.remote}`);
    });
    socket.on('drain', () => this.#onDrain());
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        const err = this.#error ?? new ConnectionClosedError('send', this.closeReason);
        for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(err);
        resolve();
      });
    });
  }

  /** "127.0.0.1:5000", "[::1]:5000", or the Unix socket path. */
  get remote(): string {
    const s = this.socket;
    if (s.remoteAddress === undefined) return this.#label ?? 'unix socket';
    return s.remoteFamily === 'IPv6'
      ? `[${s.remoteAddress}]:${s.remotePort}`
      : `${s.remoteAddress}:${s.remotePort}`;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  get closed(): boolean {
    return this.#closed || this.socket.destroyed;
  }

  /** Resolves once the socket has closed, however that happened. */
  get whenClosed(): Promise<void> {
    return this.#closedPromise;
  }

  /** Bytes received and bytes handed to the socket so far. */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Bytes accepted by send() and not yet taken by the kernel: the backpressure to watch. */
  get writableLength(): number {
    return this.#pendingBytes + this.socket.writableLength;
  }

  /**
   * Queues data for sending. Resolves at once while less than highWaterMark bytes wait for the
   * kernel; otherwise when they have drained. Rejects once the connection failed or closed.
   */
  send(data: Payload): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.closed || this.socket.writableEnded)
      return Promise.reject(new ConnectionClosedError('send', this.closeReason));
    const buf = toBuffer(data, 'data');
    if (buf.length === 0) return RESOLVED;
    this.#pending.push(buf);
    this.#pendingBytes += buf.length;
    if (this.#pendingBytes >= BATCH_BYTES) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    return this.writableLength < this.#highWaterMark ? RESOLVED : this.#waitForDrain();
  }

  /** Sends one frame encoded by `codec`. */
  sendFrame<T>(codec: FrameEncoder<T>, value: T): Promise<void> {
    return this.send(codec.encode(value));
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingBytes === 0 || this.socket.destroyed) return;
    const chunk =
      this.#pending.length === 1
        ? this.#pending[0]!
        : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#bytesWritten += chunk.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.socket.write(chunk);
  }

  #waitForDrain(): Promise<void> {
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  #onDrain(): void {
    if (this.writableLength >= this.#highWaterMark) return;
    for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve();
  }

  /** Half-close: sends what is queued, then FIN. Receiving goes on until the peer ends too. */
  end(data?: Payload): Promise<void> {
    if (data !== undefined) void this.send(data).catch(() => undefined);
    this.#flush();
    if (this.socket.writableEnded || this.socket.destroyed) return RESOLVED;
    return new Promise((resolve) => this.socket.end(() => resolve()));
  }

  /** Received chunks until the peer ends its side; throws the connection's error if it fails. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.#reading) throw new TypeError('the connection is already being read');
    this.#reading = true;
    try {
      // destroyOnReturn false: a consumer that stops reading must not tear the connection down.
      for await (const chunk of this.socket.iterator({ destroyOnReturn: false })) {
        yield chunk as Buffer;
      }
    } catch (err) {
      throw this.closeReason ?? this.#error ?? systemError(err, `reading from ${this.remote}`);
    } finally {
      this.#reading = false;
    }
    if (this.closeReason) throw this.closeReason;
  }

  /** Decoded frames until the peer ends; an oversize or malformed frame closes the connection. */
  async *frames<T>(codec: FrameCodec<T>): AsyncGenerator<T, void, undefined> {
    const decoder = codec.decoder();
    try {
      for await (const chunk of this) yield* decoder.push(chunk);
      yield* decoder.end();
    } catch (err) {
      if (err instanceof FrameError) this.destroy(err);
      throw err;
    }
  }

  /**
   * Everything the peer sends until it ends its side. More than maxBytes, the timeout or the
   * signal close the connection and reject; memory never exceeds maxBytes.
   */
  async readAll(options: WaitOptions & { maxBytes: number }): Promise<Buffer> {
    const { timeout, signal, maxBytes } = options;
    const what = `reading from ${this.remote}`;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(
            () => this.destroy(new TimeoutError(`${what}: timed out after ${timeout} ms`)),
            timeout,
          );
    const onAbort = () => this.destroy(new AbortedError(`${what}: aborted`, signal?.reason));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this) {
        size += chunk.length;
        if (size > maxBytes) {
          this.destroy(new RangeError(`${what}: the peer sent more than ${maxBytes} bytes`));
          throw this.closeReason;
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, size);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes at once (RST-free): pending data is dropped. `reason` is kept as closeReason. */
  destroy(reason?: Error): void {
    if (reason && !this.closeReason) this.closeReason = reason;
    this.socket.destroy();
  }

  /** Graceful close: flush, FIN, wait for the peer's FIN up to `timeout` ms (default 2000), then destroy. */
  async close(options: { timeout?: number } = {}): Promise<void> {
    if (this.closed) return this.#closedPromise;
    await this.end();
    const timer = setTimeout(() => this.socket.destroy(), options.timeout ?? 2000);
    // With allowHalfOpen, 'close' needs the peer's FIN too; resume so it is read and seen.
    if (!this.#reading) this.socket.resume();
    await this.#closedPromise;
    clearTimeout(timer);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
