import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { DnsMalformedError, decode, encode, type Message } from '../src/index.js';
import { corpus, layout } from './corpus.js';
import { prng } from './helpers.js';

/** Mutated inputs for the whole bounded fuzz run, split between the fuzz-*.test.ts files. */
export const FUZZ_RUNS = Number(process.env.DNS_FUZZ_RUNS ?? 1_000_000);

interface Outcome {
  decoded: number;
  rejected: number;
  escaped: string[];
}

/** Longer than any decode of these inputs can take unless it is stuck: see fuzz()'s last checks. */
const HANG_MS = 50;

/**
 * Decodes `RUNS` mutations of the corpus (truncation at every length first, then bit flips, byte
 * changes, compression loops, bad lengths, insertions, deletions, splices): only
 * DnsMalformedError may escape, whatever decodes must re-encode to the same message, and no
 * decode hangs.
 */
export function fuzz(seed: number, RUNS: number): void {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const layouts = corpus.map(layout);
  const times = new Float64Array(RUNS);
  const outcome: Outcome = { decoded: 0, rejected: 0, escaped: [] };
  let index = 0;

  /** Calls over this long are timed again: the first timing may include preemption or GC. */
  const RETIME = 0.25;
  let retimed = 0;
  let rawMax = 0;
  const once = (input: Uint8Array) => {
    const t0 = performance.now();
    try {
      decode(input);
    } catch {}
    return performance.now() - t0;
  };
  /** The slowest inputs, timed again at the end. */
  const slowest: { input: Uint8Array; time: number }[] = [];
  const cost = (input: Uint8Array, first: number) => {
    rawMax = Math.max(rawMax, first);
    if (first < RETIME) return first;
    retimed++;
    let best = first;
    for (let i = 0; i < 3; i++) best = Math.min(best, once(input));
    if (slowest.length < 20 || best > slowest[slowest.length - 1]!.time) {
      slowest.push({ input, time: best });
      slowest.sort((a, b) => b.time - a.time);
      slowest.length = Math.min(slowest.length, 20);
    }
    return best;
  };

  let successes = 0;
  const run = (input: Uint8Array) => {
    let message: Message | undefined;
    const t0 = performance.now();
    try {
      message = decode(input);
    } catch (e) {
      times[index++] = cost(input, performance.now() - t0);
      if (e instanceof DnsMalformedError && e.code === 'ERR_DNS_MALFORMED') outcome.rejected++;
      else if (outcome.escaped.length < 10)
        outcome.escaped.push(`${String(e)} <- ${Buffer.from(input).toString('hex')}`);
      return;
    }
    times[index++] = cost(input, performance.now() - t0);
    outcome.decoded++;
    // What decodes must encode again, to bytes that decode and encode the same; one in 16
    // is also compared as a whole message.
    try {
      const bytes = encode(message);
      const again = decode(bytes);
      const same =
        successes++ % 16 === 0
          ? isDeepStrictEqual(again, message)
          : Buffer.compare(encode(again), bytes) === 0;
      if (!same && outcome.escaped.length < 10) {
        outcome.escaped.push(
          `re-encode changed the message <- ${Buffer.from(input).toString('hex')}`,
        );
      }
    } catch (e) {
      if (outcome.escaped.length < 10)
        outcome.escaped.push(`re-encode: ${String(e)} <- ${Buffer.from(input).toString('hex')}`);
    }
  };

  const started = performance.now();
  // Truncation at every length of every message.
  for (const m of corpus) for (let n = 0; n < m.length && index < RUNS; n++) run(m.subarray(0, n));

  const setU16 = (b: Uint8Array, at: number, v: number) => {
    if (at + 1 < b.length) {
      b[at] = v >> 8;
      b[at + 1] = v & 0xff;
    }
  };
  while (index < RUNS) {
    const k = int(corpus.length);
    const base = corpus[k]!;
    const where = layouts[k]!;
    let b = base.slice();
    switch (int(9)) {
      case 0: // bit flips
        for (let i = 1 + int(3); i > 0; i--) {
          const at = int(b.length);
          b[at] = b[at]! ^ (1 << int(8));
        }
        break;
      case 1: // byte changes
        for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = int(256);
        break;
      case 2: {
        // compression loops: a name replaced by a pointer to itself, forward, or into a cycle
        const at = where.names[int(where.names.length)] ?? 12;
        const target = [
          at,
          at + 1 + int(20),
          int(b.length),
          where.names[int(where.names.length)] ?? 12,
        ][int(4)]!;
        setU16(b, at, 0xc000 | (target & 0x3fff));
        if (int(2)) {
          const other = where.pointers[int(where.pointers.length)];
          if (other !== undefined) setU16(b, other, 0xc000 | at);
        }
        break;
      }
      case 3: {
        // bad lengths: RDLENGTH, counts, label lengths
        const r = int(3);
        if (r === 0 && where.rdlengths.length) {
          const at = where.rdlengths[int(where.rdlengths.length)]!;
          const old = (b[at]! << 8) | b[at + 1]!;
          setU16(b, at, [old + 1, old - 1, int(65536), 0, old + 2 + int(10)][int(5)]! & 0xffff);
        } else if (r === 1) {
          setU16(b, 4 + 2 * int(4), [int(65536), int(8), 0xffff][int(3)]!);
        } else if (where.labels.length) {
          b[where.labels[int(where.labels.length)]!] = [int(256), 63, 64, 0x80, 0x3f + int(3)][
            int(5)
          ]!;
        }
        break;
      }
      case 4: {
        // insert or delete octets
        const at = int(b.length + 1);
        const n = 1 + int(4);
        if (int(2)) {
          const out = new Uint8Array(b.length + n);
          out.set(b.subarray(0, at));
          for (let i = 0; i < n; i++) out[at + i] = int(256);
          out.set(b.subarray(at), at + n);
          b = out;
        } else {
          b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + n)]);
        }
        break;
      }
      case 5: {
        // splice the tail of another message
        const other = corpus[int(corpus.length)]!;
        const at = int(b.length);
        const from = int(other.length);
        b = new Uint8Array([...b.subarray(0, at), ...other.subarray(from)]);
        break;
      }
      case 6: // pointer octets anywhere
        b[int(b.length)] = 0xc0 | int(64);
        break;
      case 7: {
        // random bytes after a plausible header
        const out = new Uint8Array(12 + int(200));
        for (let i = 0; i < out.length; i++) out[i] = int(256);
        out[4] = 0;
        out[5] = int(4);
        out[6] = 0;
        out[7] = int(8);
        b = out;
        break;
      }
      default: // several mutations at once
        for (let i = 1 + int(6); i > 0; i--)
          b[int(b.length)] = [0, 0xc0, 0xff, 0x3f, int(256)][int(5)]!;
    }
    run(b);
  }
  const elapsed = performance.now() - started;

  const sorted = times.slice().sort();
  const p9999 = sorted[Math.floor(RUNS * 0.9999)]!;
  const max = sorted[RUNS - 1]!;
  // The slowest inputs once more, 25 times each: their median is what they cost.
  const medians = slowest.map(({ input }) => {
    const t = Array.from({ length: 25 }, () => once(input)).sort((a, b) => a - b);
    return { input, median: t[12]! };
  });
  const worst = medians.reduce((a, b) => (b.median > a.median ? b : a), {
    input: new Uint8Array(),
    median: 0,
  });
  console.log(
    `fuzz (seed ${seed}): ${RUNS} inputs in ${(elapsed / 1000).toFixed(1)} s; ${outcome.decoded} decoded, ${outcome.rejected} rejected; ` +
      `per call median ${(sorted[RUNS >> 1]! * 1000).toFixed(1)} us, p99.99 ${(p9999 * 1000).toFixed(0)} us, ` +
      `max ${(max * 1000).toFixed(0)} us (${retimed} calls over ${RETIME * 1000} us timed again, best of 4; ` +
      `max of first timings ${(rawMax * 1000).toFixed(0)} us); slowest input: ${worst.input.length} octets, ` +
      `median ${(worst.median * 1000).toFixed(0)} us over 25 runs`,
  );
  expect(outcome.escaped).toEqual([]);
  expect(outcome.decoded + outcome.rejected).toBe(RUNS);
  expect(outcome.decoded).toBeGreaterThan(RUNS / 50);
  // A hang guard, not a speed check (speed lives in bench/dns-codec): a decode that does work
  // beyond linear in its input, such as a compression loop followed forever, takes far longer
  // than 50 ms on a message of at most a few KiB. Typical figures are in the log line above.
  expect(max).toBeLessThan(HANG_MS);
  expect(worst.median).toBeLessThan(HANG_MS);
}

