// The client-list service between netkit peers: plain and framed protocols, repeated names,
// name validation on both sides, IPv6 and Unix sockets, limits.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ClientList,
  createClientListServer,
  createServer,
  joinClientList,
  lengthPrefixed,
  validateClientName,
} from '../src/index.js';
import {
  closeAfterEach,
  rawConnect,
  receiveUntilClosed,
  rejectionOf,
  waitUntil,
} from './helpers.js';

const open = closeAfterEach();

/** A raw client sending `name` bytes (then FIN); returns the answer and its local port. */
async function rawJoin(
  port: number,
  name: string | Uint8Array,
): Promise<{ answer: unknown; localPort: number }> {
  const socket = open.socket(await rawConnect({ host: '127.0.0.1', port }));
  const localPort = socket.localPort!;
  socket.end(name);
  const { data } = await receiveUntilClosed(socket, 5000);
  return { answer: JSON.parse(data.toString()), localPort };
}

/** The same in the framed protocol: one length-prefixed frame each way. */
async function rawFramedJoin(port: number, name: Uint8Array): Promise<unknown> {
  const codec = lengthPrefixed();
  const socket = open.socket(await rawConnect({ host: '127.0.0.1', port }));
  socket.end(codec.encode(name));
  const { data } = await receiveUntilClosed(socket, 5000);
  const frames = codec.decoder().push(data);
  expect(frames).toHaveLength(1);
  return JSON.parse(Buffer.from(frames[0]!).toString());
}

