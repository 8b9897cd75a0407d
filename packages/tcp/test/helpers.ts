// Shared by the tcp tests (not the framing ones): bounded waits, raw node:net peers, and a
// per-test list of everything opened, closed after each test whatever happened.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type NetConnectOpts, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from '@netkit/testkit';
import { afterEach } from 'vitest';
import type { TcpConnection, TcpServer } from '../src/index.js';

export { rejectionOf, settlesWithin, waitUntil } from '@netkit/testkit';
export { sleep };

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Opened {
  server<T extends TcpServer>(server: T): T;
  connection(connection: TcpConnection): TcpConnection;
  socket(socket: Socket): Socket;
  process<T extends ManagedProcess>(process: T): T;
  /** A fresh temporary folder (for Unix sockets), removed after the test. */
  tempDir(): Promise<string>;
}

/** Everything registered during a test is closed (or killed, or removed) after it. */
export function closeAfterEach(): Opened {
  const servers: TcpServer[] = [];
  const connections: TcpConnection[] = [];
  const sockets: Socket[] = [];
  const processes: ManagedProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const c of connections.splice(0)) c.destroy();
    await Promise.all([
      ...servers.splice(0).map((s) => s.close({ drainTimeout: 100 })),
      ...processes.splice(0).map((p) => p.stop('SIGKILL', 0)),
    ]);
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    server: (s) => {
      servers.push(s);
      return s;
    },
    connection: (c) => {
      connections.push(c);
      return c;
    },
    socket: (s) => {
      sockets.push(s);
      return s;
    },
    process: (p) => {
      processes.push(p);
      return p;
    },
    tempDir: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'netkit-tcp-'));
      dirs.push(dir);
      return dir;
    },
  };
}

/** A plain node:net socket (no netkit code), connected; rejects with the connect error. */
export function rawConnect(options: NetConnectOpts, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`rawConnect: not connected after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface Received {
  data: Buffer;
  /** The peer ended its side (FIN) before the socket closed. */
  ended: boolean;
  /** The socket's error (ECONNRESET...), if it failed. */
  error: NodeJS.ErrnoException | undefined;
  /** Milliseconds from the call until the socket closed. */
  ms: number;
}

/**
 * Everything a raw socket receives until it closes, and how it closed (a connect error counts as
 * a close). Rejects (and destroys the socket) if it has not closed within `timeoutMs`.
 */
export function receiveUntilClosed(socket: Socket, timeoutMs = 5000): Promise<Received> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    let error: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the socket did not close within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => {
      ended = true;
      // A half-closed raw socket (allowHalfOpen false by default) ends its side too and closes.
    });
    socket.on('error', (err) => {
      error = err;
    });
    const done = () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), ended, error, ms: performance.now() - started });
    };
    if (socket.destroyed) done();
    else {
      socket.once('close', done);
      socket.resume();
    }
  });
}

/** Reads a raw socket until `size` bytes have arrived (or rejects at close or timeout). */
export function readBytes(socket: Socket, size: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, have));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= size) finish();
    };
    const onClose = () => finish(new Error(`closed after ${have} of ${size} bytes`));
    const timer = setTimeout(
      () => finish(new Error(`${have} of ${size} bytes after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** The value of a field of /proc/PID/status in bytes (VmRSS, VmHWM...). */
export async function procStatusBytes(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}
