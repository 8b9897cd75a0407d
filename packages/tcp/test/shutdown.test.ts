// Graceful shutdown: close() stops accepting, signals the handlers, lets slow connections finish
// within drainTimeout and destroys the rest after it.
import { describe, expect, it } from 'vitest';
import {
  connect,
  createEchoServer,
  createServer,
  type TcpConnection,
  type TcpServer,
} from '../src/index.js';
import { closeAfterEach, rejectionOf, sleep, waitUntil, within } from './helpers.js';

const open = closeAfterEach();

/** The first chunk a connection receives ('' if it ends first). */
async function firstChunk(connection: TcpConnection): Promise<string> {
  for await (const chunk of connection) return chunk.toString();
  return '';
}

describe('close()', () => {
  it('stops accepting, lets a slow connection finish, destroys a stuck one after drainTimeout', async () => {
    const drainTimeout = 1000;
    let signalled = 0;
    const started: string[] = [];
    const server = open.server(
      await createServer(
        async (connection, { signal }) => {
          signal.addEventListener('abort', () => signalled++);
          const kind = await firstChunk(connection);
          started.push(kind);
          if (kind === 'slow') {
            await sleep(300);
            await connection.send('slow one done');
            return;
          }
          await connection.whenClosed; // stuck: ignores the signal
        },
        { drainTimeout },
      ),
    );
    const port = server.port;
    const slow = open.connection(await connect({ host: '127.0.0.1', port }));
    const stuck = open.connection(await connect({ host: '127.0.0.1', port }));
    await slow.send('slow');
    await stuck.send('stuck');
    expect(await waitUntil(() => started.length === 2)).toBe(true);

    const closeStarted = performance.now();
    const closing = server.close();
    expect(server.close()).toBe(closing);
    let closedAfter: number | undefined;
    void closing.then(() => {
      closedAfter = performance.now() - closeStarted;
    });

    // No new connections once close() has begun.
    expect((await rejectionOf(connect({ host: '127.0.0.1', port }))).code).toBe('ECONNREFUSED');
    // Every handler heard about the shutdown.
    expect(signalled).toBe(2);

    // The slow connection gets its answer and the server's end of stream.
    const answer = await slow.readAll({ maxBytes: 1024, timeout: 5000 });
    expect(answer.toString()).toBe('slow one done');
    await slow.end();
    expect(closedAfter).toBeUndefined();

    // The stuck one is closed at drainTimeout (its client reads the end), and close() resolves then.
    const rest = await stuck.readAll({ maxBytes: 1024, timeout: drainTimeout + 3000 });
    expect(rest.length).toBe(0);
    await within(closing, 3000, 'close()');
    expect(closedAfter).toBeGreaterThanOrEqual(drainTimeout * 0.9);
    expect(server.stats).toMatchObject({ accepted: 2, active: 0, errors: 0 });
  });

  it('resolves at once when no connection is open', async () => {
    const server = await createEchoServer();
    const port = server.port;
    await within(server.close(), 1000, 'close()');
    expect((await rejectionOf(connect({ host: '127.0.0.1', port }))).code).toBe('ECONNREFUSED');
  });

  it('waits for handlers that finish when signalled, not for drainTimeout', async () => {
    const server = await createServer(
      async (connection, { signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        await connection.send('shutting down');
      },
      { drainTimeout: 10_000 },
    );
    open.server(server);
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(await waitUntil(() => server.stats.active === 1)).toBe(true);
    const closing = server.close();
    const answer = await c.readAll({ maxBytes: 100, timeout: 5000 });
    expect(answer.toString()).toBe('shutting down');
    await c.end();
    await within(closing, 5000, 'close()');
  });

  it('closes when its signal fires, and through Symbol.asyncDispose', async () => {
    const controller = new AbortController();
    const server = open.server(await createEchoServer({ signal: controller.signal }));
    const port = server.port;
    controller.abort();
    expect(await waitUntil(() => !server.server.listening), 'stopped listening').toBe(true);
    expect((await rejectionOf(connect({ host: '127.0.0.1', port }))).code).toBe('ECONNREFUSED');

    let kept: TcpServer | undefined;
    {
      await using disposable = await createEchoServer();
      kept = disposable;
    }
    expect(kept.server.listening).toBe(false);
  });

  // The constructor calls close() before listen(); listen() then binds anyway, and since close()
  // already ran, nothing ever closes that listener (see the report).
  it('does not listen when created with an already aborted signal', async () => {
    let server: TcpServer | undefined;
    try {
      server = open.server(await createEchoServer({ signal: AbortSignal.abort() }));
    } catch (err) {
      expect(err).toMatchObject({ code: 'ERR_NETKIT_ABORTED' });
      return; // refusing to start is fine
    }
    // Otherwise the server must not hold a listening socket that nothing will ever close.
    const listening = () => server.server.listening;
    try {
      expect(await waitUntil(() => !listening(), 500), 'still listening').toBe(true);
      await server.close();
      expect(listening()).toBe(false);
    } finally {
      server.server.close(); // whatever happened, do not leave the listener behind
    }
  });
});
