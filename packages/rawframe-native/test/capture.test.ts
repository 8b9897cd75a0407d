// netkit's capture sees what the kernel sends, decodes it, and writes pcap files tshark reads.
import { createLink, skipUnless, type TestLink } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEthernet,
  buildIPv4,
  buildUdp,
  type Capture,
  type CapturedFrame,
  capture,
  openPacketSocket,
  ping,
  resolveMac,
} from '../src/index.js';
import { hex, tsharkFields, tsharkHex, useTempDir } from './tshark.js';

const req = skipUnless(['root', 'netns', 'tshark']);
const tempPath = useTempDir();

async function collect(cap: Capture): Promise<CapturedFrame[]> {
  const out: CapturedFrame[] = [];
  for await (const f of cap) out.push(f);
  return out;
}

describe.skipIf(req.skip)(`capture on a veth pair${req.note}`, () => {
  let link: TestLink;
  beforeAll(async () => {
    link = await createLink();
  });
  afterAll(async () => {
    await link?.destroy();
  });

  it("sees netkit's requests and the kernel's replies; tshark reads the pcap it wrote", async () => {
    const path = await tempPath('capture.pcap');
    const cap = capture({
      interface: 'eth0',
      netns: link.a.name,
      filter: 'icmp',
      count: 6,
      write: path,
      timeout: 10_000,
    });
    const frames = collect(cap);
    const session = ping('198.18.1.2', {
      interface: 'eth0',
      netns: link.a.name,
      count: 3,
      interval: 10,
    });
    for await (const _ of session);
    const id = session.id;
    const got = await frames;
    expect(got).toHaveLength(6);
    const requests = got.filter((f) => f.packetType === 'outgoing');
    const replies = got.filter((f) => f.packetType === 'host');
    expect(requests.map((f) => f.summary)).toEqual(
      [1, 2, 3].map((s) => `198.18.1.1 > 198.18.1.2 ICMP echo request id ${id} seq ${s} len 64`),
    );
    expect(replies.map((f) => f.summary)).toEqual(
      [1, 2, 3].map((s) => `198.18.1.2 > 198.18.1.1 ICMP echo reply id ${id} seq ${s} len 64`),
    );
    for (const f of replies) {
      expect(f.decoded?.ethernet.src).toBe(link.b.mac);
      expect(f.decoded?.ipv4?.checksumValid).toBe(true);
      expect(f.decoded?.icmpv4?.checksumValid).toBe(true);
    }
    // The file: tshark sees the same frames, byte for byte, with good checksums.
    expect(await tsharkHex(path)).toEqual(got.map((f) => hex(f.data)));
    const rows = await tsharkFields(path, [
      'frame.len',
      'ip.checksum.status',
      'icmp.checksum.status',
    ]);
    expect(rows).toEqual(got.map((f) => [String(f.originalLength), '1', '1']));
  });

  it("ARP: netkit's who-has and the kernel's reply, summarised", async () => {
    const cap = capture({
      interface: 'eth0',
      netns: link.a.name,
      filter: 'arp',
      count: 2,
      timeout: 10_000,
    });
    const frames = collect(cap);
    await resolveMac('198.18.1.2', { interface: 'eth0', netns: link.a.name });
    const got = await frames;
    expect(got.map((f) => f.summary)).toEqual([
      `${link.a.mac} > ff:ff:ff:ff:ff:ff ARP who-has 198.18.1.2 tell 198.18.1.1`,
      `${link.b.mac} > ${link.a.mac} ARP reply 198.18.1.2 is-at ${link.b.mac}`,
    ]);
  });

  it('an ethertype filter catches the seed\'s "Hello" frame (0x0801) sent from the other side', async () => {
    const cap = capture({
      interface: 'eth0',
      netns: link.a.name,
      filter: { ethertype: 0x0801 },
      count: 1,
      timeout: 10_000,
    });
    const frames = collect(cap);
    await using sender = openPacketSocket({ interface: 'eth0', netns: link.b.name });
    sender.send(
      buildEthernet({
        dst: link.a.mac,
        src: link.b.mac,
        ethertype: 0x0801,
        payload: Buffer.from('Hello'),
      }),
    );
    const [hello] = await frames;
    expect(hello?.summary).toBe(`${link.b.mac} > ${link.a.mac} ethertype 0x0801 len 46`);
    expect(Buffer.from(hello!.decoded!.ethernet.payload.subarray(0, 5)).toString()).toBe('Hello');
  });

  it("the kernel's port unreachable for netkit's UDP frame, with the quoted datagram decoded", async () => {
    const cap = capture({
      interface: 'eth0',
      netns: link.a.name,
      filter: 'icmp',
      count: 1,
      timeout: 10_000,
    });
    const frames = collect(cap);
    await using sender = openPacketSocket({ interface: 'eth0', netns: link.a.name });
    const ip = { src: '198.18.1.1', dst: '198.18.1.2' };
    sender.send(
      buildEthernet({
        dst: link.b.mac,
        src: link.a.mac,
        ethertype: 0x0800,
        payload: buildIPv4({
          ...ip,
          protocol: 17,
          payload: buildUdp({ srcPort: 40000, dstPort: 9, payload: Buffer.from('anyone?') }, ip),
        }),
      }),
    );
    const [unreachable] = await frames;
    expect(unreachable?.summary).toMatch(
      /^198\.18\.1\.2 > 198\.18\.1\.1 ICMP 198\.18\.1\.2 udp port 9 unreachable len \d+$/,
    );
    const icmp = unreachable!.decoded!.icmpv4!;
    expect(icmp).toMatchObject({ type: 3, code: 3, checksumValid: true });
    expect(icmp.quoted).toMatchObject({ src: '198.18.1.1', dst: '198.18.1.2', protocol: 17 });
  });

  it("the kernel's own UDP with checksum offload: checksumNotReady, not called a bad checksum", async () => {
    const cap = capture({
      interface: 'eth0',
      netns: link.a.name,
      filter: 'udp',
      count: 1,
      timeout: 10_000,
    });
    const frames = collect(cap);
    // A plain UDP socket: veth offloads the checksum, so the outgoing copy has only the
    // pseudo-header sum in it (CHECKSUM_PARTIAL) when the packet socket sees it.
    await link.a.run(
      process.execPath,
      [
        '-e',
        "const s = require('node:dgram').createSocket('udp4'); s.send('offload?', 9, '198.18.1.2', () => s.close());",
      ],
      { check: true },
    );
    const [out] = await frames;
    expect(out?.packetType).toBe('outgoing');
    expect(out?.checksumNotReady).toBe(true);
    expect(out?.decoded?.udp?.checksumValid).toBe(false);
    expect(out?.summary).toBe(`198.18.1.1.${out?.decoded?.udp?.srcPort} > 198.18.1.2.9 UDP len 8`);
  });

  it('on loopback each frame once, as tcpdump (not the outgoing copy too)', async () => {
    await link.a.run('ip', ['link', 'set', 'lo', 'up'], { check: true });
    const cap = capture({
      interface: 'lo',
      netns: link.a.name,
      filter: { ethertype: 0x88b5 },
      timeout: 500,
    });
    const frames = collect(cap);
    await using sender = openPacketSocket({ interface: 'lo', netns: link.a.name });
    for (const text of ['one', 'two']) {
      sender.send(
        buildEthernet({
          dst: '00:00:00:00:00:00',
          src: '00:00:00:00:00:00',
          ethertype: 0x88b5,
          payload: Buffer.from(text),
        }),
      );
    }
    const got = await frames;
    expect(
      got.map((f) => Buffer.from(f.decoded!.ethernet.payload.subarray(0, 3)).toString()),
    ).toEqual(['one', 'two']);
    expect(got.map((f) => f.packetType)).toEqual(['host', 'host']);
  });

  it('stops on time with nothing to see, and refuses a bad filter', async () => {
    const started = performance.now();
    const got = await collect(
      capture({
        interface: 'eth0',
        netns: link.a.name,
        filter: { ethertype: 0x88b5 },
        timeout: 200,
      }),
    );
    expect(got).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(() =>
      capture({ interface: 'eth0', netns: link.a.name, filter: 'tcp' as 'icmp' }),
    ).toThrow(TypeError);
  });
});
