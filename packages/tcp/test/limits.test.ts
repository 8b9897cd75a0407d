// Server limits: maxConnections (refuse at once, recover), the idle timeout (many silent clients
// closed while others are served), and the per-connection byte limit.
import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ByteLimitError,
  connect,
  createEchoServer,
  createServer,
  IdleTimeoutError,
  type TcpConnection,
} from '../src/index.js';
import { closeAfterEach, receiveUntilClosed, sleep, waitUntil, within } from './helpers.js';

const open = closeAfterEach();

/** Sends `text` on an open connection and reads until that many bytes came back. */
async function ping(connection: TcpConnection, text: string): Promise<string> {
  await connection.send(text);
  let answer = '';
  for await (const chunk of connection) {
    answer += chunk.toString();
    if (answer.length >= text.length) break;
  }
  return answer;
}

/** Connects, sends `text`, half-closes and reads the whole answer. */
async function exchange(port: number, text: string): Promise<string> {
  const c = open.connection(await connect({ host: '127.0.0.1', port }));
  await c.end(text);
  return (await c.readAll({ maxBytes: 1 << 20, timeout: 5000 })).toString();
}

describe('maxConnections', () => {
  it('refuses connections over the limit at once, counts them, and recovers', async () => {
    const server = open.server(await createEchoServer({ maxConnections: 2 }));
    const a = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const b = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await waitUntil(() => server.stats.active === 2)).toBe(true);

    // Over the limit: the handshake completes in the kernel, then the server resets at once.
    for (let i = 1; i <= 3; i++) {
      const outcome = await receiveUntilClosed(
        open.socket(netConnect({ host: '127.0.0.1', port: server.port })),
        5000,
      );
      expect(outcome.data.length).toBe(0);
      expect(outcome.error?.code ?? 'closed').toMatch(/^(ECONNRESET|closed)$/);
      expect(outcome.ms).toBeLessThan(2000);
      expect(server.stats.refused).toBe(i);
    }
    // The two accepted connections were not disturbed.
    expect(await ping(a, 'a still works')).toBe('a still works');
    expect(await ping(b, 'b still works')).toBe('b still works');
    expect(server.stats).toMatchObject({ accepted: 2, active: 2, refused: 3 });

    // One closes: the server accepts again.
    await a.close();
    expect(await waitUntil(() => server.stats.active === 1)).toBe(true);
    expect(await exchange(server.port, 'accepted again')).toBe('accepted again');
    expect(server.stats).toMatchObject({ accepted: 3, refused: 3 });
  });
});

describe('idle timeout', () => {
  it('closes 200 silent connections while other clients are served', async () => {
    const idleTimeout = 1500;
    const reported: unknown[] = [];
    const server = open.server(
      await createEchoServer({
        idleTimeout,
        onError: (err) => reported.push(err),
      }),
    );
    const IDLE = 200;
    const idle = Array.from({ length: IDLE }, () =>
      receiveUntilClosed(
        open.socket(netConnect({ host: '127.0.0.1', port: server.port })),
        idleTimeout + 10_000,
      ),
    );
    expect(await waitUntil(() => server.stats.accepted === IDLE, 10_000)).toBe(true);

    // Meanwhile: one busy client talking every 100 ms, and new clients coming and going.
    const busy = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const started = performance.now();
    let rounds = 0;
    let visitors = 0;
    while (performance.now() - started < idleTimeout * 1.4) {
      expect(await ping(busy, `round ${rounds}`)).toBe(`round ${rounds}`);
      rounds++;
      if (rounds % 3 === 0) {
        expect(await exchange(server.port, `visitor ${visitors}`)).toBe(`visitor ${visitors}`);
        visitors++;
      }
      await sleep(100);
    }

    const outcomes = await within(Promise.all(idle), idleTimeout + 10_000, 'the idle clients');
    for (const outcome of outcomes) {
      expect(outcome.data.length).toBe(0);
      expect(outcome.ms).toBeGreaterThanOrEqual(idleTimeout * 0.9);
    }
    expect(server.stats.idleTimeouts).toBe(IDLE);
    expect(reported).toHaveLength(IDLE);
    expect(reported.every((e) => e instanceof IdleTimeoutError)).toBe(true);
    expect((reported[0] as IdleTimeoutError).code).toBe('ERR_TCP_IDLE_TIMEOUT');
    // The busy one is still open and served.
    expect(busy.closed).toBe(false);
    expect(await ping(busy, 'still here')).toBe('still here');
    expect(server.stats).toMatchObject({
      accepted: IDLE + 1 + visitors,
      completed: visitors,
      errors: 0,
      idleTimeouts: IDLE,
    });
  });
});

describe('maxBytesPerConnection', () => {
  it('closes a connection that sends more than the limit, and only that one', async () => {
    const reported: { error: unknown; reason: unknown }[] = [];
    const server = open.server(
      await createEchoServer({
        maxBytesPerConnection: 1000,
        onError: (error, connection) => reported.push({ error, reason: connection.closeReason }),
      }),
    );
    const under = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const over = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await ping(over, 'x'.repeat(600))).toBe('x'.repeat(600));
    expect(await ping(under, 'y'.repeat(900))).toBe('y'.repeat(900));

    await over.send('x'.repeat(600)); // 1200 bytes in all
    const rest: Buffer[] = [];
    let failure: unknown;
    try {
      for await (const chunk of over) rest.push(chunk);
    } catch (err) {
      failure = err;
    }
    expect(Buffer.concat(rest).length).toBeLessThanOrEqual(600);
    if (failure !== undefined) expect(failure).toMatchObject({ code: 'ECONNRESET' });

    expect(await waitUntil(() => server.stats.byteLimits === 1)).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.error).toBeInstanceOf(ByteLimitError);
    expect(reported[0]!.error).toMatchObject({
      code: 'ERR_TCP_BYTE_LIMIT',
      message: 'the connection sent more than its limit of 1000 bytes',
    });
    expect(reported[0]!.reason).toBe(reported[0]!.error);
    // The other connection goes on up to its own limit.
    expect(await ping(under, 'z'.repeat(100))).toBe('z'.repeat(100));
    expect(server.stats).toMatchObject({ byteLimits: 1, errors: 0 });
  });

  // The limit's 'data' listener switches the socket to flowing mode: bytes that arrive before the
  // handler starts reading are emitted to no one and lost (see the report).
  it('loses no bytes when the handler starts reading late', async () => {
    const server = open.server(
      await createServer(
        async (connection) => {
          await sleep(50);
          const text = await connection.readAll({ maxBytes: 1000, timeout: 5000 });
          await connection.send(`read: ${text.toString()}`);
        },
        { maxBytesPerConnection: 1000 },
      ),
    );
    expect(await exchange(server.port, 'early bytes')).toBe('read: early bytes');
  });
});
