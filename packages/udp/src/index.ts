/**
 * @packageDocumentation
 * `@netkit/udp`: UDP datagrams with promises and async iterators, request/reply with retries,
 * servers in the spirit of Python's socketserver, broadcast, and fragmentation of large messages.
 *
 * @example
 * ```ts
 * import { createEchoServer, request } from '@netkit/udp';
 *
 * const server = await createEchoServer({ prefix: 'OK...' });
 * const reply = await request({ host: '127.0.0.1', port: server.address().port }, 'hello');
 * console.log(reply.data.toString()); // OK...hello
 * await server.close();
 * ```
 */

export {
  type Endpoint,
  type Family,
  formatEndpoint,
  type ResolvedAddress,
  resolveHost,
  type SocketType,
  socketTypeOf,
} from './address.js';
export {
  type BroadcastInterface,
  type BroadcastOptions,
  broadcastInterfaces,
  directedBroadcastAddress,
  interfaceBroadcastAddress,
  LIMITED_BROADCAST,
  sendBroadcast,
} from './broadcast.js';
export { crc32 } from './crc32.js';
export {
  AbortedError,
  BroadcastAddressError,
  FragmentError,
  MessageTooLargeError,
  ReusePortUnsupportedError,
  SendQueueFullError,
  SocketClosedError,
  TimeoutError,
  UdpError,
  UdpSystemError,
} from './errors.js';
export {
  DEFAULT_FRAGMENT_DATAGRAM_SIZE,
  type FragmentOptions,
  fragmentMessage,
} from './fragment/fragmenter.js';
export {
  decodeFragmentHeader,
  encodeFragmentHeader,
  FRAGMENT_HEADER_SIZE,
  type FragmentHeader,
} from './fragment/header.js';
export {
  type ReceivedMessage,
  type ReceiveMessagesOptions,
  receiveMessages,
  type SendMessageOptions,
  type SentMessage,
  sendMessage,
} from './fragment/messages.js';
export {
  type CompleteMessage,
  type LostMessage,
  type LostReason,
  Reassembler,
  type ReassemblerOptions,
  type ReassemblerStats,
} from './fragment/reassembler.js';
export {
  createEchoServer,
  createReplyServer,
  type EchoServerOptions,
  echoHandler,
  fixedReplyHandler,
} from './handlers.js';
export { MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6 } from './limits.js';
export type { Payload } from './payload.js';
export { type Reply, type RequestOptions, request } from './request.js';
export {
  type CloseOptions,
  createServer,
  type HandlerContext,
  type HandlerResult,
  type UdpHandler,
  UdpServer,
  type UdpServerOptions,
  type UdpServerStats,
} from './server.js';
export {
  type BindOptions,
  createSocket,
  type Datagram,
  supportsReusePort,
  UdpSocket,
  type UdpSocketOptions,
  type UdpSocketStats,
} from './socket.js';
export type { WaitOptions } from './wait.js';
