import { describe, expect, it } from 'vitest';
import {
  createEchoServer,
  createReplyServer,
  createServer,
  createSocket,
  type Datagram,
  type HandlerContext,
  UdpServer,
} from '../src/index.js';
import { closeAfterEach, rejectionOf, sleep, waitUntil } from './helpers.js';

const { sockets, servers } = closeAfterEach(200);

function track(server: UdpServer): UdpServer {
  servers.push(server);
  return server;
}

/** A client bound on loopback, with helpers to talk to one server port. */
async function client(port: number) {
  const socket = createSocket();
  sockets.push(socket);
  await socket.bind(0, '127.0.0.1');
  return {
    socket,
    send: (data: string) => socket.send(data, { host: '127.0.0.1', port }),
    next: async (timeout = 2000) => (await socket.receive({ timeout })).data.toString(),
  };
}

describe('ready-made servers', () => {
  it('echoes with a prefix', async () => {
    const server = track(await createEchoServer({ prefix: 'OK...' }));
    expect(server.endpoint).toBe(`127.0.0.1:${server.address().port}`);
    const c = await client(server.address().port);
    await c.send('hello');
    expect(await c.next()).toBe('OK...hello');
    expect(await waitUntil(() => server.stats.replied === 1)).toBe(true);
    expect(server.stats).toEqual({ received: 1, replied: 1, errors: 0, dropped: 0 });
  });

  it('echoes unchanged without a prefix', async () => {
    const server = track(await createEchoServer());
    const c = await client(server.address().port);
    await c.send('same');
    expect(await c.next()).toBe('same');
  });

  it('answers every datagram with a fixed reply', async () => {
    const server = track(await createReplyServer('Ack'));
    const c = await client(server.address().port);
    await c.send('first');
    await c.send('second');
    expect([await c.next(), await c.next()]).toEqual(['Ack', 'Ack']);
    expect(await waitUntil(() => server.stats.replied === 2)).toBe(true);
    expect(server.stats.received).toBe(2);
  });
});

describe('createServer', () => {
  it('counts handler errors, reports them, and keeps serving', async () => {
    const reported: [unknown, Datagram][] = [];
    const server = track(
      await createServer(
        (d) => {
          const text = d.data.toString();
          if (text.startsWith('throw')) throw new Error(`bad ${text}`);
          if (text.startsWith('reject')) return Promise.reject(new Error(`bad ${text}`));
          return `ok ${text}`;
        },
        { onError: (err, d) => reported.push([err, d]) },
      ),
    );
    const c = await client(server.address().port);
    for (const m of ['throw1', 'a', 'reject1', 'b', 'throw2', 'c']) await c.send(m);
    expect([await c.next(), await c.next(), await c.next()]).toEqual(['ok a', 'ok b', 'ok c']);
    expect(await waitUntil(() => server.stats.errors === 3)).toBe(true);
    expect(server.stats.received).toBe(6);
    expect(server.stats.replied).toBe(3);
    expect(reported.map(([err]) => (err as Error).message).sort()).toEqual([
      'bad reject1',
      'bad throw1',
      'bad throw2',
    ]);
    expect(reported.map(([, d]) => d.port)).toEqual([
      c.socket.address()?.port,
      c.socket.address()?.port,
      c.socket.address()?.port,
    ]);
    // Nothing else was sent back.
    expect((await rejectionOf(c.next(100))).code).toBe('ERR_NETKIT_TIMEOUT');
  });

  it('survives an onError that throws', async () => {
    const server = track(
      await createServer(
        (d) => {
          if (d.data.toString() === 'boom') throw new Error('boom');
          return 'fine';
        },
        {
          onError: () => {
            throw new Error('reporter broke');
          },
        },
      ),
    );
    const c = await client(server.address().port);
    await c.send('boom');
    await c.send('next');
    expect(await c.next()).toBe('fine');
    expect(server.stats.errors).toBe(1);
  });

  it('sends what an async handler resolves to', async () => {
    const server = track(
      await createServer(async (d) => {
        await sleep(20);
        return `later ${d.data.toString()}`;
      }),
    );
    const c = await client(server.address().port);
    await c.send('x');
    expect(await c.next()).toBe('later x');
  });

  it('sends nothing when the handler returns undefined or null', async () => {
    const server = track(
      await createServer((d) => (d.data.toString() === 'null' ? null : undefined)),
    );
    const c = await client(server.address().port);
    await c.send('undefined');
    await c.send('null');
    expect((await rejectionOf(c.next(150))).code).toBe('ERR_NETKIT_TIMEOUT');
    expect(server.stats).toEqual({ received: 2, replied: 0, errors: 0, dropped: 0 });
  });

  it('gives handlers the server socket, to send more than one reply', async () => {
    const server = track(
      await createServer(async (d, { socket }) => {
        await socket.send('part 1', { host: d.address, port: d.port });
        return 'part 2';
      }),
    );
    expect(server.socket.address()?.port).toBe(server.address().port);
    const c = await client(server.address().port);
    await c.send('go');
    expect([await c.next(), await c.next()]).toEqual(['part 1', 'part 2']);
  });

  it('drops and counts datagrams beyond maxConcurrent running handlers', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const server = track(
      await createServer(
        async (d) => {
          started++;
          await gate;
          return d.data;
        },
        { maxConcurrent: 2 },
      ),
    );
    const c = await client(server.address().port);
    for (let i = 0; i < 5; i++) await c.send(`m${i}`);
    expect(await waitUntil(() => server.stats.received === 5)).toBe(true);
    expect(started).toBe(2);
    expect(server.stats.dropped).toBe(3);
    release();
    expect([await c.next(), await c.next()].sort()).toEqual(['m0', 'm1']);
    expect((await rejectionOf(c.next(100))).code).toBe('ERR_NETKIT_TIMEOUT');
    // With the handlers done, new datagrams are served again.
    await c.send('m5');
    expect(await c.next()).toBe('m5');
  });

  it('counts a reply too large for a datagram as a handler error', async () => {
    const errors: unknown[] = [];
    const server = track(
      await createServer((d) => (d.data.toString() === 'big' ? Buffer.alloc(70_000) : 'small'), {
        onError: (err) => errors.push(err),
      }),
    );
    const c = await client(server.address().port);
    await c.send('big');
    await c.send('other');
    expect(await c.next()).toBe('small');
    expect(server.stats.errors).toBe(1);
    expect((errors[0] as { code?: string }).code).toBe('ERR_UDP_MESSAGE_TOO_LARGE');
  });

  it('rejects a handler that is not a function, and bad options', () => {
    expect(() => new UdpServer(42 as never)).toThrow(TypeError);
    expect(() => new UdpServer(() => undefined, { maxConcurrent: 0 })).toThrow(/maxConcurrent/);
  });
});

