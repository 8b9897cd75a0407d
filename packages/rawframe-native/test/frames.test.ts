import { describe, expect, it } from 'vitest';
import {
  buildArp,
  buildEthernet,
  buildIcmpv4,
  buildIcmpv4Echo,
  buildIcmpv4TimeExceeded,
  buildIcmpv4Unreachable,
  buildIcmpv6,
  buildIcmpv6Echo,
  buildIPv4,
  buildIPv6,
  buildUdp,
  decodeFrame,
  FrameInvalidError,
  FrameTruncatedError,
  formatIPv6Address,
  formatMac,
  parseArp,
  parseEthernet,
  parseIcmpv4,
  parseIPv4,
  parseIPv6Address,
  parseMac,
  parseUdp,
  summarizeFrame,
} from '../src/index.js';
import {
  referenceSum,
  SEED_HELLO_FRAME,
  SEED_ICMP_DATA,
  SEED_ICMP_HEADER,
  SEED_IP_HEADER,
  SEED_PING_FRAME,
} from './seeds.js';

const A = '02:00:00:00:00:01';
const B = '02:00:00:00:00:02';

function icmpFrame(sequence: number, data = new Uint8Array(56)): Uint8Array {
  return buildEthernet({
    dst: B,
    src: A,
    ethertype: 0x0800,
    payload: buildIPv4({
      src: '198.18.0.1',
      dst: '198.18.0.2',
      protocol: 1,
      payload: buildIcmpv4Echo({ id: 1, sequence, data }),
    }),
  });
}

