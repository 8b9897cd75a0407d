// Shared by the framing tests: a seeded PRNG, ways to cut a byte stream into chunks, and a
// round-trip check in the spirit of dns-packet's (lengths agree, decode inverts encode, at
// every split).
import { expect } from 'vitest';
import type { FrameCodec, FrameDecoder } from '../src/framing/index.js';

/** mulberry32: a small seeded PRNG, so every random choice is reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** `bytes` cut at the given offsets (sorted, deduplicated, out-of-range ones dropped). */
export function cutAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

/** `bytes` in chunks of 1..maxChunk bytes (empty chunks too, now and then), chosen by `rand`. */
export function randomChunks(
  bytes: Uint8Array,
  rand: () => number,
  maxChunk: number,
): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const n = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * maxChunk);
    pieces.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return pieces;
}

/** Every frame a fresh decoder returns for these pieces, end() included. */
export function decodeAll<T>(codec: FrameCodec<T>, pieces: readonly Uint8Array[]): T[] {
  const decoder = codec.decoder();
  const out: T[] = [];
  for (const piece of pieces) out.push(...decoder.push(piece));
  out.push(...decoder.end());
  return out;
}

/** Pushes pieces, checking after each that `buffered` stays within `limit`; returns frames. */
export function pushChecked<T>(
  decoder: FrameDecoder<T>,
  pieces: readonly Uint8Array[],
  limit: number,
): T[] {
  const out: T[] = [];
  for (const piece of pieces) {
    out.push(...decoder.push(piece));
    expect(decoder.buffered).toBeLessThanOrEqual(limit);
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/**
 * Checks one codec on a list of values: encodingLength agrees with encode, decoding the
 * concatenated wire bytes gives `expected` in one push, byte by byte, split at every offset
 * (if the stream is short enough) and in seeded random chunks; re-encoding gives the same bytes.
 * `view` turns a decoded frame into something toEqual can compare (hex for bytes).
 */
export function checkRoundTrip<T>(
  codec: FrameCodec<T>,
  values: readonly T[],
  options: { expected?: readonly T[]; view?: (value: T) => unknown; everySplit?: boolean } = {},
): void {
  const view = options.view ?? ((v: T) => v);
  const encoded = values.map((v) => codec.encode(v));
  values.forEach((v, i) => {
    expect(codec.encodingLength(v)).toBe(encoded[i]!.length);
  });
  const wire = concat(encoded);
  const expected = (options.expected ?? values).map(view);

  expect(decodeAll(codec, [wire]).map(view)).toEqual(expected);
  expect(decodeAll(codec, cutAt(wire, [...wire.keys()])).map(view)).toEqual(expected);
  if (options.everySplit ?? wire.length <= 4096) {
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(decodeAll(codec, cutAt(wire, [cut])).map(view)).toEqual(expected);
    }
  }
  for (let seed = 1; seed <= 20; seed++) {
    const pieces = randomChunks(wire, prng(seed), 1 + (seed % 7) * 13);
    expect(decodeAll(codec, pieces).map(view)).toEqual(expected);
  }
  // Decoding then encoding again gives the same wire bytes.
  const again = concat(decodeAll(codec, [wire]).map((v) => codec.encode(v)));
  expect(again.equals(wire)).toBe(true);
}

/** The error thrown by `fn` (fails the test if it returns). */
export function thrownBy(
  fn: () => unknown,
): Error & { code?: string; limit?: number; size?: number; line?: number } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to throw, but it returned');
}

export const hex = (frame: Uint8Array): string => Buffer.from(frame).toString('hex');
