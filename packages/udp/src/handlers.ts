import { toBuffer } from '@netkit/internal';
import type { Payload } from './payload.js';
import type { UdpHandler } from './server.js';
import { createServer, type UdpServer, type UdpServerOptions } from './server.js';

/** Sends every datagram back, after `prefix` when given (the seed's "OK..." server). */
export function echoHandler(prefix?: Payload): UdpHandler {
  const head = prefix === undefined ? undefined : toBuffer(prefix, 'prefix');
  if (!head || head.length === 0) return (d) => d.data;
  return (d) => Buffer.concat([head, d.data]);
}

/** Answers every datagram with the same reply (the seeds' "Ack", "Got your message!"). */
export function fixedReplyHandler(reply: Payload): UdpHandler {
  const bytes = toBuffer(reply, 'reply');
  return () => bytes;
}

export interface EchoServerOptions extends UdpServerOptions {
  /** Put before each echoed datagram, e.g. "OK...". */
  prefix?: Payload;
}

/** An echo server, bound and serving. */
export function createEchoServer(options: EchoServerOptions = {}): Promise<UdpServer> {
  const { prefix, ...rest } = options;
  return createServer(echoHandler(prefix), rest);
}

/** A server answering every datagram with `reply`, bound and serving. */
export function createReplyServer(
  reply: Payload,
  options: UdpServerOptions = {},
): Promise<UdpServer> {
  return createServer(fixedReplyHandler(reply), options);
}
