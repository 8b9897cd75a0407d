import { toBuffer } from '@netkit/internal';
import type { TcpConnection } from './connection.js';
import type { Payload } from './payload.js';
import { createServer, type TcpHandler, type TcpServer, type TcpServerOptions } from './server.js';

/** Sends back every byte received, until the peer ends its side. */
export const echoHandler: TcpHandler = async (connection: TcpConnection) => {
  for await (const chunk of connection) await connection.send(chunk);
};

/**
 * Answers each message with the same reply (the seeds' "I got your message", "Thank you.").
 * A message is what one read delivers, as with the seeds' recv(1024), unless `lines` is set:
 * then each newline-terminated line is one message.
 */
export function fixedReplyHandler(reply: Payload, options: { lines?: boolean } = {}): TcpHandler {
  const bytes = toBuffer(reply, 'reply');
  return async (connection) => {
    for await (const chunk of connection) {
      const messages = options.lines ? countNewlines(chunk) : 1;
      for (let i = 0; i < messages; i++) await connection.send(bytes);
    }
  };
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) n++;
  return n;
}

/** An echo server, listening. */
export function createEchoServer(options: TcpServerOptions = {}): Promise<TcpServer> {
  return createServer(echoHandler, options);
}

/** A server answering each message with `reply`, listening. */
export function createReplyServer(
  reply: Payload,
  options: TcpServerOptions & { lines?: boolean } = {},
): Promise<TcpServer> {
  const { lines, ...rest } = options;
  return createServer(fixedReplyHandler(reply, { ...(lines !== undefined && { lines }) }), rest);
}
