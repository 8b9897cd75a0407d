import * as dp from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  DnsError,
  DnsMalformedError,
  decode,
  decodeHeader,
  encode,
  encodingLength,
  Opcode,
  type OptRecord,
  Rcode,
  RecordClass,
  RecordType,
} from '../src/index.js';
import { fromHex, hex, invalid, malformed, message, roundTrip } from './helpers.js';

const opt = (extra: Partial<OptRecord['data']> = {}): OptRecord => ({
  name: '.',
  type: RecordType.OPT,
  data: { udpPayloadSize: 1232, version: 0, dnssecOk: false, z: 0, options: [], ...extra },
});

describe('header', () => {
  it('encodes every flag at its RFC 1035 / RFC 4035 bit', () => {
    const bits: [keyof ReturnType<typeof message>, number][] = [
      ['qr', 0x8000],
      ['aa', 0x0400],
      ['tc', 0x0200],
      ['rd', 0x0100],
      ['ra', 0x0080],
      ['z', 0x0040],
      ['ad', 0x0020],
      ['cd', 0x0010],
    ];
    for (const [flag, bit] of bits) {
      const wire = roundTrip({ id: 0xbeef, [flag]: true });
      expect((wire[2]! << 8) | wire[3]!).toBe(bit);
      expect(hex(wire.subarray(0, 2))).toBe('beef');
    }
    expect(hex(roundTrip({ opcode: Opcode.UPDATE }).subarray(2, 4))).toBe('2800');
    expect(hex(roundTrip({ opcode: 15, rcode: Rcode.REFUSED }).subarray(2, 4))).toBe('7805');
  });

  it('agrees with dns-packet on flags', () => {
    const theirs = dp.encode({
      type: 'response',
      id: 99,
      flags:
        dp.AUTHORITATIVE_ANSWER |
        dp.RECURSION_DESIRED |
        dp.AUTHENTIC_DATA |
        dp.CHECKING_DISABLED |
        3,
      questions: [{ type: 'A', name: 'example.com' }],
    });
    const m = decode(new Uint8Array(theirs));
    expect(m).toMatchObject({
      id: 99,
      qr: true,
      aa: true,
      rd: true,
      ad: true,
      cd: true,
      ra: false,
      tc: false,
      rcode: Rcode.NXDOMAIN,
    });
    expect(hex(encode(m))).toBe(theirs.toString('hex'));
  });

  it('defaults missing fields to 0, false and []', () => {
    expect(hex(encode({}))).toBe('000000000000000000000000');
    expect(decode(encode({}))).toEqual(message({}));
    expect(encodingLength({})).toBe(12);
  });

  it('decodeHeader reads the header of a message too broken to decode', () => {
    const wire = fromHex('1234 8583 0001 0002 0003 0004 ff');
    malformed(() => decode(wire));
    expect(decodeHeader(wire)).toEqual({
      id: 0x1234,
      qr: true,
      opcode: 0,
      aa: true,
      tc: false,
      rd: true,
      ra: true,
      z: false,
      ad: false,
      cd: false,
      rcode: 3,
      qdcount: 1,
      ancount: 2,
      nscount: 3,
      arcount: 4,
    });
    malformed(() => decodeHeader(new Uint8Array(11)));
  });

  it('a message shorter than a header, or with counts the data does not fill, is malformed', () => {
    for (let n = 0; n < 12; n++) expect(malformed(() => decode(new Uint8Array(n))).offset).toBe(0);
    malformed(() => decode(fromHex('0000 0000 0001 0000 0000 0000')));
    malformed(() => decode(fromHex('0000 0000 0000 ffff 0000 0000')));
  });

  it('octets after the last record are malformed', () => {
    const wire = encode({ questions: [{ name: 'a', type: 1, class: 1 }] });
    const longer = new Uint8Array(wire.length + 1);
    longer.set(wire);
    const err = malformed(() => decode(longer));
    expect(err.message).toMatch(/1 octets after the last record/);
    expect(err.offset).toBe(wire.length);
  });
});

