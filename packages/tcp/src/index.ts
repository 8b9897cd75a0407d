/**
 * @packageDocumentation
 * `@netkit/tcp`: TCP and Unix socket streams with promises and async iterators: connections
 * with batched sends and backpressure, framing codecs with size limits, servers with connection
 * limits, idle timeouts and graceful shutdown, and the seeds' client-list service.
 *
 * @example
 * ```ts
 * import { connect, createEchoServer } from '@netkit/tcp';
 *
 * const server = await createEchoServer();
 * const connection = await connect({ host: '127.0.0.1', port: server.port });
 * await connection.end('Hello');
 * console.log((await connection.readAll({ maxBytes: 1024 })).toString()); // Hello
 * await server.close();
 * ```
 */

export {
  type ClientEntry,
  type ClientList,
  type ClientListProtocol,
  type ClientListServer,
  type ClientListServerOptions,
  createClientListServer,
  DEFAULT_MAX_NAME_BYTES,
  type JoinOptions,
  joinClientList,
  validateClientName,
} from './client-list.js';
export { type ConnectOptions, connect } from './connect.js';
export { type ConnectionOptions, TcpConnection } from './connection.js';
export {
  AbortedError,
  ByteLimitError,
  ClientListError,
  ClientNameError,
  ConnectionClosedError,
  IdleTimeoutError,
  TcpError,
  TcpSystemError,
  TimeoutError,
} from './errors.js';
export * from './framing/index.js';
export { createEchoServer, createReplyServer, echoHandler, fixedReplyHandler } from './handlers.js';
export type { Payload } from './payload.js';
export {
  createServer,
  type HandlerContext,
  type TcpHandler,
  TcpServer,
  type TcpServerOptions,
  type TcpServerStats,
} from './server.js';
export type { WaitOptions } from './wait.js';