/** Crafted messages of 65535 octets that make the decoder work hardest. */
export function worstCases(): void {
  const cases: [string, Uint8Array][] = [];
  // Thousands of records whose owner names are pointers into one long pointer chain.
  {
    const b = new Uint8Array(65535);
    const chainStart = 12 + 1 + 10;
    const chainLen = 127;
    // One record of an unknown type holding "a" and a chain of pointers, each to the last.
    const rdata: number[] = [1, 0x61, 0];
    for (let i = 0; i < chainLen; i++) {
      const to = i === 0 ? chainStart : chainStart + 3 + 2 * (i - 1);
      rdata.push(0xc0 | (to >> 8), to & 0xff);
    }
    let p = 12;
    b.set([0, 0xff, 0, 0, 1, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff], p);
    p += 11;
    b.set(rdata, p);
    p += rdata.length;
    let count = 1;
    while (p + 16 <= b.length) {
      const to = chainStart + 3 + 2 * (count % chainLen);
      b.set([0xc0 | (to >> 8), to & 0xff, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1], p);
      p += 16;
      count++;
    }
    b[6] = count >> 8;
    b[7] = count & 0xff;
    cases.push(['pointer chains', b.subarray(0, p)]);
  }
  // Questions with 127 one-octet labels each.
  {
    const b = new Uint8Array(65535);
    let p = 12;
    let count = 0;
    while (p + 259 <= b.length) {
      for (let i = 0; i < 127; i++) b.set([1, 0x61 + (i % 26)], p + 2 * i);
      p += 254;
      b.set([0, 0, 1, 0, 1], p);
      p += 5;
      count++;
    }
    b[4] = count >> 8;
    b[5] = count & 0xff;
    cases.push(['long names', b.subarray(0, p)]);
  }
  // Labels that need escaping, and the same with a count that runs out.
  {
    const b = new Uint8Array(65535).fill(0x3f);
    b.set([0, 0, 0, 0, 0xff, 0xff], 0);
    cases.push(['labels to the end', b]);
  }
  for (const [label, input] of cases) {
    let worst = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      try {
        decode(input);
      } catch (e) {
        expect(e).toBeInstanceOf(DnsMalformedError);
      }
      worst = Math.max(worst, performance.now() - t0);
    }
    console.log(`worst case "${label}" (${input.length} octets): ${worst.toFixed(2)} ms`);
    expect(worst).toBeLessThan(200);
  }
}
