import { connect as netConnect, type Socket } from 'node:net';
import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { type ConnectionOptions, TcpConnection } from './connection.js';
import { systemError } from './errors.js';
import { waitFor } from './wait.js';

export interface ConnectOptions extends ConnectionOptions {
  /** Host name or IP address (default 'localhost'). */
  host?: string;
  port?: number;
  /** A Unix socket path instead of host and port. */
  path?: string;
  /** Milliseconds to wait for the connection (default 10000). */
  timeout?: number;
  signal?: AbortSignal;
  /** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). */
  noDelay?: boolean;
  /** SO_KEEPALIVE: probe an idle peer; a number is the idle time in ms before the first probe. */
  keepAlive?: boolean | number;
}

/** "host:port" or the path, for messages. */
export function describeTarget(o: { host?: string; port?: number; path?: string }): string {
  if (o.path !== undefined) return o.path;
  const host = o.host ?? 'localhost';
  return host.includes(':') ? `[${host}]:${o.port}` : `${host}:${o.port}`;
}

/** Opens a TCP or Unix socket connection; always settles (connected, error, timeout or abort). */
export async function connect(options: ConnectOptions): Promise<TcpConnection> {
  const timeout = checkTimeout('timeout', options.timeout ?? 10_000);
  const signal = checkSignal('signal', options.signal);
  if (options.path === undefined) checkInteger('port', options.port, 1, 65_535);
  else if (typeof options.path !== 'string' || options.path === '')
    throw new TypeError('path must be a non-empty string');
  const where = describeTarget(options);
  const keepAlive = options.keepAlive;
  const socket: Socket =
    options.path !== undefined
      ? netConnect({ path: options.path, allowHalfOpen: true })
      : netConnect({
          host: options.host ?? 'localhost',
          port: options.port!,
          allowHalfOpen: true,
          noDelay: options.noDelay ?? false,
          keepAlive: keepAlive !== undefined && keepAlive !== false,
          ...(typeof keepAlive === 'number' && { keepAliveInitialDelay: keepAlive }),
          // Try IPv6 and IPv4 addresses of a name in turn (happy eyeballs), so 'localhost' works either way.
          autoSelectFamily: true,
        });
  try {
    await waitFor<void>(`connecting to ${where}`, { timeout, signal }, (resolve, reject) => {
      const onError = (err: Error) => reject(systemError(err, `connecting to ${where}`));
      socket.once('connect', resolve);
      socket.once('error', onError);
      return () => {
        socket.off('connect', resolve);
        socket.off('error', onError);
      };
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return new TcpConnection(socket, {
    ...options,
    ...(options.path !== undefined && { label: options.path }),
  });
}
