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
   * Received bytes not yet read are bounded too: the socket pauses at 256 KiB or this, if less.
   */
  highWaterMark?: number;
  /** How to name the peer in messages when it has no address (a Unix socket path). */
  label?: string;
}

/** Small sends of one event-loop turn are copied into batches this big and written together. */
const BATCH_BYTES = 64 * 1024;
/** Sends up to this size are copied into the batch; larger ones are written as they are. */
const COPY_LIMIT = 8 * 1024;
const RESOLVED = Promise.resolve();
/**
 * Received bytes the reader may fall behind by before the socket is paused (at most highWaterMark).
 * Several chunks: pausing and resuming per chunk stops and restarts the kernel reads, and costs
 * more CPU than the data.
 */
const READ_AHEAD_BYTES = 256 * 1024;

/**
 * One TCP (or Unix socket) connection with promises and async iterators. Sends are batched:
 * many small send() calls in one turn become one write, so one call per message is cheap.
 */
export class TcpConnection implements AsyncIterable<Buffer>, AsyncDisposable {
  readonly socket: Socket;
  readonly #highWaterMark: number;
  /** Buffers ready to write, in order; small sends are gathered in #batch first. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #batch: Buffer | undefined;
  #batchUsed = 0;
  /** False once end() or destroy() ran or the socket closed: checked on every send. */
  #writable = true;
  #flushScheduled = false;
  #drainWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  #error: Error | undefined;
  #closed = false;
  #reading = false;
  /** Chunks received in flowing mode and not yet handed to the reader, in order. */
  #received: Buffer[] = [];
  #receivedBytes = 0;
  /** True while the socket flows into #received (between resume() and pause()). */
  #flowing = false;
  /** Wakes the reader waiting for a chunk, the peer's FIN or the close. */
  #wakeReader: (() => void) | undefined;
  readonly #readAhead: number;
  #closedPromise: Promise<void>;
  #bytesWritten = 0;
  /** Why the connection was closed by netkit (idle timeout, byte limit, bad frame), if it was. */
  closeReason: Error | undefined;