describe('plain protocol', () => {
  it('answers each join with the whole list, in joining order', async () => {
    const joins: [string, number][] = [];
    const server = open.server(
      await createClientListServer({ onJoin: (entry, size) => joins.push([entry.name, size]) }),
    );
    const port = server.port;
    const first = await joinClientList({ host: '127.0.0.1', port, name: 'alice' });
    expect(Object.keys(first)).toEqual(['alice']);
    expect(first.alice).toEqual({ name: 'alice', address: '127.0.0.1', port: expect.any(Number) });
    const second = await joinClientList({ host: '127.0.0.1', port, name: 'bob' });
    expect(Object.keys(second)).toEqual(['alice', 'bob']);
    expect(second.alice).toEqual(first.alice);
    // The entry's port is the client's own port, as the seed records it.
    const { answer, localPort } = await rawJoin(port, 'carol');
    expect((answer as ClientList).carol).toEqual({
      name: 'carol',
      address: '127.0.0.1',
      port: localPort,
    });
    expect(server.clients()).toEqual(answer);
    expect(joins).toEqual([
      ['alice', 1],
      ['bob', 2],
      ['carol', 3],
    ]);
  });

  it('takes a name ended by a newline, or by silence as the seed client sends it', async () => {
    const server = open.server(await createClientListServer({ nameQuietTime: 100 }));
    expect(Object.keys((await rawJoin(server.port, 'dave\r\n')).answer as object)).toEqual([
      'dave',
    ]);
    // No newline and no FIN: the name is complete after nameQuietTime.
    const socket = open.socket(await rawConnect({ host: '127.0.0.1', port: server.port }));
    socket.write('eve');
    const { data } = await receiveUntilClosed(socket, 5000);
    expect(Object.keys(JSON.parse(data.toString()))).toEqual(['dave', 'eve']);
  });

  it('replaces the entry of a repeated name and keeps its place', async () => {
    const server = open.server(await createClientListServer());
    const a1 = await rawJoin(server.port, 'a');
    await rawJoin(server.port, 'b');
    const a2 = await rawJoin(server.port, 'a');
    const list = a2.answer as ClientList;
    expect(Object.keys(list)).toEqual(['a', 'b']);
    expect(list.a!.port).toBe(a2.localPort);
    expect(a2.localPort).not.toBe(a1.localPort);
  });

  it('refuses bad names with an error reply and keeps serving', async () => {
    const refusals: string[] = [];
    const server = open.server(
      await createClientListServer({ onRefuse: (reason) => refusals.push(reason) }),
    );
    const port = server.port;
    const cases: [string | Uint8Array, string][] = [
      [Buffer.from([0x61, 0xc3, 0x28]), 'the name is not valid UTF-8'],
      ['', 'the name is empty'],
      ['bell\x07', 'the name contains control characters'],
      ['x'.repeat(257), 'the name is 257 bytes long; at most 256 are allowed'],
      ['y'.repeat(300), 'the name is longer than 256 bytes'],
    ];
    for (const [name, reason] of cases) {
      expect((await rawJoin(port, name)).answer).toEqual({ error: reason });
    }
    expect(refusals).toEqual(cases.map(([, reason]) => reason));
    // joinClientList turns the reply into ERR_CLIENTS_REFUSED.
    const err = await rejectionOf(
      joinClientList({ host: '127.0.0.1', port, name: 'z'.repeat(300), maxNameBytes: 1000 }),
    );
    expect(err.code).toBe('ERR_CLIENTS_REFUSED');
    expect(err.message).toBe('the server refused: the name is longer than 256 bytes');
    // Nothing bad entered the list, and good names still join.
    expect(await joinClientList({ host: '127.0.0.1', port, name: 'fine' })).toEqual({
      fine: expect.objectContaining({ name: 'fine' }),
    });
    expect(server.stats).toMatchObject({ errors: 0 });
  });

  it('refuses bad names locally with ERR_CLIENTS_BAD_NAME, before connecting', async () => {
    const server = open.server(await createClientListServer());
    const join = (name: string) => joinClientList({ host: '127.0.0.1', port: server.port, name });
    for (const name of ['', 'x'.repeat(257), 'é'.repeat(129), 'tab\there', 'del\x7f']) {
      const err = await rejectionOf(join(name));
      expect(err.code, JSON.stringify(name)).toBe('ERR_CLIENTS_BAD_NAME');
    }
    expect(() => validateClientName(new Uint8Array([0xff]))).toThrow(
      expect.objectContaining({ code: 'ERR_CLIENTS_BAD_NAME' }),
    );
    expect(validateClientName('é'.repeat(128))).toBe('é'.repeat(128));
    expect(server.stats.accepted).toBe(0);
  });

  it('refuses new names once maxClients are listed, but takes repeated ones', async () => {
    const server = open.server(await createClientListServer({ maxClients: 2 }));
    const port = server.port;
    await joinClientList({ host: '127.0.0.1', port, name: 'one' });
    await joinClientList({ host: '127.0.0.1', port, name: 'two' });
    const err = await rejectionOf(joinClientList({ host: '127.0.0.1', port, name: 'three' }));
    expect(err.message).toBe('the server refused: the list is full (2 clients)');
    expect(Object.keys(await joinClientList({ host: '127.0.0.1', port, name: 'one' }))).toEqual([
      'one',
      'two',
    ]);
  });

  it('bounds what joinClientList reads and waits', async () => {
    const server = open.server(await createClientListServer());
    const port = server.port;
    await joinClientList({ host: '127.0.0.1', port, name: 'a'.repeat(200) });
    const tooBig = await rejectionOf(
      joinClientList({ host: '127.0.0.1', port, name: 'b', maxBytes: 100 }),
    );
    expect(tooBig).toBeInstanceOf(RangeError);
    expect(tooBig.message).toContain('the peer sent more than 100 bytes');

    const silent = open.server(await createServer(async (c) => void (await c.whenClosed)));
    const late = await rejectionOf(
      joinClientList({ host: '127.0.0.1', port: silent.port, name: 'c', timeout: 200 }),
    );
    expect(late.code).toBe('ERR_NETKIT_TIMEOUT');

    const mute = open.server(await createServer(() => undefined));
    const nothing = await rejectionOf(
      joinClientList({ host: '127.0.0.1', port: mute.port, name: 'd' }),
    );
    expect(nothing).toMatchObject({
      code: 'ERR_CLIENTS_REFUSED',
      message: 'the server closed without answering',
    });
  });

  it('refuses bad options up front', async () => {
    await expect(createClientListServer({ protocol: 'xml' as never })).rejects.toThrow(TypeError);
    await expect(createClientListServer({ maxNameBytes: 0 })).rejects.toThrow(RangeError);
    await expect(createClientListServer({ maxClients: 0 })).rejects.toThrow(RangeError);
  });
});

