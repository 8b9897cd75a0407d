// tshark, which no one here wrote, decodes netkit's frames and checks their checksums.
import { skipUnless } from '@netkit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildArp,
  buildEthernet,
  buildIcmpv4,
  buildIcmpv4Echo,
  buildIcmpv6Echo,
  buildIPv4,
  buildIPv6,
  buildUdp,
  decodeFrame,
} from '../src/index.js';
import { SEED_PING_FRAME } from './seeds.js';
import { hex, tsharkFields, tsharkHex, useTempDir, writeFramesPcap } from './tshark.js';

const req = skipUnless(['tshark']);
const tempPath = useTempDir();
const A = '02:00:00:00:00:01';
const B = '02:00:00:00:00:02';

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const data = fc.uint8Array({ maxLength: 300 });
const u16 = fc.integer({ min: 0, max: 0xffff });

/** Valid frames of every kind netkit builds, with random fields. */
const frameArb = fc.oneof(
  fc
    .tuple(ipv4, ipv4, u16, u16, data, fc.integer({ min: 0, max: 10 }))
    .map(([src, dst, id, sequence, d, opts]) =>
      buildEthernet({
        dst: B,
        src: A,
        ethertype: 0x0800,
        payload: buildIPv4({
          src,
          dst,
          protocol: 1,
          options: new Uint8Array(opts * 4).fill(1),
          payload: buildIcmpv4Echo({ id, sequence, data: d }),
        }),
      }),
    ),
  fc.tuple(ipv4, ipv4, u16, u16, data).map(([src, dst, sp, dp, d]) =>
    buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x0800,
      vlan: { id: 42 },
      payload: buildIPv4({
        src,
        dst,
        protocol: 17,
        payload: buildUdp({ srcPort: sp, dstPort: dp, payload: d }, { src, dst }),
      }),
    }),
  ),
  fc.tuple(ipv6, ipv6, u16, u16, data).map(([src, dst, sp, dp, d]) =>
    buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x86dd,
      payload: buildIPv6({
        src,
        dst,
        nextHeader: 17,
        payload: buildUdp({ srcPort: sp, dstPort: dp, payload: d }, { src, dst }),
      }),
    }),
  ),
  fc.tuple(ipv6, ipv6, u16, u16, data).map(([src, dst, id, sequence, d]) =>
    buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x86dd,
      payload: buildIPv6({
        src,
        dst,
        nextHeader: 58,
        payload: buildIcmpv6Echo({ id, sequence, data: d }, { src, dst }),
      }),
    }),
  ),
);

