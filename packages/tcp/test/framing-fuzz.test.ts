// Bounded fuzz of the decoders: random and mutated byte streams, random chunking. Whatever
// comes in, the only thing that may escape is a FrameError with one of the two codes, and the
// decoder never buffers more than its limit allows.
import { describe, expect, it } from 'vitest';
import {
  type FrameCodec,
  FrameError,
  jsonLines,
  lengthPrefixed,
  newlineDelimited,
} from '../src/framing/index.js';
import { prng, randomBytes, randomChunks } from './framing-helpers.js';

/** Five codecs × 4000 inputs = 20,000 inputs, each decoded whole and in random chunks. */
const RUNS_PER_CODEC = 4000;
const CODES = new Set(['ERR_TCP_FRAME_TOO_LARGE', 'ERR_TCP_FRAME_MALFORMED']);
/** Bytes the codecs treat specially, so random input hits their branches often. */
const INTERESTING = [0x00, 0x0a, 0x0d, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x80, 0xc3, 0xff];

function randomInput(rand: () => number): Buffer {
  if (rand() < 0.3) {
    // Text-like: lines of printable ASCII, some longer than the line limits.
    const lines = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
      Buffer.alloc(Math.floor(rand() * 300), 0x20 + Math.floor(rand() * 95)),
    );
    return Buffer.from(lines.join('\n'));
  }
  const out = randomBytes(rand, Math.floor(rand() * 600));
  for (let i = 0; i < out.length; i++) {
    if (rand() < 0.3) out[i] = INTERESTING[Math.floor(rand() * INTERESTING.length)]!;
  }
  return out;
}

function mutate(valid: Buffer, rand: () => number): Buffer {
  let bytes = Buffer.from(valid);
  const mutations = 1 + Math.floor(rand() * 4);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(rand() * (bytes.length + 1));
    switch (Math.floor(rand() * 6)) {
      case 0: // flip a bit
        if (at < bytes.length) bytes[at]! ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: // an interesting byte
        if (at < bytes.length) bytes[at] = INTERESTING[Math.floor(rand() * INTERESTING.length)]!;
        break;
      case 2: // insert random bytes
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          randomBytes(rand, 1 + Math.floor(rand() * 8)),
          bytes.subarray(at),
        ]);
        break;
      case 3: // delete a range
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(at + 1 + Math.floor(rand() * 8)),
        ]);
        break;
      case 4: // duplicate a range
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(at, at + 20),
          bytes.subarray(at),
        ]);
        break;
      default: // truncate
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

interface Target {
  name: string;
  codec: FrameCodec<unknown>;
  /** Most bytes `buffered` may report. */
  maxBuffered: number;
  /** A random valid value for this codec. */
  value: (rand: () => number) => unknown;
}

const text = (rand: () => number, max: number): string => {
  const alphabet = ['a', 'b', ' ', 'é', '✓', '😀', '\r', '"', '{', '\\'];
  let s = '';
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s.replace(/\r+$/, '');
};

const targets: Target[] = [
  {
    name: 'lengthPrefixed, 4-byte prefix, 512-byte limit',
    codec: lengthPrefixed({ maxFrameSize: 512 }) as FrameCodec<unknown>,
    maxBuffered: 512 + 4,
    value: (rand) => randomBytes(rand, Math.floor(rand() * 80)),
  },
  {
    name: 'lengthPrefixed, 2-byte prefix, 300-byte limit',
    codec: lengthPrefixed({ prefixBytes: 2, maxFrameSize: 300 }) as FrameCodec<unknown>,
    maxBuffered: 300 + 2,
    value: (rand) => randomBytes(rand, Math.floor(rand() * 80)),
  },
  {
    name: 'newlineDelimited, 64-byte lines',
    codec: newlineDelimited({ maxLineLength: 64 }) as FrameCodec<unknown>,
    maxBuffered: 64 + 1,
    value: (rand) => text(rand, 20),
  },
  {
    name: 'newlineDelimited, stripCR and allowUnterminated off',
    codec: newlineDelimited({
      maxLineLength: 200,
      stripCR: false,
      allowUnterminated: false,
    }) as FrameCodec<unknown>,
    maxBuffered: 200,
    value: (rand) => text(rand, 40),
  },
  {
    name: 'jsonLines, 100-byte lines',
    codec: jsonLines({ maxLineLength: 100 }),
    maxBuffered: 100 + 1,
    value: (rand) => {
      const r = rand();
      if (r < 0.3) return Math.floor(rand() * 1e6) - 5e5;
      if (r < 0.6) return text(rand, 20);
      if (r < 0.8) return { id: Math.floor(rand() * 100), name: text(rand, 10), ok: rand() < 0.5 };
      return [null, true, text(rand, 5)];
    },
  },
];