  constructor(socket: Socket, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.remote =
      socket.remoteAddress === undefined
        ? (options.label ?? 'unix socket')
        : socket.remoteFamily === 'IPv6'
          ? `[${socket.remoteAddress}]:${socket.remotePort}`
          : `${socket.remoteAddress}:${socket.remotePort}`;
    this.#highWaterMark = checkInteger(
      'highWaterMark',
      options.highWaterMark ?? 2 ** 20,
      1,
      2 ** 31,
    );
    this.#readAhead = Math.min(this.#highWaterMark, READ_AHEAD_BYTES);
    socket.on('end', () => this.#wake());
    socket.on('error', (err) => {
      this.#error ??= systemError(err, `connection with ${this.remote}`);
    });
    socket.on('drain', () => this.#onDrain());
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        this.#writable = false;
        this.#wake();
        if (this.#drainWaiters.length > 0) {
          const err = this.#error ?? new ConnectionClosedError('send', this.closeReason);
          for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(err);
        }
        resolve();
      });
    });
  }

  /**
   * "127.0.0.1:5000", "[::1]:5000", or the Unix socket label. Computed once: after a reset
   * Node.js no longer knows the peer's address, and messages must still name it.
   */
  readonly remote: string;

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
    if (!this.#writable || this.#error) return this.#notWritable();
    const buf = toBuffer(data, 'data');
    const size = buf.length;
    if (size === 0) return RESOLVED;
    if (size <= COPY_LIMIT) buf.copy(this.#batchWith(size), this.#batchUsed);
    else {
      this.#sealBatch();
      this.#pending.push(buf);
    }
    if (size <= COPY_LIMIT) this.#batchUsed += size;
    return this.#queued(size);
  }

  /** Sends one frame encoded by `codec`, straight into the batch when the codec can. */
  sendFrame<T>(codec: FrameEncoder<T>, value: T): Promise<void> {
    if (!codec.encodeInto) return this.send(codec.encode(value));
    if (!this.#writable || this.#error) return this.#notWritable();
    const size = codec.encodingLength(value);
    if (size > COPY_LIMIT) return this.send(codec.encode(value));
    this.#batchUsed += codec.encodeInto(value, this.#batchWith(size), this.#batchUsed);
    return this.#queued(size);
  }

  #notWritable(): Promise<void> {
    return Promise.reject(this.#error ?? new ConnectionClosedError('send', this.closeReason));
  }

  /** The batch, with room for `size` more bytes (a full one is sealed and a new one started). */
  #batchWith(size: number): Buffer {
    if (this.#batch && this.#batchUsed + size <= this.#batch.length) return this.#batch;
    this.#sealBatch();
    this.#batch = Buffer.allocUnsafe(BATCH_BYTES);
    return this.#batch;
  }

  #sealBatch(): void {
    if (this.#batch && this.#batchUsed > 0)
      this.#pending.push(this.#batch.subarray(0, this.#batchUsed));
    // A sealed batch belongs to the socket until written: never reuse it.
    this.#batch = undefined;
    this.#batchUsed = 0;
  }

  /** Accounts `size` queued bytes, schedules the write, and tells whether to wait for drain. */
  #queued(size: number): Promise<void> {
    this.#pendingBytes += size;
    if (this.#pendingBytes >= BATCH_BYTES) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    return this.#pendingBytes + this.socket.writableLength < this.#highWaterMark
      ? RESOLVED
      : this.#waitForDrain();
  }

  #flush(): void {
    this.#flushScheduled = false;
    this.#sealBatch();
    if (this.#pendingBytes === 0 || this.socket.destroyed) return;
    const pending = this.#pending;
    this.#bytesWritten += this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    // A write the kernel takes at once emits no 'drain': its callback wakes the senders instead.
    // (Node calls pending callbacks without an error on destroy; those senders must not resolve.)
    const written = (err?: Error | null) => {
      if (!err && !this.socket.destroyed) this.#onDrain();
    };
    if (pending.length === 1) this.socket.write(pending[0]!, written);
    else {
      this.socket.cork();
      for (let i = 0; i < pending.length - 1; i++) this.socket.write(pending[i]!);
      this.socket.write(pending[pending.length - 1]!, written);
      this.socket.uncork();
    }
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
    this.#writable = false;
    if (this.socket.writableEnded || this.socket.destroyed) return RESOLVED;
    return new Promise((resolve) => this.socket.end(() => resolve()));
  }

  /** Received chunks until the peer ends its side; throws the connection's error if it fails. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.#reading) throw new TypeError('the connection is already being read');
    this.#reading = true;
    const socket = this.socket;
    // 'data' events into #received rather than socket.iterator(): paused-mode reads stop and
    // restart the kernel reads every time the small readable buffer fills, copy chunks together,
    // and go through a few ticks per chunk. The socket is paused again whenever nobody reads.
    socket.on('data', this.#onData);
    try {
      for (;;) {
        if (socket.destroyed && !socket.readableEnded) {
          // Failed or destroyed before the FIN: what is still buffered is dropped, as Node.js
          // does. The error is known once 'close' has come (it follows 'error').
          if (this.#closed) throw this.#readError();
        } else {
          const chunk = this.#received.shift();
          if (chunk !== undefined) {
            this.#receivedBytes -= chunk.length;
            yield chunk;
            continue;
          }
          if (socket.readableEnded) break;
          if (!this.#flowing) {
            this.#flowing = true;
            socket.resume();
          }
        }
        await new Promise<void>((resolve) => {
          this.#wakeReader = resolve;
        });
      }
    } finally {
      this.#wakeReader = undefined;
      socket.off('data', this.#onData);
      if (this.#flowing) {
        this.#flowing = false;
        socket.pause();
      }
      // Chunks taken from the socket but not read go back, for the next reader; after the FIN
      // Node.js refuses them, and they wait in #received instead.
      if (!socket.readableEnded && !socket.destroyed) {
        for (let i = this.#received.length - 1; i >= 0; i--) socket.unshift(this.#received[i]!);
        this.#received = [];
        this.#receivedBytes = 0;
      }
      this.#reading = false;
    }
    if (this.closeReason) throw this.closeReason;
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#received.push(chunk);
    this.#receivedBytes += chunk.length;
    // Past the read-ahead the socket waits (and the kernel window closes) until the reader has
    // taken everything: one pause and one resume per read-ahead, not per chunk.
    if (this.#receivedBytes >= this.#readAhead && this.#flowing) {
      this.#flowing = false;
      this.socket.pause();
    }
    this.#wake();
  };

  #wake(): void {
    const wake = this.#wakeReader;
    if (wake) {
      this.#wakeReader = undefined;
      wake();
    }
  }

  #readError(): Error {
    if (this.closeReason) return this.closeReason;
    if (this.#error) return this.#error;
    const err = Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    return systemError(err, `reading from ${this.remote}`);
  }

  /**
   * Decoded frames until the peer ends; an oversize or malformed frame closes the connection.
   * A plain iterator rather than an async generator: frames already decoded from a chunk are
   * handed out without a generator step each (several times cheaper per small frame).
   */
  frames<T>(codec: FrameCodec<T>): AsyncIterableIterator<T> {
    const decoder = codec.decoder();
    const chunks = this[Symbol.asyncIterator]();
    let ready: T[] = [];
    let at = 0;
    let finished = false;
    const pull = async (): Promise<IteratorResult<T>> => {
      while (at >= ready.length) {
        if (finished) return { value: undefined, done: true };
        const next = await chunks.next();
        try {
          if (next.done) {
            finished = true;
            ready = decoder.end();
          } else ready = decoder.push(next.value);
        } catch (err) {
          finished = true;
          ready = [];
          if (err instanceof FrameError) this.destroy(err);
          throw err;
        }
        at = 0;
      }
      return { value: ready[at++] as T, done: false };
    };
    const iterator: AsyncIterableIterator<T> = {
      next: () =>
        at < ready.length ? Promise.resolve({ value: ready[at++] as T, done: false }) : pull(),
      return: async () => {
        finished = true;
        ready = [];
        await chunks.return(undefined);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
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
    this.#writable = false;
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