describe('framed protocol', () => {
  it('answers each join with the whole list', async () => {
    const server = open.server(await createClientListServer({ protocol: 'framed' }));
    const port = server.port;
    const opts = { host: '127.0.0.1', port, protocol: 'framed' as const };
    expect(Object.keys(await joinClientList({ ...opts, name: 'alice' }))).toEqual(['alice']);
    const list = await joinClientList({ ...opts, name: 'bob' });
    expect(Object.keys(list)).toEqual(['alice', 'bob']);
    expect(list.bob).toEqual({ name: 'bob', address: '127.0.0.1', port: expect.any(Number) });
  });

  it('refuses bad names with an error frame and keeps serving', async () => {
    const server = open.server(await createClientListServer({ protocol: 'framed' }));
    const port = server.port;
    expect(await rawFramedJoin(port, Buffer.from([0xfe]))).toEqual({
      error: 'the name is not valid UTF-8',
    });
    expect(await rawFramedJoin(port, Buffer.from('a\nb'))).toEqual({
      error: 'the name contains control characters',
    });
    expect(await rawFramedJoin(port, new Uint8Array(0))).toEqual({ error: 'the name is empty' });
    const ok = await joinClientList({ host: '127.0.0.1', port, protocol: 'framed', name: 'ok' });
    expect(Object.keys(ok)).toEqual(['ok']);
  });

  // frames() destroys the connection on a frame error before the handler can send its error
  // reply: the client sees a close instead of the reason (see the report).
  it('answers a name over maxNameBytes with the reason', async () => {
    const refusals: string[] = [];
    const server = open.server(
      await createClientListServer({
        protocol: 'framed',
        onRefuse: (reason) => refusals.push(reason),
      }),
    );
    const port = server.port;
    const err = await rejectionOf(
      joinClientList({
        host: '127.0.0.1',
        port,
        protocol: 'framed',
        name: 'n'.repeat(300),
        maxNameBytes: 1000,
      }),
    );
    // The same reason as in the plain protocol.
    expect(refusals).toEqual(['the name is longer than 256 bytes']);
    expect(err).toMatchObject({
      code: 'ERR_CLIENTS_REFUSED',
      message: `the server refused: ${refusals[0]}`,
    });
    expect(await waitUntil(() => server.stats.active === 0)).toBe(true);
    expect(server.stats.errors).toBe(0);
  });
});

describe('other transports', () => {
  it('works over IPv6', async () => {
    const server = open.server(await createClientListServer({ host: '::1' }));
    await joinClientList({ host: '::1', port: server.port, name: 'six' });
    const list = await joinClientList({ host: '::1', port: server.port, name: 'seven' });
    expect(Object.keys(list)).toEqual(['six', 'seven']);
    expect(list.six).toEqual({ name: 'six', address: '::1', port: expect.any(Number) });
  });

  it('works over a Unix socket, in both protocols', async () => {
    const dir = await open.tempDir();
    for (const protocol of ['plain', 'framed'] as const) {
      const path = join(dir, `${protocol}.sock`);
      open.server(await createClientListServer({ path, protocol }));
      await joinClientList({ path, protocol, name: 'first' });
      const list = await joinClientList({ path, protocol, name: 'second' });
      expect(list).toEqual({
        first: { name: 'first', address: 'unix', port: 0 },
        second: { name: 'second', address: 'unix', port: 0 },
      });
    }
  });
});
