import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createLink, rejectionOf, skipUnless, type TestLink } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filters } from '../src/bpf.js';
import { interfaceInfo } from '../src/interfaces.js';
import { openPacketSocket, type PacketSocket } from '../src/packet-socket.js';
import { frame, openFds, TEST_ETHERTYPE } from './socket-helpers.js';

const req = skipUnless(['root', 'netns']);

describe.skipIf(req.skip)(`packet sockets on a veth pair${req.note}`, () => {
  let link: TestLink;
  let a: PacketSocket;
  let b: PacketSocket;

  beforeAll(async () => {
    link = await createLink();
    a = openPacketSocket({ interface: 'eth0', netns: link.a.name, protocol: TEST_ETHERTYPE });
    b = openPacketSocket({ interface: 'eth0', netns: link.b.name, protocol: TEST_ETHERTYPE });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await link?.destroy();
  });

  it('knows the interface it opened on', () => {
    expect(a.interface.name).toBe('eth0');
    expect(a.interface.mac).toBe(link.a.mac);
    expect(a.interface.mtu).toBe(1500);
    expect(a.interface.up).toBe(true);
    expect(a.interface.addresses).toContainEqual({
      family: 4,
      address: link.a.ipv4,
      prefixLength: 24,
    });
  });

  it('sends a frame that the other side receives with type, timestamp and length', async () => {
    const sent = frame(link.b.mac, link.a.mac, 'Hello');
    const pending = b.receive({ timeout: 5000 });
    const before = BigInt(Date.now()) * 1_000_000n;
    a.send(sent);
    const got = await pending;
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    expect(Buffer.from(got.data)).toEqual(sent);
    expect(got.packetType).toBe('host');
    expect(got.originalLength).toBe(60);
    expect(got.interfaceIndex).toBe(b.interface.index);
    expect(got.vlan).toBeUndefined();
    expect(got.timestamp).toBeGreaterThanOrEqual(before - 5_000_000n);
    expect(got.timestamp).toBeLessThanOrEqual(after);
  });

  it('tells broadcast, multicast and other-host frames apart', async () => {
    const iter = b[Symbol.asyncIterator]();
    a.send(frame('ff:ff:ff:ff:ff:ff', link.a.mac, 'bcast'));
    a.send(frame('01:00:5e:00:00:fb', link.a.mac, 'mcast'));
    a.send(frame('02:00:00:00:00:99', link.a.mac, 'other'));
    const types = [];
    for (let i = 0; i < 3; i++) types.push((await iter.next()).value?.packetType);
    await iter.return?.();
    expect(types).toEqual(['broadcast', 'multicast', 'otherhost']);
  });

  it('sees its own frames as outgoing, unless ignoreOutgoing', async () => {
    // The kernel shows outgoing frames only to 'all' sockets (ptype_all): filter instead.
    const only = filters.ethertype(TEST_ETHERTYPE);
    const tap = openPacketSocket({ interface: 'eth0', netns: link.a.name, filter: only });
    const deaf = openPacketSocket({
      interface: 'eth0',
      netns: link.a.name,
      filter: only,
      ignoreOutgoing: true,
    });
    try {
      const seen = tap.receive({ timeout: 5000 });
      const notSeen = rejectionOf(deaf.receive({ timeout: 300 }));
      a.send(frame(link.b.mac, link.a.mac, 'out'));
      expect((await seen).packetType).toBe('outgoing');
      expect((await notSeen).code).toBe('ERR_NETKIT_TIMEOUT');
      await b.receive({ timeout: 5000 }); // the far side got it
    } finally {
      await tap.close();
      await deaf.close();
    }
  });

  it('sendBatch sends every frame in one call; the far side counts them all', async () => {
    const n = 200;
    const rx = openPacketSocket({ interface: 'eth0', netns: link.b.name, protocol: 0x88b6 });
    try {
      const frames = Array.from({ length: n }, (_, i) =>
        frame(link.b.mac, link.a.mac, `batch ${i}`, 0x88b6),
      );
      const sentBefore = a.stats.sent;
      const got: string[] = [];
      const reading = (async () => {
        for await (const f of rx) {
          got.push(Buffer.from(f.data.subarray(14, 24)).toString().replace(/\0+$/, ''));
          if (got.length === n) break;
        }
      })();
      await new Promise((r) => setImmediate(r));
      expect(a.sendBatch(frames)).toBe(n);
      await reading;
      expect(got).toEqual(frames.map((_, i) => `batch ${i}`));
      expect(a.stats.sent - sentBefore).toBe(n);
      expect(rx.stats.received).toBe(n);
      expect(rx.stats.dropped).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it('counts the frames the kernel dropped while nobody read (PACKET_STATISTICS)', async () => {
    const rx = openPacketSocket({ interface: 'eth0', netns: link.b.name, protocol: 0x88bc });
    try {
      const n = 2000; // far more than the socket's receive buffer holds
      const frames = Array.from({ length: n }, () => frame(link.b.mac, link.a.mac, 'x', 0x88bc));
      expect(a.sendBatch(frames)).toBe(n);
      let queued = 0;
      try {
        for (;;) {
          await rx.receive({ timeout: 300 });
          queued++;
        }
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ERR_NETKIT_TIMEOUT');
      }
      const { received, dropped } = rx.stats;
      expect(received).toBe(queued);
      expect(dropped).toBeGreaterThan(0);
      expect(received + dropped).toBe(n);
    } finally {
      await rx.close();
    }
  });

  it('snapLength truncates delivery but reports the original length', async () => {
    const rx = openPacketSocket({
      interface: 'eth0',
      netns: link.b.name,
      protocol: TEST_ETHERTYPE,
      snapLength: 20,
    });
    try {
      const p = rx.receive({ timeout: 5000 });
      a.send(frame(link.b.mac, link.a.mac, 'truncated', TEST_ETHERTYPE, 100));
      const got = await p;
      expect(got.data.length).toBe(20);
      expect(got.originalLength).toBe(100);
      await b.receive({ timeout: 5000 });
    } finally {
      await rx.close();
    }
  });

  it('a BPF ethertype filter passes only matching frames', async () => {
    const rx = openPacketSocket({
      interface: 'eth0',
      netns: link.b.name,
      filter: filters.ethertype(0x88b7),
    });
    try {
      const first = rx.receive({ timeout: 5000 });
      a.send(frame(link.b.mac, link.a.mac, 'drop me', 0x88b8));
      a.send(frame(link.b.mac, link.a.mac, 'keep me', 0x88b7));
      const got = await first;
      expect(Buffer.from(got.data).readUInt16BE(12)).toBe(0x88b7);
      expect((await rejectionOf(rx.receive({ timeout: 300 }))).code).toBe('ERR_NETKIT_TIMEOUT');
    } finally {
      await rx.close();
    }
  });

  it('the IP protocol filter passes UDP and not ICMP', async () => {
    const rx = openPacketSocket({ interface: 'eth0', netns: link.b.name, filter: filters.udp() });
    try {
      const ipv4 = (protocol: number, tag: string) => {
        const f = frame(link.b.mac, link.a.mac, '', 0x0800, 60);
        f[14] = 0x45;
        f[23] = protocol;
        f.write(tag, 40);
        return f;
      };
      const p = rx.receive({ timeout: 5000 });
      a.send(ipv4(1, 'icmp'));
      a.send(ipv4(17, 'udp'));
      const got = await p;
      expect(got.data[23]).toBe(17);
      expect((await rejectionOf(rx.receive({ timeout: 300 }))).code).toBe('ERR_NETKIT_TIMEOUT');
    } finally {
      await rx.close();
    }
  });

  it('reports an 802.1Q tag (PACKET_AUXDATA) and puts it back into the frame', async () => {
    // A tagged frame as a VLAN interface would send it (this kernel may lack the 8021q module):
    // the receiving kernel moves the tag into the skb (skb_vlan_untag), the addon gets it back.
    const tagged = Buffer.alloc(64);
    frame(link.b.mac, link.a.mac).copy(tagged, 0, 0, 12);
    tagged.writeUInt16BE(0x8100, 12);
    tagged.writeUInt16BE((5 << 13) | 10, 14); // priority 5, VLAN 10
    tagged.writeUInt16BE(0x88b9, 16);
    tagged.write('tagged', 18);
    const rx = openPacketSocket({
      interface: 'eth0',
      netns: link.b.name,
      filter: filters.ethertype(0x88b9),
    });
    try {
      const p = rx.receive({ timeout: 5000 });
      a.send(tagged);
      const got = await p;
      expect(got.vlan).toEqual({ id: 10, priority: 5, tpid: 0x8100 });
      expect(Buffer.from(got.data)).toEqual(tagged);
      expect(got.originalLength).toBe(64);
    } finally {
      await rx.close();
    }
  });

  it('interfaceInfo reads the facts inside a namespace', () => {
    const info = interfaceInfo('eth0', { netns: link.b.name });
    expect(info.mac).toBe(link.b.mac);
    expect(info.index).toBe(b.interface.index);
    expect(info.addresses.some((x) => x.address === link.b.ipv4 && x.prefixLength === 24)).toBe(
      true,
    );
    expect(interfaceInfo('lo', { netns: link.b.name }).loopback).toBe(true);
  });

  it('close ends iterators and pending receives; use after close is ERR_SOCKET_CLOSED', async () => {
    const s = openPacketSocket({ interface: 'eth0', netns: link.b.name, protocol: 0x88ba });
    const pending = s.receive();
    const iterating = (async () => {
      let n = 0;
      for await (const _ of s) n++;
      return n;
    })();
    await new Promise((r) => setImmediate(r));
    await s.close();
    await s.close(); // idempotent
    expect((await rejectionOf(pending)).code).toBe('ERR_SOCKET_CLOSED');
    expect(await iterating).toBe(0);
    expect(s.closed).toBe(true);
    const f = frame(link.a.mac, link.b.mac);
    expect(() => s.send(f)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(() => s.sendBatch([f])).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect((await rejectionOf(s.receive())).code).toBe('ERR_SOCKET_CLOSED');
    expect(s.stats.sent).toBe(0);
  });

  it('many open/close cycles leak no file descriptors', async () => {
    const before = openFds();
    for (let i = 0; i < 300; i++) {
      const s = openPacketSocket({
        interface: 'eth0',
        netns: link.a.name,
        promiscuous: i % 2 === 0,
      });
      if (i % 3 === 0) void s.receive({ timeout: 1 }).catch(() => {});
      await s.close();
    }
    for (let i = 0; i < 50; i++) {
      // Failed opens close what they opened too (the namespace handles and the socket).
      expect(() => openPacketSocket({ interface: 'nk-none0', netns: link.a.name })).toThrow();
    }
    expect(openFds()).toBe(before);
  });

  it('works in worker threads; sockets a worker leaves open are closed when it exits', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const before = openFds();
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.dist).then((m) => {
        const s = m.openPacketSocket({ interface: 'eth0', netns: workerData.ns, protocol: 0x88bb });
        s.receive().catch(() => {});
        const f = Buffer.alloc(60); f.writeUInt16BE(0x88bb, 12);
        s.send(f);
        parentPort.postMessage(s.interface.index);
        process.exit(0);
      });`;
    const results = await Promise.all(
      [link.a.name, link.b.name].map(
        (ns) =>
          new Promise<number>((resolve, reject) => {
            const w = new Worker(code, { eval: true, workerData: { dist, ns } });
            let index = -1;
            w.on('message', (m: number) => {
              index = m;
            });
            w.on('error', reject);
            w.on('exit', (c) => (c === 0 ? resolve(index) : reject(new Error(`exit ${c}`))));
          }),
      ),
    );
    expect(results.every((i) => i > 0)).toBe(true);
    expect(openFds()).toBe(before);
  });
});
