import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, FrameTooLargeError, newlineDelimited } from '../src/framing/index.js';
import { checkRoundTrip, cutAt, decodeAll, hex, pushChecked, thrownBy } from './framing-helpers.js';

const KiB = 1024;
const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('newlineDelimited: wire format', () => {
  it('encodes UTF-8 text plus "\\n"', () => {
    const codec = newlineDelimited();
    expect(hex(codec.encode('héllo'))).toBe('68c3a96c6c6f0a');
    expect(hex(codec.encode(''))).toBe('0a');
    expect(codec.encodingLength('héllo')).toBe(7);
    expect(codec.maxFrameSize).toBe(64 * KiB);
  });

  it('decodes lines without their delimiter; an empty line is ""', () => {
    const lines = newlineDelimited().decoder().push(Buffer.from('a\nbc\n\nd é\n'));
    expect(lines).toEqual(['a', 'bc', '', 'd é']);
  });

  it('encode refuses a string containing "\\n", naming where', () => {
    const err = thrownBy(() => newlineDelimited().encode('one\ntwo'));
    expect(err).toBeInstanceOf(FrameError);
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.message).toContain('at index 3');
  });

  it('encode refuses a non-string, and push a non-Uint8Array, with a TypeError', () => {
    expect(() => newlineDelimited().encode(42 as unknown as string)).toThrow(TypeError);
    expect(() =>
      newlineDelimited()
        .decoder()
        .push('a\n' as unknown as Uint8Array),
    ).toThrow(TypeError);
  });
});

describe('newlineDelimited: "\\r\\n"', () => {
  it('"\\r\\n" ends a line by default, and the "\\r" is dropped', () => {
    expect(decodeAll(newlineDelimited(), [Buffer.from('a\r\nb\n\r\nc\r\n')])).toEqual([
      'a',
      'b',
      '',
      'c',
    ]);
  });

  it('a "\\r\\n" split across chunks still ends the line', () => {
    const decoder = newlineDelimited().decoder();
    expect(decoder.push(Buffer.from('name\r'))).toEqual([]);
    expect(decoder.push(Buffer.from('\nnext\r\n'))).toEqual(['name', 'next']);
  });

  it('only one "\\r" before the "\\n" is a delimiter; others are text', () => {
    expect(decodeAll(newlineDelimited(), [Buffer.from('a\r\r\nb\rc\n\r\r\n')])).toEqual([
      'a\r',
      'b\rc',
      '\r',
    ]);
  });

  it('stripCR: false keeps the "\\r" in the line', () => {
    const codec = newlineDelimited({ stripCR: false });
    expect(decodeAll(codec, [Buffer.from('a\r\nb\n')])).toEqual(['a\r', 'b']);
    checkRoundTrip(codec, ['ends in CR\r', '\r', '\r\r', 'x']);
  });

  it('encode refuses a line ending in "\\r" when the decoder would strip it', () => {
    const err = thrownBy(() => newlineDelimited().encode('abc\r'));
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.message).toContain('stripCR: false');
    expect(hex(newlineDelimited().encode('a\rb'))).toBe('610d620a');
  });

  it('a line of maxLineLength bytes plus "\\r\\n" fits, even split after the "\\r"', () => {
    const codec = newlineDelimited({ maxLineLength: 3 });
    expect(decodeAll(codec, [Buffer.from('abc\r\n')])).toEqual(['abc']);
    const decoder = codec.decoder();
    expect(decoder.push(Buffer.from('abc\r'))).toEqual([]);
    expect(decoder.buffered).toBe(4);
    expect(decoder.push(Buffer.from('\n'))).toEqual(['abc']);
    expect(thrownBy(() => codec.decoder().push(Buffer.from('abcd\n'))).code).toBe(
      'ERR_TCP_FRAME_TOO_LARGE',
    );
    const next = codec.decoder();
    next.push(Buffer.from('abc\r'));
    expect(thrownBy(() => next.push(Buffer.from('x'))).code).toBe('ERR_TCP_FRAME_TOO_LARGE');
  });

  it('a final unterminated line loses a trailing "\\r" too', () => {
    expect(decodeAll(newlineDelimited(), [Buffer.from('a\nlast\r')])).toEqual(['a', 'last']);
  });
});

