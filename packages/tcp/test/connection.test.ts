// TcpConnection on real sockets: receiving as chunks and frames, half-close both ways, close()
// and `await using`, readAll limits, errors from a peer that resets.
import { describe, expect, it } from 'vitest';
import {
  connect,
  createEchoServer,
  createServer,
  jsonLines,
  lengthPrefixed,
  newlineDelimited,
  type TcpConnection,
  TcpSystemError,
} from '../src/index.js';
import {
  closeAfterEach,
  rawConnect,
  rejectionOf,
  settlesWithin,
  sleep,
  waitUntil,
  within,
} from './helpers.js';

const open = closeAfterEach();

async function connectTo(port: number): Promise<TcpConnection> {
  return open.connection(await connect({ host: '127.0.0.1', port }));
}

describe('receiving', () => {
  it('yields the received bytes as chunks until the peer ends', async () => {
    const server = open.server(await createEchoServer());
    const c = await connectTo(server.port);
    await c.send('one ');
    await c.send(new TextEncoder().encode('two '));
    await c.send(Buffer.from('three'));
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of c) {
      expect(Buffer.isBuffer(chunk)).toBe(true);
      chunks.push(chunk);
      total += chunk.length;
      if (total === 'one two three'.length) await c.end();
    }
    expect(Buffer.concat(chunks).toString()).toBe('one two three');
    expect(c.bytesWritten).toBe(13);
    expect(c.bytesRead).toBe(13);
  });

  it('refuses a second reader while one is iterating', async () => {
    const server = open.server(await createEchoServer());
    const c = await connectTo(server.port);
    const first = c[Symbol.asyncIterator]();
    const pending = first.next();
    const err = await rejectionOf(c[Symbol.asyncIterator]().next());
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('the connection is already being read');
    await c.end('x');
    expect((await pending).value?.toString()).toBe('x');
    await first.return(undefined);
  });

  it('decodes length-prefixed frames of any size, split across reads', async () => {
    const codec = lengthPrefixed();
    const server = open.server(
      await createServer(async (connection) => {
        for await (const frame of connection.frames(codec)) {
          await connection.sendFrame(codec, frame);
        }
      }),
    );
    const c = await connectTo(server.port);
    const sizes = [0, 1, 100, 65_536, 300_000, 3];
    const frames = sizes.map((n, i) => Buffer.alloc(n, i + 1));
    for (const f of frames) await c.sendFrame(codec, f);
    await c.end();
    const back: Buffer[] = [];
    for await (const f of c.frames(codec)) back.push(Buffer.from(f));
    expect(back.map((f) => f.length)).toEqual(sizes);
    expect(back.every((f, i) => f.equals(frames[i]!))).toBe(true);
  });

  it('decodes lines and JSON lines', async () => {
    const lines = newlineDelimited();
    const json = jsonLines<{ n: number }>();
    const server = open.server(
      await createServer(async (connection) => {
        for await (const line of connection.frames(lines)) {
          await connection.sendFrame(json, { n: line.length });
        }
      }),
    );
    const c = await connectTo(server.port);
    // Lines cut at odd places, a "\r\n" one, an empty one, and a last one without "\n".
    for (const piece of ['a\nbb', 'b\r', '\n\nccc', 'cc\n', 'éé']) {
      await c.send(piece);
      await sleep(5);
    }
    await c.end();
    const answers: number[] = [];
    for await (const value of c.frames(json)) answers.push(value.n);
    expect(answers).toEqual([1, 3, 0, 5, 2]);
  });
});

describe('half-close', () => {
  it('client end(): the server sees the end of the stream and can still answer', async () => {
    const server = open.server(
      await createServer(async (connection) => {
        const all = await connection.readAll({ maxBytes: 1 << 20, timeout: 5000 });
        await connection.send(`got ${all.length} bytes: ${all.toString()}`);
      }),
    );
    const c = await connectTo(server.port);
    await c.send('hello ');
    await c.end('world');
    await expect(c.send('too late')).rejects.toMatchObject({ code: 'ERR_TCP_CONNECTION_CLOSED' });
    const answer = await c.readAll({ maxBytes: 1024, timeout: 5000 });
    expect(answer.toString()).toBe('got 11 bytes: hello world');
  });

  it('server end(): the client iteration ends and the client can still send', async () => {
    let heard: string | undefined;
    const server = open.server(
      await createServer(async (connection) => {
        await connection.end('bye');
        heard = (await connection.readAll({ maxBytes: 1024, timeout: 5000 })).toString();
      }),
    );
    const c = await connectTo(server.port);
    const received: string[] = [];
    for await (const chunk of c) received.push(chunk.toString());
    expect(received.join('')).toBe('bye');
    await c.send('still here');
    await c.end(', and done');
    await within(c.whenClosed, 5000, 'the connection closing');
    expect(await waitUntil(() => heard !== undefined)).toBe(true);
    expect(heard).toBe('still here, and done');
  });
});

