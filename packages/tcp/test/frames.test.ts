// Framing on real connections: an oversize or malformed frame closes that connection (with the
// frame error as closeReason), never the server, which goes on serving the next client.
import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  connect,
  createServer,
  FrameTooLargeError,
  jsonLines,
  lengthPrefixed,
  newlineDelimited,
  type TcpConnection,
} from '../src/index.js';
import {
  closeAfterEach,
  readBytes,
  receiveUntilClosed,
  rejectionOf,
  waitUntil,
  within,
} from './helpers.js';

const open = closeAfterEach();

const MiB = 2 ** 20;
const codec = lengthPrefixed({ maxFrameSize: MiB });

/** A server echoing length-prefixed frames, recording what onError sees. */
async function frameEchoServer() {
  const reported: { error: Error & { code?: string }; connection: TcpConnection }[] = [];
  const server = open.server(
    await createServer(
      async (connection) => {
        for await (const frame of connection.frames(codec)) {
          await connection.sendFrame(codec, frame);
        }
      },
      { onError: (error, connection) => reported.push({ error: error as Error, connection }) },
    ),
  );
  return { server, reported };
}

/** Sends one frame and reads one back. */
async function echoFrame(connection: TcpConnection, text: string): Promise<string> {
  await connection.sendFrame(codec, Buffer.from(text));
  for await (const frame of connection.frames(codec)) return Buffer.from(frame).toString();
  throw new Error('no frame came back');
}

describe('an oversize frame on a connection', () => {
  it('closes only that connection, with the frame error as closeReason; the server serves on', async () => {
    const { server, reported } = await frameEchoServer();
    const earlier = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await echoFrame(earlier, 'before')).toBe('before');

    // A raw client announces a 100 MB frame and sends a little of it.
    const raw = open.socket(netConnect({ host: '127.0.0.1', port: server.port }));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(100 * MiB);
    raw.write(Buffer.concat([header, Buffer.alloc(64 * 1024, 0x61)]));
    const outcome = await receiveUntilClosed(raw, 5000);
    expect(outcome.data.length).toBe(0);
    if (outcome.error) expect(outcome.error.code).toBe('ECONNRESET');

    expect(await waitUntil(() => reported.length === 1 && server.stats.active === 1)).toBe(true);
    const { error, connection } = reported[0]!;
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(error).toMatchObject({ size: 100 * MiB, limit: MiB });
    expect(error.message).toBe(
      `frame of ${100 * MiB} bytes exceeds the ${MiB}-byte limit (raise maxFrameSize)`,
    );
    expect(connection.closeReason).toBe(error);
    expect(connection.closed).toBe(true);
    expect(server.stats).toMatchObject({ accepted: 2, active: 1, errors: 1 });

    // The connection that was open goes on, and the next client is served.
    expect(await echoFrame(earlier, 'after')).toBe('after');
    const next = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await echoFrame(next, 'next client')).toBe('next client');
  });

  it('on the client side, throws from frames() and closes the connection with that reason', async () => {
    const server = open.server(
      await createServer(async (connection) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(100 * MiB);
        await connection.send(Buffer.concat([header, Buffer.alloc(1000)]));
        for await (const _ of connection); // until the client's side ends
      }),
    );
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const frames: Uint8Array[] = [];
    const err = await rejectionOf(
      (async () => {
        for await (const frame of c.frames(codec)) frames.push(frame);
      })(),
    );
    expect(frames).toEqual([]);
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(c.closeReason).toBe(err);
    await within(c.whenClosed, 2000, 'the client connection closing');
    expect(await waitUntil(() => server.stats.active === 0)).toBe(true);
  });

  it('a line longer than maxLineLength closes the connection before the line ends', async () => {
    const lines = newlineDelimited({ maxLineLength: 1024 });
    const reported: unknown[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          for await (const line of connection.frames(lines)) await connection.send(`${line}\n`);
        },
        { onError: (error) => reported.push(error) },
      ),
    );
    const raw = open.socket(netConnect({ host: '127.0.0.1', port: server.port }));
    raw.write('short\n');
    expect((await readBytes(raw, 6)).toString()).toBe('short\n');
    raw.write(Buffer.alloc(4096, 0x62)); // no newline, ever
    const outcome = await receiveUntilClosed(raw, 5000);
    expect(outcome.data.length).toBe(0);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ code: 'ERR_TCP_FRAME_TOO_LARGE', line: 2, limit: 1024 });
  });

  it('a malformed JSON line closes the connection with ERR_TCP_FRAME_MALFORMED', async () => {
    const json = jsonLines();
    const reasons: unknown[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          for await (const value of connection.frames(json))
            await connection.sendFrame(json, value);
        },
        { onError: (_error, connection) => reasons.push(connection.closeReason) },
      ),
    );
    const raw = open.socket(netConnect({ host: '127.0.0.1', port: server.port }));
    raw.write('{"a":1}\n');
    expect((await readBytes(raw, 8)).toString()).toBe('{"a":1}\n');
    raw.write('{nope}\n{"b":2}\n');
    const outcome = await receiveUntilClosed(raw, 5000);
    expect(outcome.data.length).toBe(0);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: 'ERR_TCP_FRAME_MALFORMED', line: 2 });
  });
});
