import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, jsonLines } from '../src/framing/index.js';
import { checkRoundTrip, cutAt, decodeAll, pushChecked, thrownBy } from './framing-helpers.js';

describe('jsonLines: wire format', () => {
  it('encodes JSON.stringify(value) + "\\n"; a newline in a string stays escaped', () => {
    const codec = jsonLines();
    expect(Buffer.from(codec.encode({ a: 'x\ny', b: [1, null] })).toString()).toBe(
      '{"a":"x\\ny","b":[1,null]}\n',
    );
    expect(codec.encodingLength('é')).toBe(5);
    expect(codec.maxFrameSize).toBe(64 * 1024);
  });

  it('decodes one value per line, "\\n" or "\\r\\n", skipping blank lines', () => {
    const values = decodeAll(jsonLines(), [Buffer.from('1\n\n  \r\n{"a":2}\r\n\t\n"s"\n[]')]);
    expect(values).toEqual([1, { a: 2 }, 's', []]);
  });
});

describe('jsonLines: round trips', () => {
  const values = [
    { id: 1, name: 'alice', tags: ['a', 'b'] },
    'line\nbreak and \r and \u2028 and é ✓ 😀',
    0,
    -1.5e300,
    null,
    true,
    [],
    {},
    { nested: { deeper: [{ x: '"quoted"' }] } },
  ];

  it('every split point, byte by byte, random chunks', () => {
    checkRoundTrip(jsonLines(), values);
  });

  it('property: any JSON value in random chunks comes back equal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (input, cuts) => {
          const codec = jsonLines({ maxLineLength: 1024 * 1024 });
          const wire = Buffer.concat(input.map((v) => codec.encode(v)));
          input.forEach((v) => {
            expect(codec.encodingLength(v)).toBe(codec.encode(v).length);
          });
          const pieces = cutAt(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          );
          const expected = input.map((v) => JSON.parse(JSON.stringify(v)));
          expect(decodeAll(codec, pieces)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: JSON strings of any characters (lone surrogates too) survive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 100 }), { maxLength: 20 }),
        (input) => {
          const codec = jsonLines();
          const wire = Buffer.concat(input.map((v) => codec.encode(v)));
          expect(decodeAll(codec, cutAt(wire, [1, 7, 30, 100]))).toEqual(input);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('jsonLines: bad input', () => {
  it('invalid JSON is ERR_TCP_FRAME_MALFORMED naming the line (blank lines count)', () => {
    const decoder = jsonLines().decoder();
    expect(decoder.push(Buffer.from('{"ok":1}\n\n'))).toEqual([{ ok: 1 }]);
    const err = thrownBy(() => decoder.push(Buffer.from('{"ok":2}\n{bad\n{"ok":3}\n')));
    expect(err).toBeInstanceOf(FrameError);
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/^line 4 is not valid JSON: /);
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(thrownBy(() => decoder.push(Buffer.from('1\n')))).toBe(err);
    expect(thrownBy(() => decoder.end())).toBe(err);
  });

  it('errors come in stream order: bad JSON before a too-long line in one chunk is reported', () => {
    // Found by the fuzz: lines were all split before any was parsed, so the later line's
    // ERR_TCP_FRAME_TOO_LARGE hid the earlier line's bad JSON, depending on chunking.
    const codec = jsonLines({ maxLineLength: 10 });
    const wire = Buffer.from(`1\n{bad\n"${'x'.repeat(20)}"\n`);
    const whole = thrownBy(() => codec.decoder().push(wire));
    expect(whole.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(whole.line).toBe(2);
    const decoder = codec.decoder();
    decoder.push(wire.subarray(0, 4));
    expect(thrownBy(() => decoder.push(wire.subarray(4))).line).toBe(2);
  });

  it('an invalid unterminated last line is rejected at end()', () => {
    const decoder = jsonLines().decoder();
    expect(decoder.push(Buffer.from('1\n{"a":'))).toEqual([1]);
    const err = thrownBy(() => decoder.end());
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.line).toBe(2);
  });

  it('a valid unterminated last line is returned by end(), unless allowUnterminated is false', () => {
    expect(decodeAll(jsonLines(), [Buffer.from('1\n2')])).toEqual([1, 2]);
    const decoder = jsonLines({ allowUnterminated: false }).decoder();
    expect(decoder.push(Buffer.from('1\n2'))).toEqual([1]);
    expect(thrownBy(() => decoder.end()).code).toBe('ERR_TCP_FRAME_MALFORMED');
  });

  it('invalid UTF-8 is ERR_TCP_FRAME_MALFORMED', () => {
    const err = thrownBy(() =>
      jsonLines()
        .decoder()
        .push(Buffer.from([0x22, 0xff, 0x22, 0x0a])),
    );
    expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
    expect(err.line).toBe(1);
  });

  it('a line longer than maxLineLength fails as soon as it is longer, buffering no more', () => {
    const decoder = jsonLines({ maxLineLength: 1000 }).decoder();
    const value = Buffer.from(JSON.stringify('x'.repeat(5000)));
    let err: (Error & { code?: string }) | undefined;
    try {
      pushChecked(decoder, cutAt(value, [100, 200, 500, 900, 1001, 2000]), 1000);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(decoder.buffered).toBe(0);
  });
});

describe('jsonLines: encode', () => {
  it('refuses values JSON cannot carry, with ERR_TCP_FRAME_MALFORMED', () => {
    const codec = jsonLines();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [undefined, () => 1, Symbol('s'), 10n, cyclic]) {
      const err = thrownBy(() => codec.encode(value));
      expect(err).toBeInstanceOf(FrameError);
      expect(err.code).toBe('ERR_TCP_FRAME_MALFORMED');
      expect(err.message).toMatch(/^cannot encode/);
    }
  });

  it('refuses a value whose JSON is longer than maxLineLength', () => {
    const codec = jsonLines({ maxLineLength: 10 });
    expect(codec.encode('12345678').length).toBe(11);
    const err = thrownBy(() => codec.encode('123456789'));
    expect(err.code).toBe('ERR_TCP_FRAME_TOO_LARGE');
    expect(err.size).toBe(11);
    expect(err.limit).toBe(10);
  });

  it('validates its options up front, naming the option', () => {
    expect(() => jsonLines({ maxLineLength: 0 })).toThrow(/maxLineLength must be between/);
    expect(() => jsonLines({ maxLineLength: 0 })).toThrow(RangeError);
    expect(() => jsonLines({ maxLineLength: 'big' as never })).toThrow(TypeError);
    expect(() => jsonLines({ allowUnterminated: 0 as never })).toThrow(/allowUnterminated/);
    expect(() => jsonLines(null as never)).toThrow(/jsonLines options must be an object/);
  });
});