describe('EDNS (RFC 6891)', () => {
  it('OPT fields: payload size in CLASS, version and DO in TTL', () => {
    const wire = roundTrip({
      additionals: [opt({ udpPayloadSize: 4096, version: 1, dnssecOk: true, z: 0x1234 })],
    });
    // 00 (root) 0029 (OPT) 1000 (4096) 00 (ext rcode) 01 (version) 9234 (DO + Z) 0000
    expect(hex(wire.subarray(12))).toBe('0000291000000192340000');
  });

  it('extended RCODE: the OPT TTL carries the upper 8 bits (BADVERS = 16)', () => {
    const wire = roundTrip({ qr: true, rcode: Rcode.BADVERS, additionals: [opt()] });
    expect(wire[3]! & 0xf).toBe(0);
    expect(wire[12 + 5]).toBe(1);
    const big = roundTrip({ rcode: 0xfff, additionals: [opt()] });
    expect(big[3]! & 0xf).toBe(0xf);
    expect(big[12 + 5]).toBe(0xff);
    // dns-packet's view of the same bytes.
    const theirs = dp.decode(Buffer.from(wire));
    expect((theirs.additionals as { extendedRcode: number }[])[0]!.extendedRcode).toBe(1);
  });

  it('without OPT the RCODE is the header 4 bits; with OPT and no extension too', () => {
    expect(decode(encode({ rcode: Rcode.NXDOMAIN })).rcode).toBe(3);
    expect(decode(encode({ rcode: Rcode.NXDOMAIN, additionals: [opt()] })).rcode).toBe(3);
  });

  it('the encoder refuses an RCODE above 15 without OPT, and above 4095', () => {
    expect(invalid(() => encode({ rcode: 16 })).field).toBe('rcode');
    expect(invalid(() => encode({ rcode: 4096, additionals: [opt()] })).field).toBe('rcode');
  });

  it('OPT outside additionals, or twice, is refused by the encoder and malformed for the decoder', () => {
    expect(invalid(() => encode({ answers: [opt() as never] })).field).toBe('answers[0].type');
    expect(invalid(() => encode({ additionals: [opt(), opt()] })).field).toBe(
      'additionals[1].type',
    );
    const one = encode({ additionals: [opt()] });
    const two = new Uint8Array([...one.subarray(0, 12), ...one.subarray(12), ...one.subarray(12)]);
    two[11] = 2;
    expect(malformed(() => decode(two)).message).toMatch(/more than one OPT/);
    const inAnswers = one.slice();
    inAnswers[7] = 1;
    inAnswers[11] = 0;
    expect(malformed(() => decode(inAnswers)).message).toMatch(/outside the additional section/);
  });

  it('options: client subnet, cookie, padding, extended error, others opaque', () => {
    roundTrip({
      additionals: [
        opt({
          dnssecOk: true,
          options: [
            {
              code: 8,
              family: 1,
              sourcePrefixLength: 22,
              scopePrefixLength: 0,
              address: '198.51.100.0',
            },
            { code: 8, family: 2, sourcePrefixLength: 0, scopePrefixLength: 0, address: '::' },
            { code: 10, client: new Uint8Array(8).fill(1), server: new Uint8Array(24).fill(2) },
            { code: 12, length: 0 },
            { code: 12, length: 300 },
            { code: 15, infoCode: 29, extraText: 'synthesized from a wildcard ✓' },
            { code: 3, data: new Uint8Array([0x67, 0x70]) },
          ],
        }),
      ],
    });
  });

  it('client subnet: address bits past the prefix are zeroed on encode, refused on decode', () => {
    const wire = encode({
      additionals: [
        opt({
          options: [
            {
              code: 8,
              family: 1,
              sourcePrefixLength: 20,
              scopePrefixLength: 0,
              address: '192.0.255.255',
            },
          ],
        }),
      ],
    });
    const back = decode(wire).additionals[0] as OptRecord;
    expect(back.data.options[0]).toMatchObject({ address: '192.0.240.0' });
    const bad = wire.slice();
    bad[bad.length - 1] = 0xf8; // a bit past /20
    expect(malformed(() => decode(bad)).message).toMatch(/bits set past the source prefix/);
  });

  it('client subnet: wrong address length, family or prefix is malformed (RFC 7871 7.1.1)', () => {
    const withOption = (body: string) => {
      const b = fromHex(body);
      const rdata = fromHex(`0008 ${b.length.toString(16).padStart(4, '0')}`);
      const all = new Uint8Array([...rdata, ...b]);
      return fromHex(
        `0000 0000 0000 0000 0000 0001 00 0029 1000 00000000 ${all.length.toString(16).padStart(4, '0')} ${hex(all)}`,
      );
    };
    decode(withOption('0001 18 00 c00002'));
    malformed(() => decode(withOption('0001 18 00 c000')));
    malformed(() => decode(withOption('0001 18 00 c0000200')));
    malformed(() => decode(withOption('0003 00 00')));
    malformed(() => decode(withOption('0001 21 00 c0000200 00')));
    malformed(() => decode(withOption('0001 18 21 c00002')));
    malformed(() => decode(withOption('0001')));
  });

  it('cookies of 8 or 16-40 octets only (RFC 7873 5.2.2)', () => {
    for (const len of [0, 7, 9, 15, 41]) {
      const wire = fromHex(
        `0000 0000 0000 0000 0000 0001 00 0029 1000 00000000 ${(len + 4).toString(16).padStart(4, '0')} 000a ${len.toString(16).padStart(4, '0')} ${'ab'.repeat(len)}`,
      );
      malformed(() => decode(wire));
    }
    expect(
      invalid(() =>
        encode({ additionals: [opt({ options: [{ code: 10, client: new Uint8Array(7) }] })] }),
      ).field,
    ).toBe('additionals[0].data.options[0].client');
    invalid(() =>
      encode({
        additionals: [
          opt({ options: [{ code: 10, client: new Uint8Array(8), server: new Uint8Array(33) }] }),
        ],
      }),
    );
  });

  it('an option running past the OPT RDATA is malformed', () => {
    const wire = fromHex('0000 0000 0000 0000 0000 0001 00 0029 1000 00000000 0006 000a 0008 0102');
    expect(malformed(() => decode(wire)).message).toMatch(/EDNS option 10/);
  });
});

