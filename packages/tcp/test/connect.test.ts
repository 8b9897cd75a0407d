// connect(): IPv4, IPv6, Unix sockets, errors with hints, timeout and abort, socket options.
import { join } from 'node:path';
import { freePort, run, skipUnless, spawnProcess } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { connect, createEchoServer, type TcpConnection, TcpSystemError } from '../src/index.js';
import { closeAfterEach, rawConnect, rejectionOf, settlesWithin } from './helpers.js';

const open = closeAfterEach();

/** Sends `text`, half-closes, and reads the whole answer. */
async function roundTrip(connection: TcpConnection, text: string): Promise<string> {
  await connection.end(text);
  return (await connection.readAll({ maxBytes: 1024, timeout: 2000 })).toString();
}

describe('connect by address', () => {
  it('connects over IPv4', async () => {
    const server = open.server(await createEchoServer());
    const c = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(c.remote).toBe(`127.0.0.1:${server.port}`);
    expect(c.remoteAddress).toBe('127.0.0.1');
    expect(c.remotePort).toBe(server.port);
    expect(await roundTrip(c, 'over IPv4')).toBe('over IPv4');
  });

  it('connects over IPv6', async () => {
    const server = open.server(await createEchoServer({ host: '::1' }));
    expect(server.endpoint).toBe(`[::1]:${server.port}`);
    const c = open.connection(await connect({ host: '::1', port: server.port }));
    expect(c.remote).toBe(`[::1]:${server.port}`);
    expect(c.socket.remoteFamily).toBe('IPv6');
    expect(await roundTrip(c, 'over IPv6')).toBe('over IPv6');
  });

  it('resolves localhost (the default host) to whichever family answers', async () => {
    const server = open.server(await createEchoServer({ host: '127.0.0.1' }));
    const c = open.connection(await connect({ port: server.port }));
    expect(c.remoteAddress).toBe('127.0.0.1');
    expect(await roundTrip(c, 'by name')).toBe('by name');
  });

  it('connects by Unix socket path', async () => {
    const path = join(await open.tempDir(), 'echo.sock');
    const server = open.server(await createEchoServer({ path }));
    expect(server.endpoint).toBe(path);
    const c = open.connection(await connect({ path }));
    expect(c.remote).toBe(path);
    expect(c.remoteAddress).toBeUndefined();
    expect(await roundTrip(c, 'over a Unix socket')).toBe('over a Unix socket');
  });
});

