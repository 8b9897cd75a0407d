// Round trips (build then parse gives the input back) and a bounded fuzz of the parsers: random
// and mutated bytes may only produce FrameTruncatedError or FrameInvalidError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildArp,
  buildEthernet,
  buildIcmpv4,
  buildIcmpv6Echo,
  buildIPv4,
  buildIPv6,
  buildUdp,
  decodeFrame,
  FrameError,
  formatIPv6Address,
  formatMac,
  parseArp,
  parseEthernet,
  parseIcmpv4,
  parseIcmpv6,
  parseIPv4,
  parseIPv6,
  parseIPv6Address,
  parseMac,
  parseUdp,
  summarizeFrame,
} from '../src/index.js';
import { referenceSum } from './seeds.js';

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => formatMac(b));
const ipv4 = fc.ipV4();
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6Address(b));
const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

const ipv4Init = fc.record({
  src: ipv4,
  dst: ipv4,
  protocol: fc.integer({ min: 0, max: 255 }),
  payload: bytes(200),
  ttl: fc.integer({ min: 0, max: 255 }),
  id: u16,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((n) => n * 8),
  dscp: fc.integer({ min: 0, max: 63 }),
  ecn: fc.integer({ min: 0, max: 3 }),
  options: fc.integer({ min: 0, max: 10 }).map((n) => new Uint8Array(n * 4).fill(1)),
});

const RUNS = { numRuns: 300 };

describe('round trips', () => {
  it('MAC and IPv6 text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        expect([...parseMac(formatMac(b))]).toEqual([...b]);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const b = parseIPv6Address(text);
        expect(formatIPv6Address(parseIPv6Address(formatIPv6Address(b)))).toBe(
          formatIPv6Address(b),
        );
      }),
      RUNS,
    );
  });

  it('Ethernet with 0 to 2 tags, padded and not', () => {
    const tag = fc.record({
      id: fc.integer({ min: 0, max: 4095 }),
      priority: fc.integer({ min: 0, max: 7 }),
      dei: fc.boolean(),
    });
    fc.assert(
      fc.property(
        mac,
        mac,
        fc.integer({ min: 0x0600, max: 0xffff }),
        fc.array(tag, { maxLength: 2 }),
        bytes(100),
        fc.boolean(),
        (dst, src, ethertype, vlan, payload, pad) => {
          const frame = buildEthernet({ dst, src, ethertype, vlan, payload, pad });
          const header = 14 + 4 * vlan.length;
          expect(frame.length).toBe(
            pad ? Math.max(60, header + payload.length) : header + payload.length,
          );
          const parsed = parseEthernet(frame);
          expect(parsed).toMatchObject({ dst, src, headerLength: header });
          // An ethertype that looks like a TPID is read as one more tag: only check the rest.
          if (![0x8100, 0x88a8, 0x9100].includes(ethertype)) {
            expect(parsed.ethertype).toBe(ethertype);
            expect(
              parsed.vlans.map((t) => ({ id: t.id, priority: t.priority, dei: t.dei })),
            ).toEqual(vlan);
            expect([...parsed.payload.subarray(0, payload.length)]).toEqual([...payload]);
          }
        },
      ),
      RUNS,
    );
  });

  it('ARP', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        mac,
        ipv4,
        mac,
        ipv4,
        (operation, senderMac, senderIp, targetMac, targetIp) => {
          const init = { operation, senderMac, senderIp, targetMac, targetIp };
          expect(parseArp(buildArp(init))).toEqual(init);
        },
      ),
      RUNS,
    );
  });

  it('IPv4: every field back, a checksum that the reference sum accepts', () => {
    fc.assert(
      fc.property(ipv4Init, fc.integer({ min: 0, max: 30 }), (init, padding) => {
        const packet = buildIPv4(init);
        const withPadding = Uint8Array.from([...packet, ...new Uint8Array(padding)]);
        const p = parseIPv4(withPadding);
        expect(referenceSum(packet.subarray(0, p.headerLength))).toBe(0xffff);
        expect(p).toMatchObject({
          src: init.src,
          dst: init.dst,
          protocol: init.protocol,
          ttl: init.ttl,
          id: init.id,
          dontFragment: init.dontFragment,
          moreFragments: init.moreFragments,
          fragmentOffset: init.fragmentOffset,
          dscp: init.dscp,
          ecn: init.ecn,
          totalLength: packet.length,
          checksumValid: true,
        });
        expect([...p.payload]).toEqual([...init.payload]);
        expect([...p.options]).toEqual([...init.options]);
      }),
      RUNS,
    );
  });

  it('IPv6', () => {
    fc.assert(
      fc.property(
        ipv6,
        ipv6,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xfffff }),
        bytes(200),
        (src, dst, nextHeader, trafficClass, flowLabel, payload) => {
          const p = parseIPv6(
            buildIPv6({ src, dst, nextHeader, trafficClass, flowLabel, payload, hopLimit: 9 }),
          );
          expect(p).toMatchObject({
            src,
            dst,
            nextHeader,
            trafficClass,
            flowLabel,
            hopLimit: 9,
            payloadLength: payload.length,
          });
          expect([...p.payload]).toEqual([...payload]);
        },
      ),
      RUNS,
    );
  });

  it('ICMPv4, ICMPv6 and UDP checksums verify, and one flipped bit is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        bytes(300),
        fc.nat(),
        (type, code, data, flip) => {
          const icmp = buildIcmpv4({ type, code, data });
          expect(referenceSum(icmp)).toBe(0xffff);
          expect(parseIcmpv4(icmp)).toMatchObject({ type, code, checksumValid: true });
          const bit = flip % (icmp.length * 8);
          icmp[bit >> 3]! ^= 1 << (bit & 7);
          expect(parseIcmpv4(icmp).checksumValid).toBe(false);
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(ipv6, ipv6, u16, u16, bytes(300), (src, dst, id, sequence, data) => {
        const m = parseIcmpv6(buildIcmpv6Echo({ id, sequence, data }, { src, dst }), { src, dst });
        expect(m).toMatchObject({ type: 128, echo: { id, sequence }, checksumValid: true });
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(ipv4, ipv4), fc.tuple(ipv6, ipv6)),
        u16,
        u16,
        bytes(300),
        ([src, dst], srcPort, dstPort, payload) => {
          const udp = buildUdp({ srcPort, dstPort, payload }, { src, dst });
          const d = parseUdp(udp, { src, dst });
          expect(d).toMatchObject({
            srcPort,
            dstPort,
            length: udp.length,
            checksumValid: true,
            checksumPresent: true,
          });
          expect([...d.payload]).toEqual([...payload]);
        },
      ),
      RUNS,
    );
  });
});

