// netkit's ARP and ICMP frames answered by the Linux kernel on the far side of a veth pair.
import { createLink, skipUnless, type TestLink, tsharkReady } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ping, RawFrameError, readPcapFile, resolveMac } from '../src/index.js';
import { tsharkFields, useTempDir } from './tshark.js';

const req = skipUnless(['root', 'netns', 'tshark']);
const tempPath = useTempDir();

describe.skipIf(req.skip)(`ping and ARP against the kernel${req.note}`, () => {
  let link: TestLink;
  beforeAll(async () => {
    link = await createLink();
  });
  afterAll(async () => {
    await link?.destroy();
  });

  it("the kernel answers netkit's ARP request with its MAC", async () => {
    const resolved = await resolveMac('198.18.1.2', { interface: 'eth0', netns: link.a.name });
    expect(resolved).toMatchObject({ ip: '198.18.1.2', mac: link.b.mac, attempts: 1 });
    expect(resolved.rtt).toBeGreaterThan(0);
  });

  it('nobody at an address: ERR_NETKIT_TIMEOUT after every retry, on time', async () => {
    const started = performance.now();
    const err = await resolveMac('198.18.1.99', {
      interface: 'eth0',
      netns: link.a.name,
      timeout: 100,
      retries: 2,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RawFrameError);
    expect(err).toMatchObject({ code: 'ERR_NETKIT_TIMEOUT' });
    expect((err as Error).message).toContain('after 3 request(s)');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('100 pings 5 ms apart: the kernel answers every one', async () => {
    await using session = ping('198.18.1.2', {
      interface: 'eth0',
      netns: link.a.name,
      count: 100,
      interval: 5,
      timeout: 2000,
    });
    const replies = [];
    for await (const reply of session) replies.push(reply);
    const summary = session.summary();
    expect(summary).toMatchObject({
      destination: '198.18.1.2',
      mac: link.b.mac,
      transmitted: 100,
      received: 100,
      duplicates: 0,
      loss: 0,
    });
    expect(replies.map((r) => r.sequence).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    for (const r of replies) {
      expect(r).toMatchObject({ from: '198.18.1.2', bytes: 64, ttl: 64, duplicate: false });
      expect(r.rtt).toBeGreaterThan(0);
    }
    const { rtt } = summary;
    expect(rtt).toBeDefined();
    expect(rtt!.min).toBeLessThanOrEqual(rtt!.avg);
    expect(rtt!.avg).toBeLessThanOrEqual(rtt!.max);
    expect(rtt!.mdev).toBeGreaterThanOrEqual(0);
  });

  it("tshark on the far side decodes netkit's requests with good IP and ICMP checksums", async () => {
    const path = await tempPath('far-side.pcap');
    // 3 requests and 3 replies; ARP is filtered out by the capture filter.
    const tshark = link.b.spawn('tshark', [
      '-i',
      'eth0',
      '-f',
      'icmp',
      '-c',
      '6',
      '-F',
      'pcap',
      '-w',
      path,
    ]);
    try {
      await tsharkReady(tshark);
      const session = ping('198.18.1.2', {
        interface: 'eth0',
        netns: link.a.name,
        count: 3,
        interval: 20,
        size: 100,
      });
      for await (const _ of session);
      expect(session.summary().received).toBe(3);
      const status = await tshark.exited;
      expect(status.code, tshark.stderr()).toBe(0);
    } finally {
      await tshark.stop('SIGKILL', 0);
    }
    const rows = await tsharkFields(path, [
      'ip.src',
      'icmp.type',
      'icmp.ident',
      'icmp.seq',
      'ip.checksum.status',
      'icmp.checksum.status',
      'frame.len',
    ]);
    const requests = rows.filter((r) => r[1] === '8');
    expect(requests.map((r) => r[3])).toEqual(['1', '2', '3']);
    for (const r of rows) {
      // ip.checksum.status and icmp.checksum.status: 1 is "Good".
      expect([r[4], r[5]], r.join(' ')).toEqual(['1', '1']);
      expect(r[6]).toBe(String(14 + 20 + 8 + 100));
    }
    expect(rows.filter((r) => r[1] === '0' && r[0] === '198.18.1.2')).toHaveLength(3);
    // And netkit reads the file tshark (dumpcap) wrote.
    const file = await readPcapFile(path);
    expect(file.records).toHaveLength(6);
  });

  it('bad options throw at once, naming the option; a missing interface is ENODEV', () => {
    expect(() => ping('not-an-ip', { interface: 'eth0', netns: link.a.name })).toThrow(
      /ip must be an IPv4/,
    );
    expect(() => ping('198.18.1.2', { interface: 'eth0', netns: link.a.name, count: 0 })).toThrow(
      RangeError,
    );
    expect(() => ping('198.18.1.2', { interface: 'eth0', netns: link.a.name, mac: 'zz' })).toThrow(
      /mac must be/,
    );
    let err: unknown;
    try {
      ping('198.18.1.2', { interface: 'nk-missing0', netns: link.a.name });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ENODEV' });
    expect((err as Error).message).toContain('nk-missing0');
  });

  it('interval 0 does not starve the event loop; a request over the MTU is EMSGSIZE', async () => {
    // Unlimited requests with no pause: only a timer firing can stop it, so it must yield.
    const session = ping('198.18.1.2', {
      interface: 'eth0',
      netns: link.a.name,
      count: Number.POSITIVE_INFINITY,
      interval: 0,
      signal: AbortSignal.timeout(100),
    });
    for await (const _ of session);
    const s = session.summary();
    expect(s.transmitted).toBeGreaterThan(5);
    expect(s.received).toBeGreaterThan(0);
    // 2000 data bytes with DF set: 2028 bytes of IP over a 1500-byte MTU.
    const big = ping('198.18.1.2', { interface: 'eth0', netns: link.a.name, count: 1, size: 2000 });
    const err = await (async () => {
      for await (const _ of big);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EMSGSIZE', mtu: 1500 });
  });

  it('an abort ends the run early with a summary', async () => {
    const controller = new AbortController();
    const session = ping('198.18.1.2', {
      interface: 'eth0',
      netns: link.a.name,
      count: 1000,
      interval: 10,
      signal: controller.signal,
    });
    let seen = 0;
    for await (const _ of session) {
      seen++;
      if (seen === 3) controller.abort();
    }
    const s = session.summary();
    expect(s.received).toBeGreaterThanOrEqual(3);
    expect(s.transmitted).toBeLessThan(1000);
  });

  it('an abort while ARP is unanswered ends the run at once, nothing transmitted', async () => {
    const session = ping('198.18.1.99', {
      interface: 'eth0',
      netns: link.a.name,
      count: 3,
      timeout: 10_000,
      signal: AbortSignal.timeout(150),
    });
    const started = performance.now();
    for await (const _ of session);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(session.summary()).toMatchObject({ transmitted: 0, received: 0, mac: undefined });
  });
});