describe('close', () => {
  it('waits for a slow handler, whose reply still goes out', async () => {
    let finished = false;
    const server = track(
      await createServer(async () => {
        await sleep(200);
        finished = true;
        return 'done';
      }),
    );
    const c = await client(server.address().port);
    await c.send('slow');
    expect(await waitUntil(() => server.stats.received === 1)).toBe(true);
    expect(finished).toBe(false);
    await server.close({ timeout: 5000 });
    expect(finished).toBe(true);
    expect(server.socket.closed).toBe(true);
    expect(server.stats.replied).toBe(1);
    // Counted as replied, so it must have gone out (not been dropped by the close that followed).
    expect(await c.next(1000)).toBe('done');
  });

  it('cuts a handler that outlives the close timeout, and aborts its signal', async () => {
    let context: HandlerContext | undefined;
    const server = track(
      await createServer(async (_d, ctx) => {
        context = ctx;
        // Runs until the server's signal fires (bounded at 10 s in case it never does).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return 'too late';
      }),
    );
    const c = await client(server.address().port);
    await c.send('stuck');
    expect(await waitUntil(() => context !== undefined)).toBe(true);
    expect(context?.signal.aborted).toBe(false);
    const started = performance.now();
    await server.close({ timeout: 100 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(5000);
    expect(context?.signal.aborted).toBe(true);
    expect(server.socket.closed).toBe(true);
    expect((await rejectionOf(c.next(100))).code).toBe('ERR_NETKIT_TIMEOUT');
    expect(server.stats.replied).toBe(0);
  });

  it('closes at once with no handler running, and twice is fine', async () => {
    const server = track(await createEchoServer());
    const started = performance.now();
    await server.close();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(server.socket.closed).toBe(true);
    expect(() => server.address()).toThrow(/not listening/);
  });

  it('closes when its signal fires', async () => {
    const controller = new AbortController();
    const server = track(await createEchoServer({ signal: controller.signal }));
    controller.abort();
    expect(await waitUntil(() => server.socket.closed)).toBe(true);
  });

  it('does not serve when created with an already aborted signal', async () => {
    let server: UdpServer | undefined;
    try {
      server = await createEchoServer({ signal: AbortSignal.abort() });
      track(server);
    } catch {
      return; // refusing to start is fine too
    }
    // The server must not hold a bound socket that nothing will ever close.
    expect(await waitUntil(() => server.socket.closed, 500)).toBe(true);
  });
});