/** A valid frame of any kind netkit builds, to mutate. */
const anyFrame = fc.oneof(
  fc
    .record({ src: ipv4, dst: ipv4, payload: bytes(64), id: u16, seq: u16 })
    .map(({ src, dst, payload, id, seq }) =>
      buildEthernet({
        dst: '02:00:00:00:00:02',
        src: '02:00:00:00:00:01',
        ethertype: 0x0800,
        payload: buildIPv4({
          src,
          dst,
          protocol: 1,
          payload: buildIcmpv4({
            type: 8,
            rest: Uint8Array.of(id >> 8, id & 255, seq >> 8, seq & 255),
            data: payload,
          }),
        }),
      }),
    ),
  fc
    .record({ src: ipv6, dst: ipv6, payload: bytes(64), port: u16 })
    .map(({ src, dst, payload, port }) =>
      buildEthernet({
        dst: '02:00:00:00:00:02',
        src: '02:00:00:00:00:01',
        ethertype: 0x86dd,
        vlan: { id: 5 },
        payload: buildIPv6({
          src,
          dst,
          nextHeader: 17,
          payload: buildUdp({ srcPort: port, dstPort: 53, payload }, { src, dst }),
        }),
      }),
    ),
  fc.record({ a: ipv4, b: ipv4 }).map(({ a, b }) =>
    buildEthernet({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: '02:00:00:00:00:01',
      ethertype: 0x0806,
      payload: buildArp({ senderMac: '02:00:00:00:00:01', senderIp: a, targetIp: b }),
    }),
  ),
);

function onlyTypedErrors(frame: Uint8Array): void {
  for (const lenient of [false, true]) {
    try {
      const d = decodeFrame(frame, { lenient });
      expect(typeof summarizeFrame(d)).toBe('string');
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      expect(['ERR_FRAME_TRUNCATED', 'ERR_FRAME_INVALID']).toContain(err.code);
    }
  }
  expect(typeof summarizeFrame(frame)).toBe('string');
}

describe('bounded fuzz: only typed errors escape', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(bytes(120), (b) => onlyTypedErrors(b)),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a valid Ethernet/IPv4/IPv6/ARP header', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x0800, 0x86dd, 0x0806, 0x8100), bytes(120), (type, rest) => {
        onlyTypedErrors(
          Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, type >> 8, type & 255, ...rest]),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('valid frames, mutated: bytes changed, cut short', () => {
    fc.assert(
      fc.property(
        anyFrame,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (frame, changes, cut) => {
          const m = Uint8Array.from(frame);
          for (const [at, value] of changes) m[at % m.length] = value;
          onlyTypedErrors(m);
          onlyTypedErrors(m.subarray(0, cut % (m.length + 1)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('each parser alone on random bytes', () => {
    const ip = { src: '198.18.0.1', dst: '198.18.0.2' };
    const parsers = [
      parseEthernet,
      parseArp,
      (b: Uint8Array) => parseIPv4(b),
      (b: Uint8Array) => parseIPv4(b, { partial: true }),
      parseIPv6,
      parseIcmpv4,
      (b: Uint8Array) => parseIcmpv6(b, { src: '::1', dst: '::2' }),
      (b: Uint8Array) => parseUdp(b, ip),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...parsers), bytes(80), (parse, b) => {
        try {
          parse(b);
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