describe('errors', () => {
  it('DnsMalformedError and DnsInvalidError are DnsErrors with stable codes', () => {
    const m = malformed(() => decode(new Uint8Array(3)));
    expect(m).toBeInstanceOf(DnsMalformedError);
    expect(m).toBeInstanceOf(DnsError);
    expect(m.message).toBe(
      'malformed DNS message: header needs 12 octets, the message has 3 (at byte offset 0)',
    );
    const i = invalid(() =>
      encode({
        answers: [
          { name: 'a', type: 15, class: 1, ttl: 1, data: { preference: 70000, exchange: 'b' } },
        ],
      }),
    );
    expect(i).toBeInstanceOf(DnsError);
    expect(i.field).toBe('answers[0].data.preference');
    expect(i.message).toBe(
      'invalid DNS value: answers[0].data.preference: expected an integer 0..65535, got 70000',
    );
  });

  it('decode of something that is not bytes is a TypeError (a programming error)', () => {
    expect(() => decode('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('accepts a Buffer or a Uint8Array view with an offset', () => {
    const wire = encode({
      id: 5,
      questions: [{ name: 'a.b', type: RecordType.A, class: RecordClass.IN }],
    });
    const big = new Uint8Array(wire.length + 7);
    big.set(wire, 7);
    expect(decode(big.subarray(7))).toEqual(decode(wire));
    expect(decode(Buffer.from(wire))).toEqual(decode(wire));
  });
});