type Outcome =
  | { frames: unknown[] }
  | { code: 'ERR_TCP_FRAME_TOO_LARGE' | 'ERR_TCP_FRAME_MALFORMED' };

/** Decodes `pieces` with a fresh decoder; fails the test on anything but a FrameError. */
function decode(target: Target, pieces: readonly Uint8Array[], input: Buffer): Outcome {
  const decoder = target.codec.decoder();
  const frames: unknown[] = [];
  try {
    for (const piece of pieces) {
      frames.push(...decoder.push(piece));
      if (decoder.buffered > target.maxBuffered) {
        throw new Error(`buffered ${decoder.buffered} > ${target.maxBuffered}`);
      }
    }
    frames.push(...decoder.end());
    return { frames };
  } catch (err) {
    if (!(err instanceof FrameError) || !CODES.has(err.code)) {
      throw new Error(`unexpected ${String(err)} for input ${input.toString('hex')}`, {
        cause: err,
      });
    }
    expect(decoder.buffered).toBe(0);
    return { code: err.code };
  }
}

const view = (outcome: Outcome): unknown =>
  'code' in outcome
    ? outcome.code
    : outcome.frames.map((f) => (f instanceof Uint8Array ? Buffer.from(f).toString('hex') : f));

describe('framing fuzz: only FrameError escapes, and chunking never changes the outcome', () => {
  for (const [index, target] of targets.entries()) {
    it(`${target.name}: ${RUNS_PER_CODEC} random and mutated streams`, () => {
      const rand = prng(0xf00d + index);
      const outcomes = { ok: 0, ERR_TCP_FRAME_TOO_LARGE: 0, ERR_TCP_FRAME_MALFORMED: 0 };
      for (let run = 0; run < RUNS_PER_CODEC; run++) {
        let input: Buffer;
        if (run % 2 === 0) {
          input = randomInput(rand);
        } else {
          const values = Array.from({ length: Math.floor(rand() * 8) }, () => target.value(rand));
          input = mutate(Buffer.concat(values.map((v) => target.codec.encode(v))), rand);
        }
        const whole = decode(target, [input], input);
        const chunked = decode(
          target,
          randomChunks(input, rand, 1 + Math.floor(rand() * 100)),
          input,
        );
        expect(view(chunked)).toEqual(view(whole));
        if ('code' in whole) {
          outcomes[whole.code]++;
          continue;
        }
        outcomes.ok++;
        if (target.name.startsWith('lengthPrefixed')) {
          // A stream that decoded is exactly its frames re-encoded.
          const again = Buffer.concat(whole.frames.map((f) => target.codec.encode(f)));
          expect(again.equals(input)).toBe(true);
        }
      }
      // The fuzz reached all three outcomes, so it exercised what it claims to.
      expect(outcomes.ok).toBeGreaterThan(RUNS_PER_CODEC / 50);
      expect(outcomes.ERR_TCP_FRAME_MALFORMED).toBeGreaterThan(RUNS_PER_CODEC / 50);
      expect(outcomes.ERR_TCP_FRAME_TOO_LARGE).toBeGreaterThan(RUNS_PER_CODEC / 50);
    });
  }
});