describe('closing', () => {
  it('close() ends gracefully: the peer sees the end, later sends reject', async () => {
    const ends: string[] = [];
    const server = open.server(
      await createServer(async (connection) => {
        ends.push((await connection.readAll({ maxBytes: 1024, timeout: 5000 })).toString());
      }),
    );
    const c = await connectTo(server.port);
    await c.send('last words');
    await within(c.close(), 5000, 'close()');
    expect(c.closed).toBe(true);
    expect(ends).toEqual(['last words']);
    const err = await rejectionOf(c.send('more'));
    expect(err.code).toBe('ERR_TCP_CONNECTION_CLOSED');
    await within(c.close(), 1000, 'a second close()');
  });

  it('close() destroys the connection when the peer never ends its side', async () => {
    const server = open.server(
      await createServer(async (connection) => {
        await connection.whenClosed; // reads nothing, never ends
      }),
    );
    const c = await connectTo(server.port);
    const started = performance.now();
    await within(c.close({ timeout: 200 }), 3000, 'close({ timeout: 200 })');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(c.closed).toBe(true);
  });

  it('closes through Symbol.asyncDispose (await using)', async () => {
    const seen: string[] = [];
    const server = open.server(
      await createServer(async (connection) => {
        seen.push((await connection.readAll({ maxBytes: 1024, timeout: 5000 })).toString());
      }),
    );
    let kept: TcpConnection | undefined;
    {
      await using c = await connect({ host: '127.0.0.1', port: server.port });
      kept = c;
      await c.send('scoped');
    }
    expect(kept?.closed).toBe(true);
    expect(seen).toEqual(['scoped']);
  });

  it('destroy(reason) keeps the reason and fails what is pending', async () => {
    const server = open.server(await createServer(async (c) => void (await c.whenClosed)));
    const c = await connectTo(server.port);
    const reading = c.readAll({ maxBytes: 10 });
    const reason = new Error('enough');
    c.destroy(reason);
    expect(c.closeReason).toBe(reason);
    expect(await rejectionOf(reading)).toBe(reason);
    const err = await rejectionOf(c.send('x'));
    expect(err.code).toBe('ERR_TCP_CONNECTION_CLOSED');
    expect(err.cause).toBe(reason);
  });

  it('reports a reset by the peer as ECONNRESET with a hint', async () => {
    const server = open.server(
      await createServer(async (connection) => {
        await connection.send('partial answer');
        await sleep(50);
        connection.socket.resetAndDestroy();
      }),
    );
    const c = await connectTo(server.port);
    const received: string[] = [];
    const err = await rejectionOf(
      (async () => {
        for await (const chunk of c) received.push(chunk.toString());
      })(),
    );
    expect(received.join('')).toBe('partial answer');
    expect(err).toBeInstanceOf(TcpSystemError);
    expect(err.code).toBe('ECONNRESET');
    // The message names the peer, also after the reset (when Node.js no longer knows the address).
    expect(c.remote).toBe(`127.0.0.1:${server.port}`);
    expect(err.message).toContain(
      `127.0.0.1:${server.port}: ECONNRESET (the peer reset the connection)`,
    );
  });
});

describe('readAll', () => {
  it('closes the connection when the peer sends more than maxBytes', async () => {
    const server = open.server(
      await createServer(async (connection) => {
        await connection.send(Buffer.alloc(5000, 1));
        await connection.whenClosed;
      }),
    );
    const c = await connectTo(server.port);
    const err = await rejectionOf(c.readAll({ maxBytes: 1000, timeout: 5000 }));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe(
      `reading from 127.0.0.1:${server.port}: the peer sent more than 1000 bytes`,
    );
    expect(c.closeReason).toBe(err);
    await within(c.whenClosed, 2000, 'the connection closing');
  });

  it('times out with ERR_NETKIT_TIMEOUT and is aborted with ERR_NETKIT_ABORTED', async () => {
    const server = open.server(await createServer(async (c) => void (await c.whenClosed)));
    const a = await connectTo(server.port);
    const timedOut = await settlesWithin(a.readAll({ maxBytes: 10, timeout: 100 }), 3000);
    expect((timedOut as { error?: { code?: string } }).error?.code).toBe('ERR_NETKIT_TIMEOUT');
    expect(a.closed).toBe(true);

    const b = await connectTo(server.port);
    const controller = new AbortController();
    const reading = b.readAll({ maxBytes: 10, signal: controller.signal });
    controller.abort(new Error('stop'));
    const aborted = await settlesWithin(reading, 3000);
    expect((aborted as { error?: { code?: string } }).error?.code).toBe('ERR_NETKIT_ABORTED');

    const d = await connectTo(server.port);
    const pre = await rejectionOf(d.readAll({ maxBytes: 10, signal: AbortSignal.abort() }));
    expect(pre.code).toBe('ERR_NETKIT_ABORTED');
  });
});

describe('raw peers', () => {
  it('talks to a plain node:net client', async () => {
    const server = open.server(await createEchoServer());
    const raw = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    raw.end('plain');
    const chunks: Buffer[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('plain');
  });
});