describe('newlineDelimited: round trips', () => {
  const lines = ['héllo', '', 'wörld ✓', '😀😀', 'a\rb', ' ', 'x'.repeat(300), '\u2028\u0000'];

  it('UTF-8 lines: every split point (also inside multi-byte characters), random chunks', () => {
    checkRoundTrip(newlineDelimited(), lines);
  });

  it('a line of exactly maxLineLength bytes round-trips', () => {
    checkRoundTrip(newlineDelimited({ maxLineLength: 8 }), ['12345678', 'ü234567', '']);
  });

  it('property: random strings without "\\n" in random chunks come back identical', () => {
    const line = fc
      .string({ unit: 'grapheme', maxLength: 200 })
      .map((s) => s.replaceAll('\n', ' '))
      .filter((s) => !s.endsWith('\r'));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (values, cuts) => {
          const codec = newlineDelimited();
          const wire = Buffer.concat(values.map((v) => codec.encode(v)));
          values.forEach((v) => {
            expect(codec.encodingLength(v)).toBe(Buffer.byteLength(v) + 1);
          });
          const pieces = cutAt(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          );
          expect(decodeAll(codec, pieces)).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: with stripCR false, any "\\r" survives', () => {
    const line = fc
      .string({ unit: fc.constantFrom('a', '\r', 'é', '\u{1F600}', ' '), maxLength: 50 })
      .filter((s) => s.length > 0);
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (values, cuts) => {
          const codec = newlineDelimited({ stripCR: false });
          const wire = Buffer.concat(values.map((v) => codec.encode(v)));
          const pieces = cutAt(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          );
          expect(decodeAll(codec, pieces)).toEqual(values);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('newlineDelimited: unterminated last line', () => {
  it('by default end() returns a last line without "\\n" (a name sent before close)', () => {
    const decoder = newlineDelimited().decoder();
    expect(decoder.push(Buffer.from('ali'))).toEqual([]);
    expect(decoder.push(Buffer.from('ce'))).toEqual([]);
    expect(decoder.buffered).toBe(5);
    expect(decoder.end()).toEqual(['alice']);
    expect(decoder.buffered).toBe(0);
    expect(decoder.end()).toEqual([]);
  });

  it('with allowUnterminated: false, end() inside a line throws ERR_TCP_FRAME_MALFORMED', () => {
    const decoder = newlineDelimited({ allowUnterminated: false }).decoder();
    expect(decoder.push(Buffer.from('one\ntwo'))).toEqual(['one']);
    const err = thrownBy(() => decoder.end());
    expect(err).toBeInstanceOf(FrameError);
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.message).toMatch(/^stream ended inside a line: 3 bytes without a "\\n"/);
    expect(err.line).toBe(2);
  });

  it('with allowUnterminated: false, a stream ending on "\\n" ends cleanly', () => {
    const codec = newlineDelimited({ allowUnterminated: false });
    expect(decodeAll(codec, [Buffer.from('one\ntwo\n')])).toEqual(['one', 'two']);
  });

  it('an invalid UTF-8 last line is still rejected at end()', () => {
    const decoder = newlineDelimited().decoder();
    decoder.push(bytes('ok\n', [0xc3]));
    const err = thrownBy(() => decoder.end());
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.line).toBe(2);
  });
});

describe('newlineDelimited: limits', () => {
  it('a 100 MB stream without "\\n" in 64 KiB chunks fails once past the limit, buffering no more', () => {
    const limit = 64 * KiB;
    const decoder = newlineDelimited().decoder();
    const chunk = Buffer.alloc(64 * KiB, 'a');
    let fed = 0;
    let error: (Error & { code?: string; size?: number; limit?: number }) | undefined;
    for (let i = 0; i < 1600 && !error; i++) {
      try {
        decoder.push(chunk);
        fed += chunk.length;
        expect(decoder.buffered).toBeLessThanOrEqual(limit);
      } catch (err) {
        error = err as Error;
      }
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error?.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(error?.limit).toBe(limit);
    expect(error?.message).toBe(
      'line 1 of at least 131072 bytes exceeds the 65536-byte limit (raise maxLineLength)',
    );
    expect(fed).toBeLessThanOrEqual(limit);
    expect(decoder.buffered).toBe(0);
    expect(thrownBy(() => decoder.push(Buffer.from('\n')))).toBe(error);
  });

  it('a long line fed a byte at a time fails on the byte past the limit', () => {
    const decoder = newlineDelimited({ maxLineLength: 100 }).decoder();
    const line = Buffer.alloc(100, 'z');
    pushChecked(decoder, cutAt(line, [...line.keys()]), 100);
    expect(decoder.buffered).toBe(100);
    const err = thrownBy(() => decoder.push(Buffer.from('z')));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(101);
  });

  it('a too-long line inside one chunk is rejected with its size and line number', () => {
    const codec = newlineDelimited({ maxLineLength: 10 });
    const err = thrownBy(() =>
      codec.decoder().push(Buffer.from('short\n\nthis one is long\nok\n')),
    );
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err.size).toBe(16);
    expect(err.line).toBe(3);
    expect(err.message).toBe('line 3 of 16 bytes exceeds the 10-byte limit (raise maxLineLength)');
  });

  it('a too-long line completed by a later chunk is rejected before it is copied', () => {
    const decoder = newlineDelimited({ maxLineLength: 10 }).decoder();
    decoder.push(Buffer.from('12345'));
    const err = thrownBy(() => decoder.push(Buffer.from(`${'6'.repeat(100_000)}\n`)));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(100_005);
    expect(decoder.buffered).toBe(0);
  });

  it('counts bytes, not characters: 4 two-byte characters are 8 bytes', () => {
    const codec = newlineDelimited({ maxLineLength: 7 });
    expect(thrownBy(() => codec.decoder().push(Buffer.from('éééé\n'))).code).toBe(
      'ERR_TCP_FRAME_TOO_LARGE',
    );
    const err = thrownBy(() => codec.encode('éééé'));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.message).toBe('line of 8 bytes exceeds the 7-byte limit (raise maxLineLength)');
    expect(codec.encode('ééé').length).toBe(7);
  });

  it('validates its options up front, naming the option', () => {
    const bad: [unknown, ErrorConstructor | RangeErrorConstructor, RegExp][] = [
      [{ maxLineLength: 0 }, RangeError, /maxLineLength must be between 1 and/],
      [{ maxLineLength: 2 ** 40 }, RangeError, /maxLineLength/],
      [{ maxLineLength: '10' }, TypeError, /maxLineLength must be an integer/],
      [{ allowUnterminated: 'yes' }, TypeError, /allowUnterminated must be a boolean/],
      [{ stripCR: 1 }, TypeError, /stripCR must be a boolean/],
      [null, TypeError, /newlineDelimited options must be an object/],
    ];
    for (const [options, type, message] of bad) {
      const err = thrownBy(() => newlineDelimited(options as never));
      expect(err, JSON.stringify(options)).toBeInstanceOf(type);
      expect(err.message).toMatch(message);
    }
    expect(newlineDelimited({ maxLineLength: 5 }).maxFrameSize).toBe(5);
  });
});

describe('newlineDelimited: invalid UTF-8', () => {
  const cases: [string, Buffer][] = [
    ['a lone continuation byte', bytes([0x80], '\n')],
    ['0xff', bytes('ok', [0xff], '\n')],
    ['a truncated sequence before "\\n"', bytes([0xe2, 0x9c], '\n')],
    ['an overlong "/"', bytes([0xc0, 0xaf], '\n')],
    ['a UTF-16 surrogate', bytes([0xed, 0xa0, 0x80], '\n')],
    ['a code point above U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80], '\n')],
  ];
  for (const [what, line] of cases) {
    it(`rejects ${what} with ERR_TCP_FRAME_MALFORMED`, () => {
      const err = thrownBy(() => newlineDelimited().decoder().push(line));
      expect(err).toBeInstanceOf(FrameError);
      expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
      expect(err.line).toBe(1);
      expect(err.message).toMatch(/^line 1 is not valid UTF-8/);
    });
  }

  it('names the line: the third line of a chunk', () => {
    const err = thrownBy(() =>
      newlineDelimited()
        .decoder()
        .push(bytes('a\n\n', [0xff], '\nb\n')),
    );
    expect(err.line).toBe(3);
  });

  it('counts lines across chunks, and catches a bad line completed by a later chunk', () => {
    const decoder = newlineDelimited().decoder();
    expect(decoder.push(Buffer.from('a\nb\nc'))).toEqual(['a', 'b']);
    decoder.push(Buffer.from([0xfe]));
    const err = thrownBy(() => decoder.push(Buffer.from('\n')));
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.line).toBe(3);
  });

  it('reports the first bad line in stream order: too long before bad UTF-8', () => {
    const codec = newlineDelimited({ maxLineLength: 3 });
    const err = thrownBy(() => codec.decoder().push(bytes('toolong\n', [0xff], '\n')));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    const err2 = thrownBy(() => codec.decoder().push(bytes([0xff], '\ntoolong\n')));
    expect(err2.code).toBe('ERR_TCP_FRAME_MALFORMED');
  });

  it('a multi-byte character split across chunks is fine', () => {
    const decoder = newlineDelimited().decoder();
    const wire = Buffer.from('✓\n');
    expect(decoder.push(wire.subarray(0, 1))).toEqual([]);
    expect(decoder.push(wire.subarray(1, 2))).toEqual([]);
    expect(decoder.push(wire.subarray(2))).toEqual(['✓']);
  });
});
