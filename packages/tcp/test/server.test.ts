// createServer: one handler call per connection, stats, handler errors, and what clients see.
// Limits (maxConnections, idle timeout, byte limit) and shutdown have their own files.
import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  connect,
  createEchoServer,
  createServer,
  echoHandler,
  lengthPrefixed,
  type TcpConnection,
  TcpServer,
} from '../src/index.js';
import {
  closeAfterEach,
  rawConnect,
  receiveUntilClosed,
  rejectionOf,
  sleep,
  waitUntil,
  within,
} from './helpers.js';

const open = closeAfterEach();

/** Connects, sends `text`, half-closes and reads the whole answer. */
async function exchange(port: number, text: string): Promise<string> {
  const c = open.connection(await connect({ host: '127.0.0.1', port }));
  await c.end(text);
  return (await c.readAll({ maxBytes: 1 << 20, timeout: 5000 })).toString();
}

/** The first chunk a connection receives ('' if it ends first). */
async function firstChunk(connection: TcpConnection): Promise<string> {
  for await (const chunk of connection) return chunk.toString();
  return '';
}

describe('handlers', () => {
  it('calls the handler once per connection, each with its own connection', async () => {
    const seen: { port: number | undefined; address: string | undefined }[] = [];
    const server = open.server(
      await createServer(async (connection) => {
        seen.push({ port: connection.remotePort, address: connection.remoteAddress });
        const text = (await connection.readAll({ maxBytes: 1024, timeout: 5000 })).toString();
        await connection.send(`${text} from ${connection.remote}`);
      }),
    );
    const clients = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
        const localPort = c.socket.localPort;
        await c.end(`client ${i}`);
        const answer = (await c.readAll({ maxBytes: 1024, timeout: 5000 })).toString();
        return { answer, localPort };
      }),
    );
    clients.forEach(({ answer, localPort }, i) => {
      expect(answer).toBe(`client ${i} from 127.0.0.1:${localPort}`);
    });
    expect(seen.map((s) => s.port).sort()).toEqual(clients.map((c) => c.localPort).sort());
    expect(seen.every((s) => s.address === '127.0.0.1')).toBe(true);
    expect(await waitUntil(() => server.stats.active === 0)).toBe(true);
    expect(server.stats).toEqual({
      accepted: 5,
      active: 0,
      refused: 0,
      completed: 5,
      errors: 0,
      idleTimeouts: 0,
      byteLimits: 0,
    });
  });

  it('keeps stats.active at the connections open now', async () => {
    const server = open.server(await createEchoServer());
    const a = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    const b = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await waitUntil(() => server.stats.active === 2)).toBe(true);
    await a.close();
    expect(await waitUntil(() => server.stats.active === 1)).toBe(true);
    await b.close();
    expect(await waitUntil(() => server.stats.active === 0)).toBe(true);
    expect(server.stats).toMatchObject({ accepted: 2, completed: 2, errors: 0 });
  });

  it('closes only the connection whose handler throws or rejects, and reports it', async () => {
    const reported: { message: string; closed: boolean }[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          const first = await firstChunk(connection);
          if (first === 'throw') throw new Error('handler threw');
          if (first === 'reject') return Promise.reject(new Error('handler rejected'));
          await connection.send(first);
          return echoHandler(connection, { signal: new AbortController().signal });
        },
        {
          onError: (err, connection) =>
            reported.push({ message: (err as Error).message, closed: connection.closed }),
        },
      ),
    );
    const good = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    await good.send('hello');
    expect(await firstChunk(good)).toBe('hello');

    for (const bad of ['throw', 'reject']) {
      const raw = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
      raw.write(bad);
      const outcome = await receiveUntilClosed(raw, 5000);
      expect(outcome.data.length).toBe(0);
    }
    expect(await waitUntil(() => server.stats.errors === 2)).toBe(true);
    expect(reported.map((r) => r.message)).toEqual(['handler threw', 'handler rejected']);

    // The good connection and new ones are untouched.
    await good.send('still there');
    expect(await firstChunk(good)).toBe('still there');
    expect(await exchange(server.port, 'new client')).toBe('new client');
    expect(server.stats).toMatchObject({ accepted: 4, errors: 2 });
  });

  it('survives a handler that throws synchronously and an onError that throws', async () => {
    let calls = 0;
    const server = open.server(
      await createServer(
        (connection) => {
          calls++;
          if (calls === 1) throw new Error('sync throw');
          return echoHandler(connection, { signal: new AbortController().signal });
        },
        {
          onError: () => {
            throw new Error('the reporter broke too');
          },
        },
      ),
    );
    const raw = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    expect((await receiveUntilClosed(raw, 5000)).data.length).toBe(0);
    expect(await exchange(server.port, 'after')).toBe('after');
    expect(server.stats).toMatchObject({ accepted: 2, errors: 1, completed: 1 });
  });

  it('a client resetting mid-message does not disturb the others', async () => {
    const codec = lengthPrefixed();
    const reported: { code?: string }[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          for await (const frame of connection.frames(codec)) {
            await connection.sendFrame(codec, frame);
          }
        },
        { onError: (err) => reported.push(err as { code?: string }) },
      ),
    );
    const FRAMES = 30;
    const talk = async (id: number) => {
      const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
      const sending = (async () => {
        for (let i = 0; i < FRAMES; i++) {
          await c.sendFrame(codec, Buffer.from(`client ${id} frame ${i} `.repeat(50)));
          await sleep(5);
        }
        await c.end();
      })();
      const back: string[] = [];
      for await (const frame of c.frames(codec)) back.push(Buffer.from(frame).toString());
      await sending;
      return back;
    };
    const talking = [1, 2, 3].map(talk);

    // Half a frame, then a reset (RST) instead of the rest.
    const bad = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1000);
    bad.write(Buffer.concat([header, Buffer.alloc(500, 0x7a)]));
    await sleep(30);
    bad.resetAndDestroy();

    const results = await within(Promise.all(talking), 10_000, 'the other clients');
    results.forEach((back, index) => {
      const id = index + 1;
      expect(back).toEqual(
        Array.from({ length: FRAMES }, (_, i) => `client ${id} frame ${i} `.repeat(50)),
      );
    });
    expect(await exchange(server.port, '')).toBe('');
    expect(await waitUntil(() => server.stats.active === 0)).toBe(true);
    // The reset connection failed alone: a read error, counted once.
    expect(server.stats).toMatchObject({ accepted: 5, completed: 4, errors: 1 });
    expect(reported.map((e) => e.code)).toEqual(['ECONNRESET']);
  });
});