describe('connect errors', () => {
  it('rejects with ECONNREFUSED and a hint when nothing listens', async () => {
    const port = await freePort('tcp');
    const err = await rejectionOf(connect({ host: '127.0.0.1', port }));
    expect(err).toBeInstanceOf(TcpSystemError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toBe(
      `connecting to 127.0.0.1:${port}: ECONNREFUSED (nothing is listening there; start the server or check the port)`,
    );
    expect((err as TcpSystemError).syscall).toBe('connect');
    expect((err as TcpSystemError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with ENOENT and a hint when no Unix socket is at the path', async () => {
    const path = join(await open.tempDir(), 'nobody.sock');
    const err = await rejectionOf(connect({ path }));
    expect(err.code).toBe('ENOENT');
    expect(err.message).toContain(`connecting to ${path}: ENOENT (no Unix socket at that path`);
  });

  it('rejects at once with ERR_NETKIT_ABORTED for an aborted signal', async () => {
    const server = open.server(await createEchoServer());
    const reason = new Error('changed my mind');
    const err = await rejectionOf(
      connect({ host: '127.0.0.1', port: server.port, signal: AbortSignal.abort(reason) }),
    );
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    expect(err.cause).toBe(reason);
    // Nothing was left connected.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.stats.active).toBe(0);
  });

  it('refuses bad options up front', async () => {
    expect((await rejectionOf(connect({ host: '127.0.0.1' }))).name).toBe('TypeError');
    expect((await rejectionOf(connect({ port: 70_000 }))).name).toBe('RangeError');
    expect((await rejectionOf(connect({ path: '' }))).name).toBe('TypeError');
    expect((await rejectionOf(connect({ port: 1, timeout: -1 }))).name).toBe('RangeError');
    const signal = {} as AbortSignal;
    expect((await rejectionOf(connect({ port: 1, signal }))).name).toBe('TypeError');
  });
});

const py = skipUnless(['python3']);

// A listener that never accepts, with a backlog of 0: once one connection waits in its accept
// queue the kernel drops further SYNs, so a connect there hangs until its timeout or signal.
const FULL_BACKLOG = `
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(0)
print(s.getsockname()[1], flush=True)
time.sleep(60)
`;

describe.skipIf(py.skip)(`connect that cannot complete${py.note}`, () => {
  async function fullBacklogPort(): Promise<number> {
    const listener = open.process(spawnProcess('python3', ['-c', FULL_BACKLOG]));
    const port = Number((await listener.waitFor(/^(\d+)$/m, { stream: 'stdout' }))[1]);
    open.socket(await rawConnect({ host: '127.0.0.1', port })); // fills the accept queue
    return port;
  }

  it('rejects with ERR_NETKIT_TIMEOUT after its timeout', async () => {
    const port = await fullBacklogPort();
    const started = performance.now();
    const outcome = await settlesWithin(connect({ host: '127.0.0.1', port, timeout: 300 }), 3000);
    const elapsed = performance.now() - started;
    expect(outcome.settled).toBe(true);
    const err = (outcome as { error?: Error & { code?: string } }).error;
    expect(err?.code).toBe('ERR_NETKIT_TIMEOUT');
    expect(err?.message).toBe(`connecting to 127.0.0.1:${port}: timed out after 300 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
  });

  it('rejects with ERR_NETKIT_ABORTED when the signal fires while connecting', async () => {
    const port = await fullBacklogPort();
    const controller = new AbortController();
    const pending = connect({ host: '127.0.0.1', port, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const outcome = await settlesWithin(pending, 3000);
    expect(outcome.settled).toBe(true);
    expect((outcome as { error?: { code?: string } }).error?.code).toBe('ERR_NETKIT_ABORTED');
  });
});

const ss = skipUnless(['ss']);

/** Node's own record of an option it applies to the socket handle (no public getter exists). */
function nodeSocketFlag(connection: TcpConnection, name: string): unknown {
  const symbol = Object.getOwnPropertySymbols(connection.socket).find(
    (s) => s.description === name,
  );
  return symbol === undefined
    ? undefined
    : (connection.socket as unknown as Record<symbol, unknown>)[symbol];
}

describe('socket options', () => {
  it.skipIf(ss.skip)(`keepAlive sets SO_KEEPALIVE with the idle time given${ss.note}`, async () => {
    const server = open.server(await createEchoServer());
    const withProbe = open.connection(
      await connect({ host: '127.0.0.1', port: server.port, keepAlive: 30_000 }),
    );
    const without = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    // ss -o shows the kernel's keepalive timer for a socket that has SO_KEEPALIVE.
    const timerOf = async (c: TcpConnection) =>
      (
        await run('ss', ['-tnoH', 'state', 'established', `( sport = :${c.socket.localPort} )`], {
          check: true,
        })
      ).stdout;
    const probed = await timerOf(withProbe);
    expect(probed).toMatch(/timer:\(keepalive,(29|30)sec/);
    expect(await timerOf(without)).not.toContain('keepalive');
  });

  it('keepAlive: true and noDelay reach the socket', async () => {
    const server = open.server(await createEchoServer());
    const c = open.connection(
      await connect({ host: '127.0.0.1', port: server.port, keepAlive: true, noDelay: true }),
    );
    const plain = open.connection(await connect({ host: '127.0.0.1', port: server.port }));
    expect(nodeSocketFlag(c, 'kSetNoDelay')).toBe(true);
    expect(nodeSocketFlag(c, 'kSetKeepAlive')).toBe(true);
    expect(nodeSocketFlag(plain, 'kSetNoDelay')).toBe(false);
    expect(nodeSocketFlag(plain, 'kSetKeepAlive')).toBe(false);
    expect(await roundTrip(c, 'still works')).toBe('still works');
  });
});
