import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, FrameTooLargeError, lengthPrefixed } from '../src/framing/index.js';
import {
  checkRoundTrip,
  cutAt,
  decodeAll,
  hex,
  prng,
  pushChecked,
  randomBytes,
  randomChunks,
  thrownBy,
} from './framing-helpers.js';

const MiB = 1024 * 1024;

describe('lengthPrefixed: wire format', () => {
  it('writes a 4-byte big-endian length, excluding itself, then the payload', () => {
    const codec = lengthPrefixed();
    expect(hex(codec.encode(Buffer.from('abc')))).toBe('00000003616263');
    expect(hex(codec.encode(new Uint8Array(0)))).toBe('00000000');
    expect(hex(codec.encode(new Uint8Array(258)).subarray(0, 4))).toBe('00000102');
    expect(codec.encodingLength(Buffer.from('abc'))).toBe(7);
    expect(codec.maxFrameSize).toBe(16 * MiB);
  });

  it('writes a 2-byte big-endian length with prefixBytes: 2', () => {
    const codec = lengthPrefixed({ prefixBytes: 2 });
    expect(hex(codec.encode(Buffer.from('abc')))).toBe('0003616263');
    expect(hex(codec.encode(new Uint8Array(0x1234)).subarray(0, 2))).toBe('1234');
    expect(codec.encodingLength(new Uint8Array(10))).toBe(12);
    expect(codec.maxFrameSize).toBe(65_535);
  });

  it('reads lengths big-endian, including ones with the top bit set', () => {
    const codec = lengthPrefixed({ maxFrameSize: 0xffffffff });
    const decoder = codec.decoder();
    expect(decoder.push(Buffer.from([0x80, 0x00, 0x00, 0x01, 0xaa]))).toEqual([]);
    expect(decoder.buffered).toBe(5);
    const two = lengthPrefixed({ prefixBytes: 2 }).decoder();
    const frames = two.push(Buffer.from([0x01, 0x02, ...new Uint8Array(0x0102).fill(9)]));
    expect(frames.map((f) => f.length)).toEqual([0x0102]);
  });

  it('decodes zero-length frames, alone and in a row', () => {
    const codec = lengthPrefixed();
    const frames = codec.decoder().push(Buffer.from('00000000000000000000000141', 'hex'));
    expect(frames.map(hex)).toEqual(['', '', '41']);
  });

  it('accepts a plain Uint8Array (not a Buffer) to encode and to push', () => {
    const codec = lengthPrefixed();
    const wire = new Uint8Array(codec.encode(new Uint8Array([1, 2, 3])));
    const frames = codec.decoder().push(wire);
    expect(frames.map(hex)).toEqual(['010203']);
  });

  it('refuses a value or chunk that is not a Uint8Array', () => {
    const codec = lengthPrefixed();
    expect(() => codec.encode('abc' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => codec.decoder().push([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('lengthPrefixed: round trips', () => {
  const rand = prng(42);
  const values = [0, 1, 2, 3, 4, 5, 100, 255, 256, 1000, 0, 4097].map((n) => randomBytes(rand, n));

  it('4-byte prefix: every split point, byte by byte, random chunks', () => {
    checkRoundTrip(lengthPrefixed(), values, { view: hex });
  });

  it('2-byte prefix: every split point, byte by byte, random chunks', () => {
    checkRoundTrip(lengthPrefixed({ prefixBytes: 2 }), values, { view: hex });
  });

  it('2-byte prefix carries a 65535-byte frame', () => {
    const big = randomBytes(prng(7), 65_535);
    checkRoundTrip(lengthPrefixed({ prefixBytes: 2 }), [big, Buffer.alloc(0), big], {
      view: hex,
      everySplit: false,
    });
  });

  it('a frame at exactly maxFrameSize is accepted', () => {
    const codec = lengthPrefixed({ maxFrameSize: 10 });
    checkRoundTrip(codec, [Buffer.alloc(10, 1), Buffer.alloc(9, 2)], { view: hex });
  });

  it('a 1 MiB frame in 1000-byte chunks comes back whole, buffering no more than the frame', () => {
    const codec = lengthPrefixed({ maxFrameSize: MiB });
    const frame = randomBytes(prng(3), MiB);
    const pieces = cutAt(
      codec.encode(frame),
      Array.from({ length: 1100 }, (_, i) => i * 1000),
    );
    const decoder = codec.decoder();
    const out = pushChecked(decoder, pieces, MiB + 4);
    expect(out).toHaveLength(1);
    expect(out[0]!.length).toBe(MiB);
    expect(Buffer.from(out[0]!).equals(frame)).toBe(true);
    expect(decoder.buffered).toBe(0);
  });

  it('frames inside one chunk are views of it; frames spanning chunks are copies', () => {
    const codec = lengthPrefixed();
    const wire = Buffer.concat([
      codec.encode(Buffer.from('aa')),
      codec.encode(Buffer.from('bbbb')),
    ]);
    const decoder = codec.decoder();
    // The first chunk ends two bytes into the second frame's payload.
    const first = Buffer.from(wire.subarray(0, 12));
    const [a] = decoder.push(first);
    expect(a!.buffer).toBe(first.buffer);
    first.fill(0, 10);
    const second = Buffer.from(wire.subarray(12));
    const [b] = decoder.push(second);
    second.fill(0);
    expect(Buffer.from(b!).toString()).toBe('bbbb');
  });

  it('property: random frames (0..2000 bytes) in random chunks come back identical', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<2 | 4>(2, 4),
        fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (prefixBytes, frames, cuts) => {
          const codec = lengthPrefixed({ prefixBytes });
          const wire = Buffer.concat(frames.map((f) => codec.encode(f)));
          frames.forEach((f) => {
            expect(codec.encodingLength(f)).toBe(f.length + prefixBytes);
          });
          const pieces = cutAt(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          );
          expect(decodeAll(codec, pieces).map(hex)).toEqual(frames.map(hex));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('lengthPrefixed: limits', () => {
  it('rejects an oversize prefix at once, before buffering any of the payload', () => {
    const codec = lengthPrefixed({ maxFrameSize: MiB });
    const decoder = codec.decoder();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(100 * MiB);
    const err = thrownBy(() => decoder.push(Buffer.concat([header, Buffer.alloc(1000)])));
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err).toBeInstanceOf(FrameError);
    expect(err.name).toBe('FrameTooLargeError');
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(104_857_600);
    expect(err.limit).toBe(1_048_576);
    expect(err.message).toBe(
      'frame of 104857600 bytes exceeds the 1048576-byte limit (raise maxFrameSize)',
    );
    expect(decoder.buffered).toBe(0);
  });

  it('rejects an oversize prefix that arrives a byte at a time, on its last byte', () => {
    const decoder = lengthPrefixed({ maxFrameSize: 1000 }).decoder();
    for (const byte of [0x00, 0x00, 0x03]) {
      expect(decoder.push(Buffer.from([byte]))).toEqual([]);
      expect(decoder.buffered).toBeLessThanOrEqual(4);
    }
    const err = thrownBy(() => decoder.push(Buffer.from([0xe9])));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(1001);
    expect(decoder.buffered).toBe(0);
  });

  it('rejects an oversize frame after earlier good frames in the same chunk', () => {
    const codec = lengthPrefixed({ maxFrameSize: 4 });
    const wire = Buffer.from('00000001aa00000005', 'hex');
    const err = thrownBy(() => codec.decoder().push(wire));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(5);
  });

  it('stays failed: every later push() and end() throws the same error', () => {
    const decoder = lengthPrefixed({ maxFrameSize: 4 }).decoder();
    const err = thrownBy(() => decoder.push(Buffer.from('00000005', 'hex')));
    expect(thrownBy(() => decoder.push(Buffer.from('00000001aa', 'hex')))).toBe(err);
    expect(thrownBy(() => decoder.end())).toBe(err);
  });

  it('never buffers more than maxFrameSize + 4 while a large frame streams in', () => {
    const limit = 256 * 1024;
    const codec = lengthPrefixed({ maxFrameSize: limit });
    const wire = Buffer.concat([
      codec.encode(Buffer.alloc(limit, 1)),
      codec.encode(Buffer.alloc(limit - 1, 2)),
    ]);
    const decoder = codec.decoder();
    const out = pushChecked(decoder, randomChunks(wire, prng(9), 9000), limit + 4);
    expect(out.map((f) => f.length)).toEqual([limit, limit - 1]);
  });

  it('encode refuses a value over maxFrameSize', () => {
    const err = thrownBy(() => lengthPrefixed({ maxFrameSize: 10 }).encode(new Uint8Array(11)));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.message).toBe('frame of 11 bytes exceeds the 10-byte limit (raise maxFrameSize)');
  });

  it('2-byte prefix: encode refuses 65536 bytes and points at prefixBytes: 4', () => {
    const codec = lengthPrefixed({ prefixBytes: 2 });
    expect(codec.encode(new Uint8Array(65_535)).length).toBe(65_537);
    const err = thrownBy(() => codec.encode(new Uint8Array(65_536)));
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(65_536);
    expect(err.limit).toBe(65_535);
    expect(err.message).toContain('use prefixBytes: 4');
  });

  it('validates its options up front, naming the option', () => {
    const bad: [unknown, ErrorConstructor | RangeErrorConstructor, RegExp][] = [
      [{ prefixBytes: 3 }, RangeError, /prefixBytes must be 2 or 4, got 3/],
      [{ prefixBytes: '4' }, TypeError, /prefixBytes/],
      [{ maxFrameSize: 0 }, RangeError, /maxFrameSize must be between 1 and/],
      [{ maxFrameSize: -1 }, RangeError, /maxFrameSize/],
      [{ maxFrameSize: 1.5 }, TypeError, /maxFrameSize must be an integer, got 1.5/],
      [{ maxFrameSize: '1024' }, TypeError, /maxFrameSize must be an integer, got "1024"/],
      [{ maxFrameSize: Number.NaN }, TypeError, /maxFrameSize/],
      [{ maxFrameSize: 2 ** 32 }, RangeError, /maxFrameSize/],
      [{ prefixBytes: 2, maxFrameSize: 65_536 }, RangeError, /maxFrameSize.*65535/],
      [null, TypeError, /options must be an object/],
      [5, TypeError, /options must be an object/],
    ];
    for (const [options, type, message] of bad) {
      const err = thrownBy(() => lengthPrefixed(options as never));
      expect(err, JSON.stringify(options)).toBeInstanceOf(type);
      expect(err.message).toMatch(message);
    }
    expect(lengthPrefixed({ maxFrameSize: 2 ** 32 - 1 }).maxFrameSize).toBe(2 ** 32 - 1);
    expect(lengthPrefixed({ prefixBytes: 2, maxFrameSize: 100 }).maxFrameSize).toBe(100);
  });
});

describe('lengthPrefixed: end of stream', () => {
  it('end() inside a payload throws ERR_TCP_FRAME_MALFORMED saying how much arrived', () => {
    const decoder = lengthPrefixed().decoder();
    expect(decoder.push(Buffer.from('0000000a616263', 'hex'))).toEqual([]);
    expect(decoder.buffered).toBe(7);
    const err = thrownBy(() => decoder.end());
    expect(err).toBeInstanceOf(FrameError);
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.message).toBe('stream ended inside a frame: 3 of 10 bytes');
    expect(decoder.buffered).toBe(0);
  });

  it('end() inside a length prefix throws ERR_TCP_FRAME_MALFORMED', () => {
    const decoder = lengthPrefixed().decoder();
    decoder.push(Buffer.from([0]));
    const err = thrownBy(() => decoder.end());
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.message).toBe("stream ended inside a frame's length prefix: 1 of 4 bytes");
  });

  it('end() between frames returns nothing, and the decoder carries on', () => {
    const decoder = lengthPrefixed().decoder();
    expect(decoder.push(Buffer.from('00000001ff', 'hex')).map(hex)).toEqual(['ff']);
    expect(decoder.end()).toEqual([]);
    expect(decoder.push(Buffer.from('00000001ee', 'hex')).map(hex)).toEqual(['ee']);
  });

  it('an empty chunk changes nothing', () => {
    const decoder = lengthPrefixed().decoder();
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    decoder.push(Buffer.from('000000', 'hex'));
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(decoder.push(Buffer.from('02abcd', 'hex')).map(hex)).toEqual(['abcd']);
  });
});
