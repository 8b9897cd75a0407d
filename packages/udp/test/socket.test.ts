import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSocket,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  MessageTooLargeError,
  ReusePortUnsupportedError,
  SocketClosedError,
  supportsReusePort,
  TimeoutError,
  type UdpSocket,
  type UdpSocketOptions,
  UdpSystemError,
} from '../src/index.js';
import { rejectionOf, settlesWithin, sleep, thrownBy, waitUntil } from './helpers.js';

// Every socket made here is closed after its test, whatever the test did with it.
const open: UdpSocket[] = [];
function socket(options: UdpSocketOptions = {}): UdpSocket {
  const s = createSocket(options);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A receiver bound on loopback and its port. */
async function bound(host = '127.0.0.1', options: UdpSocketOptions = {}) {
  const s = socket(options);
  const { port } = await s.bind({ port: 0, host });
  return { s, port };
}

describe('bind', () => {
  it('binds 127.0.0.1 on a free port as udp4', async () => {
    const s = socket();
    expect(s.address()).toBeUndefined();
    const address = await s.bind({ port: 0, host: '127.0.0.1' });
    expect(address.address).toBe('127.0.0.1');
    expect(address.family).toBe('IPv4');
    expect(address.port).toBeGreaterThan(0);
    expect(s.address()).toEqual(address);
    expect(s.type).toBe('udp4');
  });

  it('binds ::1 on a free port as udp6', async () => {
    const s = socket();
    const address = await s.bind(0, '::1');
    expect(address.address).toBe('::1');
    expect(address.family).toBe('IPv6');
    expect(address.port).toBeGreaterThan(0);
    expect(s.type).toBe('udp6');
  });

  it('refuses a second bind with ERR_UDP_ALREADY_BOUND', async () => {
    const { s } = await bound();
    expect((await rejectionOf(s.bind(0, '127.0.0.1'))).code).toBe('ERR_UDP_ALREADY_BOUND');
  });

  it('reports EADDRINUSE with its errno code, the address and a hint', async () => {
    const { port } = await bound();
    const second = socket();
    const err = await rejectionOf(second.bind(port, '127.0.0.1'));
    expect(err).toBeInstanceOf(UdpSystemError);
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain('reuseAddr');
    expect((err as UdpSystemError).hint).toBeTruthy();
    expect(second.address()).toBeUndefined();
  });

  it('lets two reuseAddr sockets bind one port', async () => {
    const { s: first, port } = await bound('127.0.0.1', { reuseAddr: true });
    const second = socket({ reuseAddr: true });
    const address = await second.bind(port, '127.0.0.1');
    expect(address.port).toBe(port);
    expect(first.address()?.port).toBe(port);
  });

  it('handles reusePort according to supportsReusePort', async () => {
    if (!supportsReusePort) {
      const err = thrownBy(() => createSocket({ reusePort: true }));
      expect(err).toBeInstanceOf(ReusePortUnsupportedError);
      expect(err.code).toBe('ERR_UDP_REUSEPORT_UNSUPPORTED');
      expect(err.message).toContain(process.version);
      return;
    }
    const { port } = await bound('127.0.0.1', { reusePort: true });
    const second = socket({ reusePort: true });
    expect((await second.bind(port, '127.0.0.1')).port).toBe(port);
  });

  it('rejects binding a udp4 socket to an IPv6 address with EAFNOSUPPORT', async () => {
    const s = socket({ type: 'udp4' });
    expect((await rejectionOf(s.bind(0, '::1'))).code).toBe('EAFNOSUPPORT');
  });
});

describe('options set before bind', () => {
  it('applies broadcast, TTL and the receive buffer size once bound', async () => {
    const s = socket({ broadcast: true, ttl: 9 });
    s.setBroadcast(true); // before bind node:dgram would throw EBADF
    s.setTTL(17);
    s.setRecvBufferSize(65_536);
    s.setSendBufferSize(65_536);
    expect(s.nodeSocket).toBeUndefined();
    await s.bind(0, '127.0.0.1');
    const node = s.nodeSocket;
    expect(node).toBeDefined();
    // Linux reports twice the size asked for (bookkeeping overhead); never less.
    expect(node!.getRecvBufferSize()).toBeGreaterThanOrEqual(65_536);
    expect(node!.getSendBufferSize()).toBeGreaterThanOrEqual(65_536);
    expect(s.bufferSizes()?.recv).toBe(node!.getRecvBufferSize());
  });

  it('applies recvBufferSize given as an option', async () => {
    const { s } = await bound('127.0.0.1', { recvBufferSize: 200_000 });
    expect(s.nodeSocket!.getRecvBufferSize()).toBeGreaterThanOrEqual(200_000);
  });

  it('does not bind a random port when addMembership comes before bind', async () => {
    // A port free right now: bind, read, close.
    const probe = socket();
    const { port } = await probe.bind(0, '0.0.0.0');
    await probe.close();

    const s = socket({ type: 'udp4', reuseAddr: true });
    s.addMembership('239.255.77.1', '127.0.0.1');
    expect(s.address()).toBeUndefined();
    const address = await s.bind({ port });
    expect(address.port).toBe(port);
    expect(s.address()?.port).toBe(port);
  });

  it('validates options up front, naming them', () => {
    const cases: [() => unknown, ErrorConstructor, string][] = [
      [() => createSocket({ maxDatagramSize: 0 }), RangeError, 'maxDatagramSize'],
      [() => createSocket({ receiveQueue: 1.5 }), TypeError, 'receiveQueue'],
      [() => createSocket({ maxInFlight: 0 }), RangeError, 'maxInFlight'],
      [() => createSocket({ ttl: 256 }), RangeError, 'ttl'],
      [() => createSocket({ type: 'udp5' as 'udp4' }), TypeError, 'type'],
      [() => createSocket().setRecvBufferSize(0), RangeError, 'recvBufferSize'],
      [() => createSocket().addMembership('not-an-ip'), TypeError, 'group'],
    ];
    for (const [fn, kind, name] of cases) {
      const err = thrownBy(fn);
      expect(err).toBeInstanceOf(kind);
      expect(err.message).toContain(name);
    }
  });
});

describe('send and receive', () => {
  it('sends a string and bytes, and reports the bytes sent', async () => {
    const { s: receiver, port } = await bound();
    const sender = socket();
    expect(await sender.send('héllo', { host: '127.0.0.1', port })).toBe(6);
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    // A view with a byteOffset: only its own bytes go out.
    expect(await sender.send(backing.subarray(2, 5), { host: '127.0.0.1', port })).toBe(3);
    expect(await sender.send(Buffer.from([0xff, 0]), { host: '127.0.0.1', port })).toBe(2);

    const a = await receiver.receive({ timeout: 2000 });
    expect(a.data.toString('utf8')).toBe('héllo');
    expect(a.size).toBe(6);
    const b = await receiver.receive({ timeout: 2000 });
    expect([...b.data]).toEqual([1, 2, 3]);
    const c = await receiver.receive({ timeout: 2000 });
    expect([...c.data]).toEqual([0xff, 0]);
    expect(sender.stats.sent).toBe(3);
    expect(receiver.stats.received).toBe(3);
  });

  it('binds implicitly on the first send, taking the family from the target', async () => {
    const { s: receiver, port } = await bound('::1');
    const sender = socket();
    expect(sender.type).toBeUndefined();
    await sender.send('six', { host: '::1', port });
    expect(sender.type).toBe('udp6');
    expect(sender.address()?.port).toBeGreaterThan(0);
    const d = await receiver.receive({ timeout: 2000 });
    expect(d.family).toBe('IPv6');
    expect(d.port).toBe(sender.address()?.port);
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`yields data, address, port, family and size with for await (${host})`, async () => {
      const { s: receiver, port } = await bound(host);
      const sender = socket();
      const { port: senderPort } = await sender.bind(0, host);
      const payloads = ['one', 'two!', 'three'];
      for (const p of payloads) await sender.send(p, { host, port });

      const got = [];
      for await (const d of receiver) {
        got.push(d);
        if (got.length === payloads.length) break;
      }
      expect(got.map((d) => d.data.toString())).toEqual(payloads);
      for (const d of got) {
        expect(d.address).toBe(host);
        expect(d.port).toBe(senderPort);
        expect(d.family).toBe(host === '::1' ? 'IPv6' : 'IPv4');
        expect(d.size).toBe(d.data.length);
        expect(d.truncated).toBe(false);
      }
    });
  }

  it('rejects receive({ timeout }) with ERR_NETKIT_TIMEOUT and still receives later', async () => {
    const { s: receiver, port } = await bound();
    const started = performance.now();
    const err = await rejectionOf(receiver.receive({ timeout: 50 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('ERR_NETKIT_TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // The timed-out wait must not swallow the next datagram.
    const sender = socket();
    await sender.send('after', { host: '127.0.0.1', port });
    expect((await receiver.receive({ timeout: 2000 })).data.toString()).toBe('after');
  });

  it('rejects receive({ signal }) with ERR_NETKIT_ABORTED, with the reason as cause', async () => {
    const { s: receiver, port } = await bound();
    const controller = new AbortController();
    const pending = receiver.receive({ signal: controller.signal });
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 20);
    const err = await rejectionOf(pending);
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    expect(err.cause).toBe(reason);
    // An already aborted signal rejects at once.
    const again = await rejectionOf(receiver.receive({ signal: AbortSignal.abort() }));
    expect(again.code).toBe('ERR_NETKIT_ABORTED');
    // And the aborted waits do not eat the next datagram.
    await socket().send('x', { host: '127.0.0.1', port });
    expect((await receiver.receive({ timeout: 2000 })).data.toString()).toBe('x');
  });

  it('connects: sends need no address, and only the peer gets through', async () => {
    const { s: peer, port: peerPort } = await bound();
    const { s: client, port: clientPort } = await bound();
    await client.connect(peerPort, '127.0.0.1');
    expect(client.remoteAddress()?.port).toBe(peerPort);
    await client.send('no address needed');
    const d = await peer.receive({ timeout: 2000 });
    expect(d.data.toString()).toBe('no address needed');
    expect(d.port).toBe(clientPort);

    // A stranger's datagram is filtered by the kernel; the peer's reply arrives.
    const stranger = socket();
    await stranger.send('stranger', { host: '127.0.0.1', port: clientPort });
    await peer.send('reply', { host: '127.0.0.1', port: clientPort });
    const r = await client.receive({ timeout: 2000 });
    expect(r.data.toString()).toBe('reply');
    expect(r.port).toBe(peerPort);
    expect((await rejectionOf(client.receive({ timeout: 100 }))).code).toBe('ERR_NETKIT_TIMEOUT');
  });

  it('rejects a datagram over the udp4 limit and delivers the largest one whole', async () => {
    const { s: receiver, port } = await bound('127.0.0.1', { recvBufferSize: 1 << 20 });
    const sender = socket({ type: 'udp4' });
    const err = await rejectionOf(
      sender.send(Buffer.alloc(MAX_UDP_PAYLOAD_IPV4 + 1), { host: '127.0.0.1', port }),
    );
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect(err.code).toBe('ERR_UDP_MESSAGE_TOO_LARGE');
    expect((err as MessageTooLargeError).size).toBe(65_508);
    expect((err as MessageTooLargeError).limit).toBe(65_507);
    expect(sender.stats.sent).toBe(0);

    const big = Buffer.alloc(MAX_UDP_PAYLOAD_IPV4);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    expect(await sender.send(big, { host: '127.0.0.1', port })).toBe(65_507);
    const d = await receiver.receive({ timeout: 2000 });
    expect(d.truncated).toBe(false);
    expect(d.size).toBe(65_507);
    expect(d.data.equals(big)).toBe(true);
  });

  it('rejects a datagram over the udp6 limit', async () => {
    const sender = socket({ type: 'udp6' });
    const err = await rejectionOf(
      sender.send(Buffer.alloc(MAX_UDP_PAYLOAD_IPV6 + 1), { host: '::1', port: 9 }),
    );
    expect(err.code).toBe('ERR_UDP_MESSAGE_TOO_LARGE');
    expect((err as MessageTooLargeError).limit).toBe(65_527);
  });

  it('delivers a datagram larger than maxDatagramSize cut, flagged and counted', async () => {
    const { s: receiver, port } = await bound('127.0.0.1', { maxDatagramSize: 10 });
    const payload = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    await socket().send(payload, { host: '127.0.0.1', port });
    const d = await receiver.receive({ timeout: 2000 });
    expect(d.truncated).toBe(true);
    expect(d.size).toBe(100);
    expect(d.data.length).toBe(10);
    expect(d.data.equals(payload.subarray(0, 10))).toBe(true);
    expect(receiver.stats.truncated).toBe(1);
  });

  it('counts datagrams dropped because nobody read the full receive queue', async () => {
    const { s: receiver, port } = await bound('127.0.0.1', { receiveQueue: 5 });
    const sender = socket();
    for (let i = 0; i < 50; i++) await sender.send(`d${i}`, { host: '127.0.0.1', port });
    expect(await waitUntil(() => receiver.stats.received === 50, 3000)).toBe(true);
    expect(receiver.stats.dropped).toBe(45);
    // The five queued are the first five, in order.
    const kept = [];
    for (let i = 0; i < 5; i++)
      kept.push((await receiver.receive({ timeout: 1000 })).data.toString());
    expect(kept).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect((await rejectionOf(receiver.receive({ timeout: 50 }))).code).toBe('ERR_NETKIT_TIMEOUT');
  });

  it('rejects a send to port 0 with a RangeError naming the port', async () => {
    const err = await rejectionOf(socket().send('x', { host: '127.0.0.1', port: 0 }));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain('port');
  });
});

describe('close', () => {
  it('ends an iterator and rejects a pending receive with ERR_UDP_SOCKET_CLOSED', async () => {
    const { s: iterated } = await bound();
    const { s: waited } = await bound();
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const d of iterated) seen.push(d);
      return 'ended';
    })();
    const pending = waited.receive();
    await sleep(20);
    await Promise.all([iterated.close(), waited.close()]);
    expect(await loop).toBe('ended');
    expect(seen).toEqual([]);
    const err = await rejectionOf(pending);
    expect(err).toBeInstanceOf(SocketClosedError);
    expect(err.code).toBe('ERR_UDP_SOCKET_CLOSED');
  });

  it('rejects every use after close', async () => {
    const { s } = await bound();
    await s.close();
    expect(s.closed).toBe(true);
    expect(s.address()).toBeUndefined();
    expect((await rejectionOf(s.send('x', { host: '127.0.0.1', port: 9 }))).code).toBe(
      'ERR_UDP_SOCKET_CLOSED',
    );
    expect((await rejectionOf(s.receive())).code).toBe('ERR_UDP_SOCKET_CLOSED');
    expect((await rejectionOf(s.bind(0))).code).toBe('ERR_UDP_SOCKET_CLOSED');
    expect(thrownBy(() => s.setBroadcast(true)).code).toBe('ERR_UDP_SOCKET_CLOSED');
    await s.close(); // twice is fine
  });

  it('settles a send that is in flight when close() is called', async () => {
    // node:dgram resolves the target (even an IP literal) on the next tick and, when the socket
    // closed meanwhile, drops the send without calling its callback: the promise must still settle.
    const { port } = await bound();
    const { s } = await bound();
    const inFlight = s.send('x', { host: '127.0.0.1', port });
    await s.close();
    const outcome = await settlesWithin(inFlight, 1000);
    expect(outcome.settled, 'send() still pending 1 s after close()').toBe(true);
    // Resolving (it went out) or rejecting with a coded error are both fine; hanging is not.
    if (outcome.settled && outcome.error !== undefined) {
      expect(typeof (outcome.error as { code?: unknown }).code).toBe('string');
    }
  });

  it('still sends a datagram that trySend() accepted just before close()', async () => {
    const { s: receiver, port } = await bound();
    const { s } = await bound();
    expect(s.trySend('last words', port, '127.0.0.1')).toBe(true);
    expect(s.stats.sent).toBe(1);
    await s.close();
    // stats.sent counts it as handed to the kernel: it must arrive.
    expect((await receiver.receive({ timeout: 1000 })).data.toString()).toBe('last words');
  });

  it('trySend() refuses before bind and after close', async () => {
    const s = socket();
    expect(thrownBy(() => s.trySend('x', 9, '127.0.0.1')).code).toBe('ERR_UDP_SOCKET_CLOSED');
    await s.bind(0, '127.0.0.1');
    await s.close();
    expect(thrownBy(() => s.trySend('x', 9, '127.0.0.1')).code).toBe('ERR_UDP_SOCKET_CLOSED');
  });

  it('removes its abort listener on close(), so one long-lived signal does not collect them', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const s = socket({ signal: controller.signal });
      if (i % 2 === 0) await s.bind(0, '127.0.0.1'); // bound or not, close() lets go of the signal
      await s.close();
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const live = socket({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(await waitUntil(() => live.closed, 2000)).toBe(true);
  });

  it('closes a socket that was never bound', async () => {
    const s = socket();
    await s.close();
    expect(s.closed).toBe(true);
    expect((await rejectionOf(s.send('x', { host: '127.0.0.1', port: 9 }))).code).toBe(
      'ERR_UDP_SOCKET_CLOSED',
    );
  });

  it('closes through Symbol.asyncDispose (await using)', async () => {
    let pending: Promise<unknown> | undefined;
    let kept: UdpSocket | undefined;
    {
      await using s = createSocket();
      await s.bind(0, '127.0.0.1');
      kept = s;
      pending = s.receive();
      expect(s.closed).toBe(false);
    }
    expect(kept.closed).toBe(true);
    expect((await rejectionOf(pending)).code).toBe('ERR_UDP_SOCKET_CLOSED');
  });

  it('closes when its signal fires', async () => {
    const controller = new AbortController();
    const { s } = await bound('127.0.0.1', { signal: controller.signal });
    const pending = s.receive();
    controller.abort();
    expect((await rejectionOf(pending)).code).toBe('ERR_UDP_SOCKET_CLOSED');
    expect(s.closed).toBe(true);
  });
});