describe('listening', () => {
  it('reports its address, endpoint and port', async () => {
    const server = open.server(await createEchoServer());
    const address = server.address();
    expect(address).toEqual({ address: '127.0.0.1', family: 'IPv4', port: server.port });
    expect(server.endpoint).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('throws ERR_TCP_NOT_LISTENING before listen()', () => {
    const server = new TcpServer(echoHandler);
    expect(() => server.address()).toThrow(
      expect.objectContaining({ code: 'ERR_TCP_NOT_LISTENING' }),
    );
  });

  it('fails with EADDRINUSE and a hint when the port is taken', async () => {
    const first = open.server(await createEchoServer());
    const err = await rejectionOf(createEchoServer({ port: first.port }));
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toBe(
      `listening on 127.0.0.1:${first.port}: EADDRINUSE (another socket is listening there; pick another port (or remove the process holding it))`,
    );
    expect(await exchange(first.port, 'first still serves')).toBe('first still serves');
  });

  it('listens on IPv6', async () => {
    const server = open.server(await createEchoServer({ host: '::1' }));
    expect(server.address()).toMatchObject({ address: '::1', family: 'IPv6' });
    const c = open.connection(await connect({ host: '::1', port: server.port }));
    await c.end('v6');
    expect((await c.readAll({ maxBytes: 10, timeout: 5000 })).toString()).toBe('v6');
  });

  it('applies noDelay to accepted connections', async () => {
    const flags: unknown[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          const symbol = Object.getOwnPropertySymbols(connection.socket).find(
            (s) => s.description === 'kSetNoDelay',
          );
          flags.push(symbol && (connection.socket as unknown as Record<symbol, unknown>)[symbol]);
        },
        { noDelay: true },
      ),
    );
    const raw = open.socket(netConnect({ host: '127.0.0.1', port: server.port }));
    await receiveUntilClosed(raw, 5000);
    expect(flags).toEqual([true]);
  });

  it('refuses bad options up front', () => {
    expect(() => new TcpServer('echo' as never)).toThrow(TypeError);
    expect(() => new TcpServer(echoHandler, { maxConnections: 0 })).toThrow(RangeError);
    expect(() => new TcpServer(echoHandler, { idleTimeout: -1 })).toThrow(RangeError);
    expect(() => new TcpServer(echoHandler, { maxBytesPerConnection: 0 })).toThrow(RangeError);
    expect(() => new TcpServer(echoHandler, { drainTimeout: Number.NaN })).toThrow(RangeError);
  });
});
