import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompleteMessage,
  crc32,
  DEFAULT_FRAGMENT_DATAGRAM_SIZE,
  decodeFragmentHeader,
  encodeFragmentHeader,
  FRAGMENT_HEADER_SIZE,
  FragmentError,
  type FragmentHeader,
  fragmentMessage,
  type LostMessage,
  Reassembler,
  type ReassemblerOptions,
} from '../src/index.js';
// mulberry32, the seeded PRNG the fixtures use: every random choice here is reproducible.
import { mulberry32 as prng } from './fixtures/workload.mjs';
import { sleep, thrownBy, waitUntil } from './helpers.js';

function randomBytes(rand: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A reassembler that records what it reports lost. */
function reassembler(options: ReassemblerOptions = {}) {
  const lost: LostMessage[] = [];
  const r = new Reassembler({ ...options, onLost: (l) => lost.push(l) });
  return { r, lost };
}

/** Pushes datagrams in order; returns every message delivered. */
function pushAll(
  r: Reassembler,
  datagrams: Buffer[],
  source = '127.0.0.1:5000',
): CompleteMessage[] {
  const out: CompleteMessage[] = [];
  for (const d of datagrams) {
    const m = r.push(d, source);
    if (m) out.push(m);
  }
  return out;
}

const message = (length: number, seed = length) => randomBytes(prng(seed), length);

describe('fragment header', () => {
  it('round-trips, big-endian after "NK" and version 1', () => {
    const header: FragmentHeader = {
      messageId: 0xdeadbeef,
      index: 2,
      count: 3,
      length: 3000,
      offset: 2000,
      crc: 0x01020304,
    };
    const datagram = Buffer.alloc(FRAGMENT_HEADER_SIZE + 1000);
    encodeFragmentHeader(header, datagram);
    expect(datagram.subarray(0, 4)).toEqual(Buffer.from([0x4e, 0x4b, 1, 0]));
    expect(datagram.readUInt32BE(4)).toBe(0xdeadbeef);
    expect(datagram.readUInt16BE(8)).toBe(2);
    expect(datagram.readUInt32BE(20)).toBe(0x01020304);
    expect(decodeFragmentHeader(datagram)).toEqual(header);
  });

  it('encodes at an offset inside a larger buffer and decodes from a view', () => {
    const header: FragmentHeader = {
      messageId: 7,
      index: 0,
      count: 1,
      length: 4,
      offset: 0,
      crc: 9,
    };
    const big = Buffer.alloc(100, 0xaa);
    encodeFragmentHeader(header, big, 10);
    expect(big[9]).toBe(0xaa);
    expect(big[10 + FRAGMENT_HEADER_SIZE]).toBe(0xaa);
    expect(decodeFragmentHeader(big.subarray(10, 10 + FRAGMENT_HEADER_SIZE + 4))).toEqual(header);
  });

  it('round-trips any valid header (property)', () => {
    const valid = fc
      .record({
        messageId: fc.nat({ max: 2 ** 32 - 1 }),
        count: fc.integer({ min: 1, max: 0xffff }),
        extra: fc.nat({ max: 2 ** 31 }),
        indexFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        offsetFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        size: fc.integer({ min: 1, max: 64 }),
        crc: fc.nat({ max: 2 ** 32 - 1 }),
      })
      .map(({ messageId, count, extra, indexFraction, offsetFraction, size, crc }) => {
        const length = count + extra;
        const offset = Math.floor(offsetFraction * length);
        const body = Math.min(size, length - offset);
        const index = Math.floor(indexFraction * count);
        return { header: { messageId, index, count, length, offset, crc }, body };
      });
    fc.assert(
      fc.property(valid, ({ header, body }) => {
        const datagram = Buffer.alloc(FRAGMENT_HEADER_SIZE + body);
        encodeFragmentHeader(header, datagram);
        expect(decodeFragmentHeader(datagram)).toEqual(header);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects malformed headers with FragmentError (ERR_UDP_FRAGMENT_MALFORMED)', () => {
    const good: FragmentHeader = {
      messageId: 1,
      index: 0,
      count: 2,
      length: 10,
      offset: 0,
      crc: 0,
    };
    const make = (h: Partial<FragmentHeader>, body = 5) => {
      const d = Buffer.alloc(FRAGMENT_HEADER_SIZE + body);
      encodeFragmentHeader({ ...good, ...h }, d);
      return d;
    };
    const cases: [string, Buffer, RegExp][] = [
      ['shorter than a header', Buffer.alloc(FRAGMENT_HEADER_SIZE - 1), /shorter/],
      ['bad magic', Buffer.concat([Buffer.from('XX'), make({}).subarray(2)]), /magic/],
      ['version 2', Buffer.from(make({}).fill(2, 2, 3)), /version/],
      ['flags set', Buffer.from(make({}).fill(1, 3, 4)), /flags/],
      ['count 0', make({ count: 0 }), /count is 0/],
      ['index not below count', make({ index: 2 }), /index/],
      ['bytes past the length', make({ offset: 6 }), /past/],
      ['empty fragment of a non-empty message', make({}, 0), /empty/],
      ['more fragments than bytes', make({ count: 11, length: 10, index: 0 }, 1), /cannot carry/],
    ];
    for (const [what, datagram, pattern] of cases) {
      const err = thrownBy(() => decodeFragmentHeader(datagram));
      expect(err, what).toBeInstanceOf(FragmentError);
      expect(err.code, what).toBe('ERR_UDP_FRAGMENT_MALFORMED');
      expect(err.message, what).toMatch(pattern);
    }
  });
});

describe('fragmentMessage', () => {
  it('splits into datagrams of at most maxDatagramSize that tile the message', () => {
    const data = message(10_000);
    const fragments = fragmentMessage(data, { maxDatagramSize: 1000, messageId: 42 });
    const chunk = 1000 - FRAGMENT_HEADER_SIZE;
    expect(fragments.length).toBe(Math.ceil(10_000 / chunk));
    let offset = 0;
    for (const [index, f] of fragments.entries()) {
      expect(f.length).toBeLessThanOrEqual(1000);
      const h = decodeFragmentHeader(f);
      expect(h).toEqual({
        messageId: 42,
        index,
        count: fragments.length,
        length: 10_000,
        offset,
        crc: crc32(data),
      });
      expect(f.subarray(FRAGMENT_HEADER_SIZE).equals(data.subarray(offset, offset + chunk))).toBe(
        true,
      );
      offset += f.length - FRAGMENT_HEADER_SIZE;
    }
    expect(offset).toBe(10_000);
  });

  it('fills datagrams of the default size (1200 bytes)', () => {
    expect(DEFAULT_FRAGMENT_DATAGRAM_SIZE).toBe(1200);
    const fragments = fragmentMessage(message(5000));
    expect(fragments.length).toBe(Math.ceil(5000 / (1200 - FRAGMENT_HEADER_SIZE)));
    expect(fragments.slice(0, -1).every((f) => f.length === 1200)).toBe(true);
    expect(fragments.at(-1)!.length).toBeLessThanOrEqual(1200);
  });

  it('sends an empty message as one header-only datagram', () => {
    const [only, ...rest] = fragmentMessage(new Uint8Array(0), { messageId: 5 });
    expect(rest).toEqual([]);
    expect(only!.length).toBe(FRAGMENT_HEADER_SIZE);
    expect(decodeFragmentHeader(only!)).toMatchObject({
      count: 1,
      length: 0,
      index: 0,
      messageId: 5,
    });
    const { r } = reassembler();
    expect(r.push(only!, 'a')?.data.length).toBe(0);
  });

  it('fits a message exactly into whole fragments', () => {
    const fragments = fragmentMessage(message(976 * 3), { maxDatagramSize: 1000 });
    expect(fragments.map((f) => f.length)).toEqual([1000, 1000, 1000]);
  });

  it('accepts strings, and picks a random message id when none is given', () => {
    const [f] = fragmentMessage('héllo');
    expect(f!.subarray(FRAGMENT_HEADER_SIZE).toString()).toBe('héllo');
    const ids = new Set(
      Array.from({ length: 20 }, () => decodeFragmentHeader(fragmentMessage('x')[0]!).messageId),
    );
    expect(ids.size).toBeGreaterThan(15);
  });

  it('validates its options', () => {
    expect(() => fragmentMessage('x', { maxDatagramSize: FRAGMENT_HEADER_SIZE })).toThrow(
      RangeError,
    );
    expect(() => fragmentMessage('x', { maxDatagramSize: 65_508 })).toThrow(/maxDatagramSize/);
    expect(() => fragmentMessage('x', { messageId: -1 })).toThrow(/messageId/);
    expect(() => fragmentMessage('x', { messageId: 2 ** 32 })).toThrow(/messageId/);
    // 65536 one-byte fragments are one too many.
    expect(() => fragmentMessage(new Uint8Array(65_536), { maxDatagramSize: 25 })).toThrow(/65535/);
    expect(fragmentMessage(new Uint8Array(65_535), { maxDatagramSize: 25 }).length).toBe(65_535);
  });
});

describe('Reassembler', () => {
  const data = message(7000, 1);
  const fragments = fragmentMessage(data, { maxDatagramSize: 1000, messageId: 77 });

  it.each([
    ['in order', (f: Buffer[]) => f],
    ['reversed', (f: Buffer[]) => [...f].reverse()],
    ['shuffled', (f: Buffer[]) => shuffle(f, prng(3))],
    ['duplicated', (f: Buffer[]) => f.flatMap((x, i) => (i % 2 === 0 ? [x, x, x] : [x]))],
    ['shuffled with duplicates', (f: Buffer[]) => shuffle([...f, ...f, f[0]!], prng(4))],
  ])('delivers %s fragments byte-identical, once', (_what, arrange) => {
    const { r, lost } = reassembler();
    const arranged = arrange(fragments);
    const delivered = pushAll(r, arranged, '127.0.0.1:9');
    expect(delivered.length).toBe(1);
    expect(delivered[0]!.data.equals(data)).toBe(true);
    expect(delivered[0]!.messageId).toBe(77);
    expect(delivered[0]!.source).toBe('127.0.0.1:9');
    expect(lost).toEqual([]);
    const stats = r.stats;
    expect(stats.delivered).toBe(1);
    expect(stats.duplicates).toBe(arranged.length - fragments.length);
    expect(stats.bufferedBytes).toBe(0);
    expect(stats.pending).toBe(0);
    r.close();
    expect(lost).toEqual([]);
  });

  it('returns the message from the push that completes it, and copies what it holds', () => {
    const { r } = reassembler();
    // Fragments in a buffer the caller reuses: the reassembler must not keep views into it.
    const scratch = Buffer.alloc(1000);
    for (const [i, f] of fragments.entries()) {
      f.copy(scratch);
      const out = r.push(scratch.subarray(0, f.length), 'src');
      scratch.fill(0xee);
      if (i < fragments.length - 1) expect(out).toBeUndefined();
      else expect(out?.data.equals(data)).toBe(true);
    }
  });

  it('keeps messages apart by source and by id', () => {
    const { r } = reassembler();
    const other = message(3000, 2);
    const a = fragmentMessage(data, { maxDatagramSize: 1000, messageId: 1 });
    const b = fragmentMessage(other, { maxDatagramSize: 1000, messageId: 1 });
    const c = fragmentMessage(other, { maxDatagramSize: 1000, messageId: 2 });
    const delivered: CompleteMessage[] = [];
    const rand = prng(5);
    const queue = [
      ...a.map((d) => [d, 'A'] as const),
      ...b.map((d) => [d, 'B'] as const),
      ...c.map((d) => [d, 'A'] as const),
    ];
    for (const [d, src] of shuffle(queue, rand)) {
      const m = r.push(d, src);
      if (m) delivered.push(m);
    }
    const summary = delivered
      .map(
        (m) =>
          `${m.source}#${m.messageId}:${m.data.equals(m.source === 'A' && m.messageId === 1 ? data : other)}`,
      )
      .sort();
    expect(summary).toEqual(['A#1:true', 'A#2:true', 'B#1:true']);
  });

  it('reports a message missing a fragment as lost by timeout', async () => {
    const { r, lost } = reassembler({ timeout: 40 });
    expect(pushAll(r, fragments.slice(1), 'src')).toEqual([]);
    expect(r.stats.pending).toBe(1);
    expect(r.stats.bufferedBytes).toBeGreaterThan(0);
    // The reassembler's own timer reports it; nothing else is pushed.
    expect(await waitUntil(() => lost.length > 0, 2000)).toBe(true);
    expect(lost).toEqual([
      {
        messageId: 77,
        source: 'src',
        reason: 'timeout',
        received: fragments.length - 1,
        count: fragments.length,
        length: 7000,
      },
    ]);
    expect(r.stats).toMatchObject({ lost: 1, pending: 0, bufferedBytes: 0, delivered: 0 });
    // The missing fragment arriving late delivers nothing and is not reported again.
    expect(r.push(fragments[0]!, 'src')).toBeUndefined();
    expect(lost.length).toBe(1);
    r.close();
  });

  it('reports fragments of one id that disagree as corrupt', () => {
    const { r, lost } = reassembler();
    const other = fragmentMessage(message(9000, 9), { maxDatagramSize: 1000, messageId: 77 });
    expect(r.push(fragments[0]!, 'src')).toBeUndefined();
    expect(r.push(other[1]!, 'src')).toBeUndefined(); // same id, other length and CRC
    expect(lost.map((l) => l.reason)).toEqual(['corrupt']);
    expect(r.stats.pending).toBe(0);
    expect(r.stats.bufferedBytes).toBe(0);
    // The rest of either message is now a duplicate of a finished one.
    expect(pushAll(r, fragments.slice(1), 'src')).toEqual([]);
    expect(lost.length).toBe(1);
  });

  it('reports one index carried at two offsets as corrupt', () => {
    const { r, lost } = reassembler();
    r.push(fragments[0]!, 'src');
    const moved = Buffer.from(fragments[1]!);
    moved.writeUInt16BE(0, 8); // claims to be index 0, with fragment 1's offset
    expect(r.push(moved, 'src')).toBeUndefined();
    expect(lost.map((l) => l.reason)).toEqual(['corrupt']);
  });

  it('reports fragments that do not tile the message as corrupt', () => {
    const { r, lost } = reassembler();
    const shifted = fragments.map((f, i) => {
      const copy = Buffer.from(f);
      if (i === 1) copy.writeUInt32BE(f.readUInt32BE(16) - 1, 16); // overlaps fragment 0
      return copy;
    });
    expect(pushAll(r, shifted, 'src')).toEqual([]);
    expect(lost.map((l) => l.reason)).toEqual(['corrupt']);
    expect(r.stats.bufferedBytes).toBe(0);
  });

  it('reports a flipped bit in a fragment body as corrupt (CRC-32)', () => {
    for (const count of [1, fragments.length]) {
      const source = count === 1 ? fragmentMessage(message(500), { messageId: 3 }) : fragments;
      const { r, lost } = reassembler();
      const flipped = source.map((f) => Buffer.from(f));
      const victim = flipped[flipped.length - 1]!;
      victim[FRAGMENT_HEADER_SIZE + 3]! ^= 0x10;
      expect(pushAll(r, flipped, 'src')).toEqual([]);
      expect(lost.map((l) => l.reason)).toEqual(['corrupt']);
      expect(r.stats).toMatchObject({ delivered: 0, lost: 1, bufferedBytes: 0, pending: 0 });
    }
  });

  it('reports a message over maxMessageSize as too-large, once', () => {
    const { r, lost } = reassembler({ maxMessageSize: 5000, maxBufferedBytes: 1 << 20 });
    expect(pushAll(r, fragments, 'src')).toEqual([]);
    expect(lost).toEqual([
      {
        messageId: 77,
        source: 'src',
        reason: 'too-large',
        received: 0,
        count: fragments.length,
        length: 7000,
      },
    ]);
    expect(r.stats.bufferedBytes).toBe(0);
    expect(r.stats.duplicates).toBe(fragments.length - 1);
  });

  it('keeps buffered bytes under maxBufferedBytes, dropping the oldest messages', () => {
    const cap = 64 * 1024;
    const { r, lost } = reassembler({ maxBufferedBytes: cap, maxMessageSize: 32 * 1024 });
    const messages = Array.from({ length: 40 }, (_, i) =>
      fragmentMessage(message(8000, 100 + i), { maxDatagramSize: 1200, messageId: i }),
    );
    for (const fs of messages) {
      // Every fragment but the last: each message stays incomplete.
      for (const f of fs.slice(0, -1)) {
        expect(r.push(f, 'src')).toBeUndefined();
        expect(r.stats.bufferedBytes).toBeLessThanOrEqual(cap);
      }
    }
    const stats = r.stats;
    expect(stats.peakBufferedBytes).toBeLessThanOrEqual(cap);
    expect(stats.peakBufferedBytes).toBeGreaterThan(cap / 2);
    expect(lost.length).toBeGreaterThan(20);
    expect(lost.every((l) => l.reason === 'memory')).toBe(true);
    // Oldest first: the lost ids are exactly the first ones sent.
    expect(lost.map((l) => l.messageId)).toEqual(lost.map((_, i) => i));
    expect(stats.pending + lost.length).toBe(40);
    // The most recent message still completes.
    const last = messages.at(-1)!;
    expect(r.push(last.at(-1)!, 'src')?.data.equals(message(8000, 139))).toBe(true);
    r.close();
    expect(lost.filter((l) => l.reason === 'closed').length).toBe(stats.pending - 1);
  });

  it('drops the oldest message beyond maxPendingMessages', () => {
    const { r, lost } = reassembler({ maxPendingMessages: 3 });
    for (let id = 0; id < 5; id++) {
      r.push(
        fragmentMessage(message(3000, id), { maxDatagramSize: 1000, messageId: id })[0]!,
        'src',
      );
    }
    expect(r.stats.pending).toBe(3);
    expect(lost.map((l) => [l.messageId, l.reason])).toEqual([
      [0, 'memory'],
      [1, 'memory'],
    ]);
  });

  it('does not report late duplicates of a delivered message as lost', async () => {
    const { r, lost } = reassembler({ timeout: 40 });
    expect(pushAll(r, fragments, 'src').length).toBe(1);
    expect(pushAll(r, [fragments[2]!, fragments[0]!], 'src')).toEqual([]);
    expect(r.stats.duplicates).toBe(2);
    await sleep(120);
    expect(lost).toEqual([]);
    r.close();
    expect(lost).toEqual([]);
  });

  it('does not report a duplicate that arrives after the timeout as lost', async () => {
    const { r, lost } = reassembler({ timeout: 40 });
    expect(pushAll(r, fragments, 'src').length).toBe(1);
    await sleep(100); // longer than the timeout
    expect(r.push(fragments[1]!, 'src')).toBeUndefined();
    await sleep(150);
    r.close();
    // Delivered and lost are exclusive: a late copy of a delivered message is a duplicate.
    expect(lost).toEqual([]);
  });

  it('does not deliver a single-fragment message twice when a copy arrives late', async () => {
    const { r } = reassembler({ timeout: 40 });
    const [only] = fragmentMessage('once', { messageId: 12 });
    expect(r.push(only!, 'src')?.data.toString()).toBe('once');
    expect(r.push(only!, 'src')).toBeUndefined();
    await sleep(100); // longer than the timeout
    expect(r.push(only!, 'src')).toBeUndefined();
    r.close();
  });

  it('reports incomplete messages as closed on close(), and ignores pushes after', () => {
    const { r, lost } = reassembler();
    r.push(fragments[0]!, 'src');
    r.close();
    expect(lost.map((l) => l.reason)).toEqual(['closed']);
    expect(r.push(fragments[1]!, 'src')).toBeUndefined();
    r.close();
    expect(lost.length).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new Reassembler({ maxMessageSize: 10, maxBufferedBytes: 5 })).toThrow(
      /maxMessageSize/,
    );
    expect(() => new Reassembler({ timeout: -1 })).toThrow(/timeout/);
    expect(() => new Reassembler({ maxPendingMessages: 0 })).toThrow(/maxPendingMessages/);
  });
});

describe('fragmentation round trip (property)', () => {
  it('reassembles any message from any order of its fragments, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 20_000, size: 'max' }),
        fc.integer({ min: FRAGMENT_HEADER_SIZE + 1, max: 2000 }),
        fc.integer(),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (bytes, maxDatagramSize, seed, dupRate) => {
          const fragments = fragmentMessage(bytes, { maxDatagramSize, messageId: seed >>> 0 });
          for (const f of fragments) expect(f.length).toBeLessThanOrEqual(maxDatagramSize);
          const rand = prng(seed);
          const withDups = fragments.flatMap((f) => (rand() < dupRate ? [f, f] : [f]));
          const { r, lost } = reassembler();
          const delivered = pushAll(r, shuffle(withDups, rand), 'peer');
          r.close();
          expect(lost).toEqual([]);
          expect(delivered.length).toBe(1);
          expect(Buffer.from(bytes).equals(delivered[0]!.data)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('bounded fuzz of the reassembler', () => {
  it('survives 20,000 random and mutated datagrams', () => {
    const rand = prng(0x5eed);
    const int = (n: number) => Math.floor(rand() * n);
    const originals = Array.from({ length: 40 }, (_, i) => message(int(20_000), 1000 + i));
    const known = new Set(originals.map((m) => m.toString('base64')));
    const pool = originals.flatMap((m) => fragmentMessage(m, { maxDatagramSize: 200 + int(1300) }));

    const mutate = (original: Buffer): Buffer => {
      const d = Buffer.from(original);
      switch (int(8)) {
        case 0: // flip a few bytes anywhere
          for (let k = 1 + int(3); k > 0; k--) d[int(d.length)]! ^= 1 + int(255);
          return d;
        case 1: // truncate
          return d.subarray(0, int(d.length));
        case 2: // count
          d.writeUInt16BE(int(0x10000), 10);
          return d;
        case 3: // index
          d.writeUInt16BE(int(3) === 0 ? int(0x10000) : int(d.readUInt16BE(10) + 1), 8);
          return d;
        case 4: // message length
          d.writeUInt32BE(int(3) === 0 ? int(2 ** 32) : int(d.readUInt32BE(12) * 2 + 2), 12);
          return d;
        case 5: // offset
          d.writeUInt32BE(int(3) === 0 ? int(2 ** 32) : int(d.readUInt32BE(12) + 1), 16);
          return d;
        case 6: // extend with junk
          return Buffer.concat([d, randomBytes(rand, 1 + int(50))]);
        default: // the header of one fragment on the body of another
          return Buffer.concat([
            d.subarray(0, FRAGMENT_HEADER_SIZE),
            pool[int(pool.length)]!.subarray(FRAGMENT_HEADER_SIZE),
          ]);
      }
    };

    // A stream like a hostile network's: rounds of a few messages (fresh ids) whose fragments
    // arrive shuffled, some lost, duplicated or mutated, mixed with random junk.
    const stream: { datagram: Buffer; source: string }[] = [];
    while (stream.length < 20_000) {
      const source = `10.0.0.${int(3)}:1`;
      const round = Array.from({ length: 1 + int(6) }, () =>
        fragmentMessage(originals[int(originals.length)]!, {
          maxDatagramSize: 200 + int(1300),
          messageId: int(2 ** 32),
        }),
      ).flat();
      for (const f of shuffle(round, rand)) {
        const roll = rand();
        if (roll < 0.03) continue; // lost
        if (roll < 0.06) stream.push({ datagram: f, source }); // duplicated
        if (roll < 0.2) stream.push({ datagram: mutate(f), source });
        else stream.push({ datagram: f, source });
        if (rand() < 0.08) {
          const junk = randomBytes(rand, int(80));
          // Half of the junk has a valid magic and version, to get past the first checks.
          if (junk.length >= FRAGMENT_HEADER_SIZE && rand() < 0.5) junk.set([0x4e, 0x4b, 1, 0]);
          stream.push({ datagram: junk, source });
        }
      }
    }
    stream.length = 20_000;

    const cap = 256 * 1024;
    const { r, lost } = reassembler({
      maxBufferedBytes: cap,
      maxMessageSize: 64 * 1024,
      maxPendingMessages: 64,
      timeout: 60_000,
    });
    let delivered = 0;
    let malformed = 0;
    for (const { datagram, source } of stream) {
      // The decoder alone: a header it accepts satisfies its invariants.
      try {
        const h = decodeFragmentHeader(datagram);
        expect(h.index).toBeLessThan(h.count);
        expect(h.offset + datagram.length - FRAGMENT_HEADER_SIZE).toBeLessThanOrEqual(h.length);
      } catch (err) {
        expect(err).toBeInstanceOf(FragmentError);
      }

      let out: CompleteMessage | undefined;
      try {
        out = r.push(datagram, source);
      } catch (err) {
        expect(err).toBeInstanceOf(FragmentError);
        expect((err as FragmentError).code).toBe('ERR_UDP_FRAGMENT_MALFORMED');
        malformed++;
      }
      if (out) {
        delivered++;
        const original = known.has(out.data.toString('base64'));
        expect(original, `message ${out.messageId} is not an original`).toBe(true);
      }
      expect(r.stats.bufferedBytes).toBeLessThanOrEqual(cap);
    }
    const stats = r.stats;
    expect(stats.peakBufferedBytes).toBeLessThanOrEqual(cap);
    expect(stats.malformed).toBe(malformed);
    expect(malformed).toBeGreaterThan(500);
    expect(delivered).toBeGreaterThan(50);
    const reasons = new Set(lost.map((l) => l.reason));
    expect(reasons.has('corrupt')).toBe(true);
    expect(reasons.has('memory')).toBe(true);
    r.close();
    expect(r.stats.pending).toBe(0);
  });
});
