import { describe, expect, it } from 'vitest';
import {
  createEchoServer,
  createServer,
  createSocket,
  request,
  TimeoutError,
  type UdpServer,
  type UdpSocket,
} from '../src/index.js';
import { closeAfterEach, rejectionOf, settlesWithin, sleep, waitUntil } from './helpers.js';

const { sockets, servers } = closeAfterEach(100);

async function echo(host = '127.0.0.1'): Promise<UdpServer> {
  const server = await createEchoServer({ host });
  servers.push(server);
  return server;
}

/** A bound socket that never answers, counting what it gets. */
async function silent(host = '127.0.0.1'): Promise<{ socket: UdpSocket; port: number }> {
  const socket = createSocket();
  sockets.push(socket);
  const { port } = await socket.bind(0, host);
  return { socket, port };
}

function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => /udp/i.test(r)).length;
}

describe('request', () => {
  it('resolves with the reply from an echo server', async () => {
    const server = await echo();
    const { port } = server.address();
    const reply = await request({ host: '127.0.0.1', port }, 'hello', { timeout: 2000 });
    expect(reply.data.toString()).toBe('hello');
    expect(reply.address).toBe('127.0.0.1');
    expect(reply.port).toBe(port);
    expect(reply.attempts).toBe(1);
    expect(reply.ignored).toBe(0);
    expect(reply.rtt).toBeGreaterThanOrEqual(0);
    expect(reply.truncated).toBe(false);
  });

  it('works over IPv6', async () => {
    const server = await echo('::1');
    const reply = await request({ host: '::1', port: server.address().port }, Buffer.from([1, 2]));
    expect([...reply.data]).toEqual([1, 2]);
    expect(reply.family).toBe('IPv6');
    expect(reply.address).toBe('::1');
  });

  it('defaults the host to localhost (IPv4)', async () => {
    const server = await echo();
    const reply = await request({ port: server.address().port }, 'local');
    expect(reply.data.toString()).toBe('local');
  });

  it('retransmits with backoff until answered', async () => {
    let seen = 0;
    const server = await createServer((d) => (++seen <= 2 ? undefined : d.data));
    servers.push(server);
    const reply = await request({ host: '127.0.0.1', port: server.address().port }, 'again', {
      timeout: 60,
      retries: 4,
      backoff: 2,
    });
    expect(reply.attempts).toBe(3);
    expect(reply.data.toString()).toBe('again');
    expect(server.stats.received).toBe(3);
  });

  it('times out after the last retry, having waited the backoff sum', async () => {
    const { socket: peer, port } = await silent();
    const started = performance.now();
    const err = await rejectionOf(
      request({ host: '127.0.0.1', port }, 'anyone?', { timeout: 40, retries: 2, backoff: 2 }),
    );
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('ERR_NETKIT_TIMEOUT');
    expect(err.message).toContain('3 attempts');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    // 40 + 80 + 160 ms of waiting (a lower bound only: a loaded machine may take longer).
    expect(elapsed).toBeGreaterThanOrEqual(270);
    expect(await waitUntil(() => peer.stats.received === 3, 1000)).toBe(true);
  });

  it('caps each wait at maxTimeout and says "1 attempt" without retries', async () => {
    const { port } = await silent();
    const capped = await rejectionOf(
      request({ host: '127.0.0.1', port }, 'x', {
        timeout: 20,
        retries: 2,
        backoff: 10,
        maxTimeout: 30,
      }),
    );
    expect(capped.message).toContain('last wait 30 ms');
    const once = await rejectionOf(
      request({ host: '127.0.0.1', port }, 'x', { timeout: 20, retries: 0 }),
    );
    expect(once.message).toContain('after 1 attempt ');
  });

  it('ignores and counts datagrams from other senders', async () => {
    // The server answers late; meanwhile a third socket sprays the client's port.
    const server = await createServer(async (d) => {
      await sleep(300);
      return Buffer.concat([Buffer.from('re:'), d.data]);
    });
    servers.push(server);
    const client = createSocket();
    sockets.push(client);
    const { port: clientPort } = await client.bind(0, '127.0.0.1');
    const sprayer = createSocket();
    sockets.push(sprayer);

    const pending = request({ host: '127.0.0.1', port: server.address().port }, 'q', {
      socket: client,
      timeout: 2000,
      retries: 0,
    });
    for (let i = 0; i < 5; i++)
      await sprayer.send(`noise${i}`, { host: '127.0.0.1', port: clientPort });
    const reply = await pending;
    expect(reply.data.toString()).toBe('re:q');
    expect(reply.port).toBe(server.address().port);
    expect(reply.ignored).toBe(5);
    expect(reply.attempts).toBe(1);
    // A socket passed in stays open for the caller.
    expect(client.closed).toBe(false);
  });

  it('rejects with ERR_NETKIT_ABORTED when the signal fires, leaving no socket open', async () => {
    const { port } = await silent();
    await sleep(30); // let handles closed by earlier tests go
    const before = udpHandles();
    const controller = new AbortController();
    const pending = request({ host: '127.0.0.1', port }, 'x', {
      timeout: 10_000,
      signal: controller.signal,
    });
    await sleep(20);
    expect(udpHandles()).toBeGreaterThan(before); // the request's own socket
    controller.abort();
    const outcome = await settlesWithin(pending, 2000);
    expect(outcome.settled).toBe(true);
    const err = outcome.settled ? (outcome.error as { code?: string }) : undefined;
    expect(err?.code).toBe('ERR_NETKIT_ABORTED');
    // The request's own socket is closed (node:dgram releases the handle on the next tick).
    expect(await waitUntil(() => udpHandles() <= before, 1000)).toBe(true);
  });

  it('refuses a timeout longer than setTimeout can wait, which would fire at once', async () => {
    for (const [name, options] of [
      ['timeout', { timeout: 3e9 }],
      ['maxTimeout', { maxTimeout: 2 ** 31 }],
    ] as const) {
      const err = await rejectionOf(request({ host: '127.0.0.1', port: 9 }, 'x', options));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toContain(name);
      expect(err.message).toContain('2147483647');
    }
  });

  it('rejects at once with an already aborted signal', async () => {
    const { port } = await silent();
    const outcome = await settlesWithin(
      request({ host: '127.0.0.1', port }, 'x', { timeout: 10_000, signal: AbortSignal.abort() }),
      1000,
    );
    expect(outcome.settled && (outcome.error as { code?: string }).code).toBe('ERR_NETKIT_ABORTED');
  });

  it('leaves a socket passed in usable after an abort', async () => {
    const server = await echo();
    const { port } = await silent();
    const client = createSocket();
    sockets.push(client);
    await client.bind(0, '127.0.0.1');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await rejectionOf(
      request({ host: '127.0.0.1', port }, 'x', { socket: client, signal: controller.signal }),
    );
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    const reply = await request({ host: '127.0.0.1', port: server.address().port }, 'y', {
      socket: client,
      timeout: 2000,
    });
    expect(reply.data.toString()).toBe('y');
  });

  it('rejects with ERR_UDP_SOCKET_CLOSED on a closed socket passed in', async () => {
    const { port } = await silent();
    const closed = createSocket();
    await closed.close();
    const err = await rejectionOf(request({ host: '127.0.0.1', port }, 'x', { socket: closed }));
    expect(err.code).toBe('ERR_UDP_SOCKET_CLOSED');
  });

  it('validates its options up front', async () => {
    const target = { host: '127.0.0.1', port: 9 };
    expect(await rejectionOf(request(target, 'x', { retries: -1 }))).toBeInstanceOf(RangeError);
    expect(await rejectionOf(request(target, 'x', { backoff: 0.5 }))).toBeInstanceOf(RangeError);
    expect(await rejectionOf(request(target, 'x', { timeout: -1 }))).toBeInstanceOf(RangeError);
    expect((await rejectionOf(request({ port: 0 }, 'x'))).message).toContain('port');
  });
});