describe.skipIf(req.skip)(`tshark checks netkit's checksums${req.note}`, () => {
  it('300 random frames: every IP, ICMP, ICMPv6 and UDP checksum is good', async () => {
    const frames = fc.sample(frameArb, { numRuns: 300, seed: 42 });
    const path = await tempPath('random.pcap');
    await writeFramesPcap(path, frames);
    const rows = await tsharkFields(path, [
      'frame.len',
      'ip.checksum.status',
      'icmp.checksum.status',
      'udp.checksum.status',
      'icmpv6.checksum.status',
    ]);
    expect(rows).toHaveLength(frames.length);
    for (const [i, row] of rows.entries()) {
      const [len, ...statuses] = row;
      expect(Number(len)).toBe(frames[i]!.length);
      const present = statuses.filter((s) => s !== '');
      // Each frame has IP (v4) or none (v6) plus one upper-layer checksum; all must be 1 (good).
      expect(present.length, `frame ${i + 1}: ${row.join(' ')}`).toBeGreaterThanOrEqual(1);
      expect(
        present.every((s) => s === '1'),
        `frame ${i + 1}: ${row.join(' ')}`,
      ).toBe(true);
    }
    // And netkit's own parser agrees on every frame.
    for (const f of frames) {
      const d = decodeFrame(f);
      expect(
        [
          d.ipv4?.checksumValid,
          d.icmpv4?.checksumValid,
          d.icmpv6?.checksumValid,
          d.udp?.checksumValid,
        ]
          .filter((v) => v !== undefined)
          .every(Boolean),
      ).toBe(true);
    }
  });

  it('bad checksums built on purpose: tshark and netkit both call them bad', async () => {
    const ip = { src: '198.18.0.1', dst: '198.18.0.2' };
    const badIp = buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x0800,
      payload: buildIPv4({
        ...ip,
        protocol: 1,
        checksum: 0xbeef,
        payload: buildIcmpv4Echo({ id: 1, sequence: 1 }),
      }),
    });
    const badIcmp = buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x0800,
      payload: buildIPv4({
        ...ip,
        protocol: 1,
        payload: buildIcmpv4({ type: 8, checksum: 0xbeef }),
      }),
    });
    const udp = buildUdp({ srcPort: 1, dstPort: 2, payload: Buffer.from('x') }, ip);
    udp[7]! ^= 0xff;
    const badUdp = buildEthernet({
      dst: B,
      src: A,
      ethertype: 0x0800,
      payload: buildIPv4({ ...ip, protocol: 17, payload: udp }),
    });
    const path = await tempPath('bad.pcap');
    await writeFramesPcap(path, [badIp, badIcmp, badUdp]);
    const rows = await tsharkFields(path, [
      'ip.checksum.status',
      'icmp.checksum.status',
      'udp.checksum.status',
    ]);
    expect(rows).toEqual([
      ['0', '1', ''],
      ['1', '0', ''],
      ['1', '', '0'],
    ]);
    expect(decodeFrame(badIp).ipv4!.checksumValid).toBe(false);
    expect(decodeFrame(badIcmp).icmpv4!.checksumValid).toBe(false);
    expect(decodeFrame(badUdp).udp!.checksumValid).toBe(false);
  });

  it("the seed's ping: its hard-coded checksums go wrong once the addresses change; netkit's do not", async () => {
    // "change this!": the seed's frame with 198.18.1.1 -> 198.18.1.2 but the old checksums...
    const edited = Uint8Array.from(SEED_PING_FRAME);
    edited.set([198, 18, 1, 1, 198, 18, 1, 2], 26);
    const d = decodeFrame(edited);
    // ...and the same frame built by netkit from the decoded fields.
    const rebuilt = buildEthernet({
      dst: d.ethernet.dst,
      src: d.ethernet.src,
      ethertype: 0x0800,
      payload: buildIPv4({
        src: d.ipv4!.src,
        dst: d.ipv4!.dst,
        protocol: 1,
        id: d.ipv4!.id,
        ttl: d.ipv4!.ttl,
        dontFragment: true,
        payload: buildIcmpv4Echo({
          id: d.icmpv4!.echo!.id,
          sequence: d.icmpv4!.echo!.sequence,
          data: d.icmpv4!.data,
        }),
      }),
    });
    const path = await tempPath('seed.pcap');
    await writeFramesPcap(path, [SEED_PING_FRAME, edited, rebuilt]);
    const rows = await tsharkFields(path, ['ip.checksum.status', 'icmp.checksum.status']);
    const netkit = [SEED_PING_FRAME, edited, rebuilt].map((f) => {
      const x = decodeFrame(f);
      return [x.ipv4!.checksumValid ? '1' : '0', x.icmpv4!.checksumValid ? '1' : '0'];
    });
    expect(netkit).toEqual(rows);
    // The seed's original checksums are right for its own addresses; the IP header's is wrong
    // after the edit (the ICMP checksum does not cover addresses); netkit's are right.
    expect(rows).toEqual([
      ['1', '1'],
      ['0', '1'],
      ['1', '1'],
    ]);
    const hexes = await tsharkHex(path);
    expect(hexes[2]).toBe(hex(rebuilt));
  });

  it('ARP and an unknown ethertype decode as netkit says', async () => {
    const arp = buildEthernet({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: A,
      ethertype: 0x0806,
      payload: buildArp({ senderMac: A, senderIp: '198.18.0.1', targetIp: '198.18.0.2' }),
    });
    const hello = buildEthernet({
      dst: '01:02:03:04:05:06',
      src: '01:02:03:04:05:06',
      ethertype: 0x0801,
      payload: Buffer.from('Hello'),
    });
    const path = await tempPath('arp.pcap');
    await writeFramesPcap(path, [arp, hello]);
    const rows = await tsharkFields(path, [
      'arp.opcode',
      'arp.src.proto_ipv4',
      'arp.dst.proto_ipv4',
      'eth.type',
      'frame.len',
    ]);
    expect(rows).toEqual([
      ['1', '198.18.0.1', '198.18.0.2', '0x0806', '60'],
      ['', '', '', '0x0801', '60'],
    ]);
  });
});