describe('MAC addresses', () => {
  it('parses colons and dashes, any case, and formats lower case', () => {
    expect([...parseMac('AA-bb-0c-00-01-ff')]).toEqual([0xaa, 0xbb, 0x0c, 0, 1, 0xff]);
    expect(formatMac(parseMac('AA:BB:CC:DD:EE:FF'))).toBe('aa:bb:cc:dd:ee:ff');
  });

  it.each(['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'gg:bb:cc:dd:ee:ff', 'aa:bb-cc:dd:ee:ff'])(
    'refuses %j with a TypeError naming the option',
    (text) => {
      expect(() => parseMac(text, 'dst')).toThrow(/dst must be a MAC address/);
    },
  );
});

describe('IPv6 addresses', () => {
  it.each([
    ['fd00:198:18::1', 'fd00:198:18::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['::', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::ffff:198.18.0.1', '::ffff:198.18.0.1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('%s formats as %s (RFC 5952)', (text, canonical) => {
    expect(formatIPv6Address(parseIPv6Address(text))).toBe(canonical);
  });
});

describe("the seed's frames", () => {
  it('the "Hello" frame with ethertype 0x0801 is the seed\'s bytes, padded to 60', () => {
    const frame = buildEthernet({
      dst: '01:02:03:04:05:06',
      src: '01:02:03:04:05:06',
      ethertype: 0x0801,
      payload: Buffer.from('Hello'),
    });
    expect(frame.length).toBe(60);
    expect(Buffer.from(frame.subarray(0, 19))).toEqual(Buffer.from(SEED_HELLO_FRAME));
    expect(frame.subarray(19).every((b) => b === 0)).toBe(true);
    expect(summarizeFrame(frame)).toBe(
      '01:02:03:04:05:06 > 01:02:03:04:05:06 ethertype 0x0801 len 46',
    );
  });

  it('the hand-made ping: netkit rebuilds the same bytes with checksums that verify', () => {
    const decoded = decodeFrame(SEED_PING_FRAME);
    const ip = decoded.ipv4!;
    const icmp = decoded.icmpv4!;
    const rebuilt = buildEthernet({
      dst: decoded.ethernet.dst,
      src: decoded.ethernet.src,
      ethertype: 0x0800,
      payload: buildIPv4({
        src: ip.src,
        dst: ip.dst,
        protocol: ip.protocol,
        id: ip.id,
        ttl: ip.ttl,
        dontFragment: ip.dontFragment,
        payload: buildIcmpv4Echo({
          id: icmp.echo!.id,
          sequence: icmp.echo!.sequence,
          data: icmp.data,
        }),
      }),
    });
    expect(rebuilt.length).toBe(SEED_PING_FRAME.length);
    // Every byte but the two checksums is the seed's.
    const ipCk = 14 + 10;
    const icmpCk = 14 + 20 + 2;
    for (let i = 0; i < rebuilt.length; i++) {
      if (i === ipCk || i === ipCk + 1 || i === icmpCk || i === icmpCk + 1) continue;
      expect(rebuilt[i], `byte ${i}`).toBe(SEED_PING_FRAME[i]);
    }
    // netkit's checksums verify with an independent sum: a correct header sums to 0xffff.
    expect(referenceSum(rebuilt.subarray(14, 34))).toBe(0xffff);
    expect(referenceSum(rebuilt.subarray(34))).toBe(0xffff);
    // And netkit's verdict on the seed's hard-coded values is the reference's verdict.
    expect(ip.checksumValid).toBe(referenceSum(SEED_IP_HEADER) === 0xffff);
    expect(icmp.checksumValid).toBe(
      referenceSum(Uint8Array.from([...SEED_ICMP_HEADER, ...SEED_ICMP_DATA])) === 0xffff,
    );
    // Where the seed's value is right, netkit wrote the same value.
    const same = (a: number, b: number) =>
      rebuilt[a] === SEED_PING_FRAME[a] && rebuilt[b] === SEED_PING_FRAME[b];
    expect(same(ipCk, ipCk + 1)).toBe(ip.checksumValid);
    expect(same(icmpCk, icmpCk + 1)).toBe(icmp.checksumValid);
  });
});

describe('Ethernet and 802.1Q', () => {
  it('pads to 60 bytes unless asked not to', () => {
    expect(buildEthernet({ dst: A, src: B, ethertype: 0x88b5 }).length).toBe(60);
    expect(buildEthernet({ dst: A, src: B, ethertype: 0x88b5, pad: false }).length).toBe(14);
    const long = buildEthernet({ dst: A, src: B, ethertype: 0x88b5, payload: new Uint8Array(100) });
    expect(long.length).toBe(114);
  });

  it('writes and reads one tag and QinQ (outer 0x88a8)', () => {
    const one = parseEthernet(
      buildEthernet({
        dst: A,
        src: B,
        ethertype: 0x0800,
        vlan: { id: 10, priority: 5, dei: true },
      }),
    );
    expect(one.vlans).toEqual([{ id: 10, priority: 5, dei: true, tpid: 0x8100 }]);
    expect(one.ethertype).toBe(0x0800);
    expect(one.headerLength).toBe(18);
    const two = parseEthernet(
      buildEthernet({ dst: A, src: B, ethertype: 0x86dd, vlan: [{ id: 100 }, { id: 200 }] }),
    );
    expect(two.vlans.map((t) => [t.tpid, t.id])).toEqual([
      [0x88a8, 100],
      [0x8100, 200],
    ]);
    expect(two.headerLength).toBe(22);
  });

  it('refuses bad options with errors naming them', () => {
    expect(() => buildEthernet({ dst: 'nope', src: B, ethertype: 0x0800 })).toThrow(TypeError);
    expect(() => buildEthernet({ dst: A, src: B, ethertype: 0x05ff })).toThrow(/ethertype/);
    expect(() => buildEthernet({ dst: A, src: B, ethertype: 0x0800, vlan: { id: 4096 } })).toThrow(
      /vlan\.id/,
    );
  });

  it('a short header is ERR_FRAME_TRUNCATED with the counts', () => {
    const err = (() => {
      try {
        parseEthernet(new Uint8Array(13));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FrameTruncatedError);
    expect(err).toMatchObject({ code: 'ERR_FRAME_TRUNCATED', needed: 14, available: 13 });
    expect(String((err as Error).message)).toContain('Ethernet header');
  });
});

describe('ARP', () => {
  it('builds a who-has and parses it back from a padded frame', () => {
    const frame = buildEthernet({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: A,
      ethertype: 0x0806,
      payload: buildArp({ senderMac: A, senderIp: '198.18.0.1', targetIp: '198.18.0.2' }),
    });
    expect(frame.length).toBe(60);
    const arp = parseArp(parseEthernet(frame).payload);
    expect(arp).toEqual({
      operation: 1,
      senderMac: A,
      senderIp: '198.18.0.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '198.18.0.2',
    });
    expect(summarizeFrame(frame)).toBe(
      `${A} > ff:ff:ff:ff:ff:ff ARP who-has 198.18.0.2 tell 198.18.0.1`,
    );
  });

  it('refuses other hardware or protocol types', () => {
    const arp = buildArp({ senderMac: A, senderIp: '198.18.0.1', targetIp: '198.18.0.2' });
    arp[3] = 0xdd;
    expect(() => parseArp(arp)).toThrow(FrameInvalidError);
  });
});

describe('IPv4', () => {
  it('fills lengths and checksum, keeps options, fragment fields, DSCP and ECN', () => {
    const packet = buildIPv4({
      src: '198.18.0.1',
      dst: '198.18.0.2',
      protocol: 17,
      payload: new Uint8Array(10),
      options: Uint8Array.of(1, 1, 1), // three NOPs, padded to 4
      id: 0x1234,
      moreFragments: true,
      fragmentOffset: 1480,
      ttl: 3,
      dscp: 46,
      ecn: 1,
    });
    expect(packet.length).toBe(24 + 10);
    expect(referenceSum(packet.subarray(0, 24))).toBe(0xffff);
    const ip = parseIPv4(packet);
    expect(ip).toMatchObject({
      headerLength: 24,
      totalLength: 34,
      id: 0x1234,
      moreFragments: true,
      dontFragment: false,
      fragmentOffset: 1480,
      ttl: 3,
      dscp: 46,
      ecn: 1,
      checksumValid: true,
    });
    expect([...ip.options]).toEqual([1, 1, 1, 0]);
  });

  it('uses the total length, not the padding after it', () => {
    const frame = icmpFrame(1, new Uint8Array(0));
    expect(frame.length).toBe(60);
    const decoded = decodeFrame(frame);
    expect(decoded.ipv4!.payload.length).toBe(8);
    expect(decoded.icmpv4!.checksumValid).toBe(true);
  });

  it('flags a bad header checksum instead of throwing', () => {
    const packet = buildIPv4({ src: '198.18.0.1', dst: '198.18.0.2', protocol: 1, checksum: 0 });
    expect(parseIPv4(packet).checksumValid).toBe(false);
    expect(
      summarizeFrame(buildEthernet({ dst: A, src: B, ethertype: 0x0800, payload: packet })),
    ).toContain('[bad ip cksum]');
  });

  it('a bad UDP checksum is flagged, unless the kernel had not filled it in yet', () => {
    const ip = { src: '198.18.0.1', dst: '198.18.0.2' };
    const udp = buildUdp({ srcPort: 1000, dstPort: 9, payload: Buffer.from('x') }, ip);
    udp[6] = (udp[6] ?? 0) ^ 0xff; // what an offloaded outgoing datagram looks like: a partial sum
    const frame = buildEthernet({
      dst: A,
      src: B,
      ethertype: 0x0800,
      payload: buildIPv4({ ...ip, protocol: 17, payload: udp }),
    });
    expect(summarizeFrame(frame)).toBe('198.18.0.1.1000 > 198.18.0.2.9 UDP len 1 [bad udp cksum]');
    expect(summarizeFrame(frame, { checksumNotReady: true })).toBe(
      '198.18.0.1.1000 > 198.18.0.2.9 UDP len 1',
    );
  });

  it.each([
    ['version 6', (p: Uint8Array) => (p[0] = 0x65), FrameInvalidError],
    ['IHL 4', (p: Uint8Array) => (p[0] = 0x44), FrameInvalidError],
    ['total length below the header', (p: Uint8Array) => (p[3] = 10), FrameInvalidError],
    ['total length past the end', (p: Uint8Array) => (p[3] = 200), FrameTruncatedError],
    ['IHL past the end', (p: Uint8Array) => (p[0] = 0x4f), FrameTruncatedError],
  ])('%s is a typed error', (_name, mutate, type) => {
    const packet = buildIPv4({
      src: '198.18.0.1',
      dst: '198.18.0.2',
      protocol: 1,
      payload: new Uint8Array(8),
    });
    mutate(packet);
    expect(() => parseIPv4(packet)).toThrow(type);
  });
});

describe('ICMPv4', () => {
  it('echo request: id, sequence, data, summary', () => {
    const frame = icmpFrame(3);
    const d = decodeFrame(frame);
    expect(d.icmpv4).toMatchObject({
      type: 8,
      code: 0,
      echo: { id: 1, sequence: 3 },
      checksumValid: true,
    });
    expect(summarizeFrame(frame)).toBe(
      '198.18.0.1 > 198.18.0.2 ICMP echo request id 1 seq 3 len 64',
    );
  });

  it('destination unreachable quotes the datagram and names the port', () => {
    const original = buildIPv4({
      src: '198.18.0.1',
      dst: '198.18.0.2',
      protocol: 17,
      payload: buildUdp(
        { srcPort: 4000, dstPort: 9, payload: new Uint8Array(100) },
        {
          src: '198.18.0.1',
          dst: '198.18.0.2',
        },
      ),
    });
    const icmp = buildIcmpv4Unreachable({ code: 3, original });
    expect(icmp.length).toBe(8 + 20 + 8);
    const m = parseIcmpv4(icmp);
    expect(m.checksumValid).toBe(true);
    expect(m.quoted).toMatchObject({ src: '198.18.0.1', dst: '198.18.0.2', protocol: 17 });
    const frame = buildEthernet({
      dst: A,
      src: B,
      ethertype: 0x0800,
      payload: buildIPv4({ src: '198.18.0.2', dst: '198.18.0.1', protocol: 1, payload: icmp }),
    });
    expect(summarizeFrame(frame)).toBe(
      '198.18.0.2 > 198.18.0.1 ICMP 198.18.0.2 udp port 9 unreachable len 36',
    );
  });

  it('time exceeded, and a wrong checksum is flagged', () => {
    const original = buildIPv4({ src: '198.18.0.1', dst: '198.18.0.9', protocol: 1, ttl: 1 });
    const m = parseIcmpv4(buildIcmpv4TimeExceeded({ code: 0, original }));
    expect(m).toMatchObject({ type: 11, code: 0, checksumValid: true });
    expect(m.quoted?.ttl).toBe(1);
    const bad = buildIcmpv4({ type: 8, checksum: 0x1234 });
    expect(parseIcmpv4(bad).checksumValid).toBe(false);
  });
});

describe('IPv6, ICMPv6 and UDP', () => {
  const ip6 = { src: 'fd00:198:18::1', dst: 'fd00:198:18::2' };

  it('ICMPv6 echo with the pseudo-header checksum', () => {
    const frame = buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x86dd,
      payload: buildIPv6({
        ...ip6,
        nextHeader: 58,
        payload: buildIcmpv6Echo({ id: 7, sequence: 9, data: new Uint8Array(56) }, ip6),
      }),
    });
    const d = decodeFrame(frame);
    expect(d.ipv6).toMatchObject({ payloadLength: 64, nextHeader: 58, hopLimit: 64 });
    expect(d.icmpv6).toMatchObject({
      type: 128,
      echo: { id: 7, sequence: 9 },
      checksumValid: true,
    });
    expect(summarizeFrame(frame)).toBe(
      'fd00:198:18::1 > fd00:198:18::2 ICMP6 echo request id 7 seq 9 len 64',
    );
  });

  it('neighbor solicitation is named, with its target', () => {
    const src = 'fd00:198:18::1';
    const dst = 'ff02::1:ff00:2';
    const ns = buildIcmpv6({ type: 135, data: parseIPv6Address('fd00:198:18::2') }, { src, dst });
    const frame = buildEthernet({
      dst: '33:33:ff:00:00:02',
      src: A,
      ethertype: 0x86dd,
      payload: buildIPv6({ src, dst, nextHeader: 58, hopLimit: 255, payload: ns }),
    });
    expect(summarizeFrame(frame)).toBe(
      'fd00:198:18::1 > ff02::1:ff00:2 ICMP6 neighbor solicitation who has fd00:198:18::2 len 24',
    );
  });

  it('UDP over IPv4: a computed 0 is sent as 0xffff, 0 means none', () => {
    // Find a payload whose checksum computes to 0 (one 16-bit word chosen to cancel the rest).
    const ip = { src: '198.18.0.1', dst: '198.18.0.2' };
    const probe = buildUdp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(2) }, ip);
    const sumWithout =
      referenceSum(probe.subarray(0, 6)) +
      referenceSum(Uint8Array.of(198, 18, 0, 1, 198, 18, 0, 2, 0, 17, 0, 10));
    let s = sumWithout;
    while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
    const word = 0xffff - s; // makes the sum 0xffff, so the checksum 0
    const zeroing = buildUdp(
      { srcPort: 1, dstPort: 2, payload: Uint8Array.of(word >> 8, word & 0xff) },
      ip,
    );
    expect((zeroing[6]! << 8) | zeroing[7]!).toBe(0xffff);
    expect(parseUdp(zeroing, ip).checksumValid).toBe(true);
    const none = buildUdp({ srcPort: 1, dstPort: 2, noChecksum: true }, ip);
    expect(parseUdp(none, ip)).toMatchObject({ checksumPresent: false, checksumValid: true });
  });

  it('UDP over IPv6: the checksum is mandatory', () => {
    const udp = buildUdp({ srcPort: 53, dstPort: 5353, payload: Buffer.from('hi') }, ip6);
    expect(parseUdp(udp, ip6)).toMatchObject({ srcPort: 53, dstPort: 5353, checksumValid: true });
    udp[6] = 0;
    udp[7] = 0;
    expect(parseUdp(udp, ip6)).toMatchObject({ checksumPresent: false, checksumValid: false });
    expect(() => buildUdp({ srcPort: 1, dstPort: 2, noChecksum: true }, ip6)).toThrow(RangeError);
  });

  it('a UDP length past the data is truncation, below 8 invalid', () => {
    const ip = { src: '198.18.0.1', dst: '198.18.0.2' };
    const udp = buildUdp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(4) }, ip);
    expect(() => parseUdp(udp.subarray(0, 10), ip)).toThrow(FrameTruncatedError);
    udp[5] = 4;
    expect(() => parseUdp(udp, ip)).toThrow(FrameInvalidError);
  });
});

describe('decodeFrame lenient', () => {
  it('keeps the Ethernet layer and records the inner error', () => {
    const frame = icmpFrame(1).subarray(0, 30);
    expect(() => decodeFrame(frame)).toThrow(FrameTruncatedError);
    const d = decodeFrame(frame, { lenient: true });
    expect(d.ethernet.ethertype).toBe(0x0800);
    expect(d.error).toBeInstanceOf(FrameTruncatedError);
    expect(summarizeFrame(frame)).toBe(
      `${A} > ${B} IPv4 [truncated IPv4 header: needs 20 bytes, only 16 available]`,
    );
  });
});
