import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addon } from '../src/addon.js';
import {
  CROSSOVER_SUM,
  crc32,
  crc32Js,
  internetChecksum,
  internetChecksumJs,
  onesComplementSum,
  onesComplementSumJs,
  pseudoHeaderSum,
  updateChecksum,
} from '../src/checksum.js';

const native = addon();

/** A buffer at a random offset inside a larger one, so the native loads start unaligned. */
const slices = fc
  .tuple(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.nat(7))
  .map(([bytes, offset]) => {
    const backing = new Uint8Array(bytes.length + offset + 3);
    backing.fill(0xa5);
    backing.set(bytes, offset);
    return backing.subarray(offset, offset + bytes.length);
  });

describe('Internet checksum (RFC 1071)', () => {
  it('RFC 1071 section 3 example: words 0001 f203 f4f5 f6f7 sum to ddf2', () => {
    const bytes = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(onesComplementSum(bytes)).toBe(0xddf2);
    expect(native.onesComplementSum(bytes, 0)).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(0x220d);
  });

  it('a real IPv4 header checks to 0 and its checksum field is reproduced', () => {
    // 45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7 (Wikipedia's example).
    const header = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
    expect(internetChecksum(header)).toBe(0xb861);
    header.writeUInt16BE(0xb861, 10);
    expect(internetChecksum(header)).toBe(0);
  });

  it('native sum equals the JS loop bit for bit (random bytes, offsets, odd lengths, initial)', () => {
    fc.assert(
      fc.property(slices, fc.integer({ min: 0, max: 0xffffffff }), (bytes, initial) => {
        expect(native.onesComplementSum(bytes, initial)).toBe(onesComplementSumJs(bytes, initial));
        expect(internetChecksum(bytes, initial)).toBe(internetChecksumJs(bytes, initial));
      }),
      { numRuns: 2000 },
    );
  });

  it('the short-buffer fast path (initial 0, under 256 B) equals the JS loop', () => {
    fc.assert(
      fc.property(
        slices.filter((b) => b.length < CROSSOVER_SUM),
        (bytes) => {
          expect(internetChecksum(bytes)).toBe(internetChecksumJs(bytes));
        },
      ),
      { numRuns: 2000 },
    );
    // 127 words of 0xffff and a padded 0xff00 sum to 0xff00; its complement is 0x00ff.
    expect(internetChecksum(new Uint8Array(255).fill(0xff))).toBe(0x00ff);
  });

  it('native sum equals the JS loop on large and all-0xff buffers', () => {
    for (const size of [CROSSOVER_SUM, 65_535, 65_536, 1 << 20]) {
      const ones = new Uint8Array(size).fill(0xff);
      expect(native.onesComplementSum(ones, 0)).toBe(onesComplementSumJs(ones, 0));
      const random = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24);
      expect(native.onesComplementSum(random.subarray(1), 7)).toBe(
        onesComplementSumJs(random.subarray(1), 7),
      );
    }
    expect(native.onesComplementSum(new Uint8Array(0), 0)).toBe(0);
    expect(native.onesComplementSum(new Uint8Array(4096), 0)).toBe(0);
  });

  it('chains: summing two even pieces equals summing the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 600 }), (a, b) => {
        const first = a.length % 2 ? a.subarray(1) : a;
        const whole = new Uint8Array([...first, ...b]);
        expect(onesComplementSum(b, onesComplementSum(first))).toBe(
          onesComplementSumJs(whole, 0) || 0,
        );
      }),
    );
  });

  it('rejects bad arguments with TypeError/RangeError, in JS and in the addon', () => {
    expect(() => internetChecksum('abc' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => internetChecksum(new Uint16Array(4) as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => internetChecksum(new Uint8Array(4), -1)).toThrow(RangeError);
    expect(() => native.onesComplementSum({} as Uint8Array, 0)).toThrow(TypeError);
    expect(() => native.onesComplementSum(new Uint8Array(2), Number.NaN)).toThrow(RangeError);
    expect(() => native.onesComplementSum(new Uint8Array(2), '1' as unknown as number)).toThrow(
      TypeError,
    );
    expect(() => native.crc32(null as unknown as Uint8Array, 0)).toThrow(TypeError);
  });
});

describe('incremental update (RFC 1624)', () => {
  it('RFC 1624 section 4 example: HC 0xdd2f, m 0x5555 -> 0x3285 gives 0x0000 (eqn. 3)', () => {
    expect(updateChecksum(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('equals recomputing the checksum after changing one word', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 2, maxLength: 200 }).filter((b) => b.some((x) => x !== 0)),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        (data, at, word) => {
          const bytes = Uint8Array.from(data.length % 2 ? [...data, 0] : data);
          const i = (at % (bytes.length / 2)) * 2;
          const before = internetChecksum(bytes);
          const oldWord = (bytes[i]! << 8) | bytes[i + 1]!;
          bytes[i] = word >> 8;
          bytes[i + 1] = word & 0xff;
          fc.pre(bytes.some((x) => x !== 0));
          expect(updateChecksum(before, oldWord, word)).toBe(internetChecksum(bytes));
        },
      ),
    );
  });

  it('validates its arguments', () => {
    expect(() => updateChecksum(0x10000, 0, 0)).toThrow(RangeError);
    expect(() => updateChecksum('1' as unknown as number, 0, 0)).toThrow(TypeError);
  });
});

describe('pseudo-header sums', () => {
  const udp = Buffer.from('d4310035001c0000abcdef0102030405060708090a0b0c0d0e0f1011', 'hex');

  it('IPv4: equals the checksum over an explicit pseudo-header', () => {
    const src = Uint8Array.from([198, 18, 0, 1]);
    const dst = Uint8Array.from([198, 18, 0, 2]);
    const explicit = Buffer.concat([src, dst, Buffer.from([0, 17, 0, udp.length]), udp]);
    const viaSum = internetChecksum(udp, pseudoHeaderSum(src, dst, 17, udp.length));
    expect(viaSum).toBe(internetChecksumJs(explicit));
  });

  it('IPv6: 32-bit length and next header', () => {
    const src = Buffer.from('fd000198001800000000000000000001', 'hex');
    const dst = Buffer.from('fd000198001800000000000000000002', 'hex');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(udp.length);
    const explicit = Buffer.concat([src, dst, len, Buffer.from([0, 0, 0, 17]), udp]);
    expect(internetChecksum(udp, pseudoHeaderSum(src, dst, 17, udp.length))).toBe(
      internetChecksumJs(explicit),
    );
    expect(pseudoHeaderSum(src, dst, 58, 0x12345)).toBe(
      onesComplementSumJs(
        Buffer.concat([src, dst, Buffer.from([0, 1, 0x23, 0x45, 0, 0, 0, 58])]),
        0,
      ),
    );
  });

  it('refuses mixed address sizes', () => {
    expect(() => pseudoHeaderSum(new Uint8Array(4), new Uint8Array(16), 17, 8)).toThrow(RangeError);
  });
});

describe('CRC-32', () => {
  it('matches zlib.crc32 on every path (JS table, addon, zlib), with a running value', () => {
    fc.assert(
      fc.property(slices, fc.integer({ min: 0, max: 0xffffffff }), (bytes, initial) => {
        const expected = zlibCrc32(bytes, initial);
        expect(crc32(bytes, initial)).toBe(expected);
        expect(native.crc32(bytes, initial)).toBe(expected);
        expect(crc32Js(bytes, initial)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('check value of "123456789" is 0xcbf43926', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(native.crc32(Buffer.from('123456789'), 0)).toBe(0xcbf43926);
  });
});
