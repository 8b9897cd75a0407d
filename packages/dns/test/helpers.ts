import { expect } from 'vitest';
import {
  decode,
  encode,
  encodingLength,
  type Message,
  type MessageInput,
  type RdataCoder,
} from '../src/index.js';

/** A full message from a partial one, as decode returns it. */
export function message(partial: MessageInput): Message {
  return {
    id: 0,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    ...partial,
  };
}

/**
 * dns-packet's round trip, for whole messages: the length agrees with encodingLength, decoding
 * gives the input back, and encoding that again gives the same bytes. Returns the bytes.
 */
export function roundTrip(input: MessageInput): Uint8Array {
  const bytes = encode(input);
  expect(bytes.length).toBe(encodingLength(input));
  const decoded = decode(bytes);
  expect(decoded).toEqual(message(input));
  expect(hex(encode(decoded))).toBe(hex(bytes));
  return bytes;
}

/**
 * The same for one RDATA codec, plus writing at an offset inside a larger buffer (dns-packet's
 * helper does that too).
 */
export function rdataRoundTrip<T>(coder: RdataCoder<T>, value: T): Uint8Array {
  const bytes = coder.encode(value);
  expect(bytes.length).toBe(coder.encodingLength(value));
  expect(coder.decode(bytes)).toEqual(value);
  expect(hex(coder.encode(coder.decode(bytes)))).toBe(hex(bytes));
  const big = new Uint8Array(bytes.length + 10).fill(0xee);
  coder.encode(value, big, 5);
  expect(hex(big.subarray(5, 5 + bytes.length))).toBe(hex(bytes));
  expect(big[4]).toBe(0xee);
  expect(big[5 + bytes.length]).toBe(0xee);
  expect(coder.decode(big, 5)).toEqual(value);
  return bytes;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Bytes from hex with optional spaces, newlines and `;` comments (as in RFC figures). */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/;[^\n]*/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function u8(b: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Expects `fn` to throw a DnsMalformedError; returns it. */
export function malformed(fn: () => unknown): Error & { code: string; offset: number } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code: string; offset: number };
    expect(err.name).toBe('DnsMalformedError');
    expect(err.code).toBe('ERR_DNS_MALFORMED');
    expect(typeof err.offset).toBe('number');
    return err;
  }
  throw new Error('expected a DnsMalformedError, nothing was thrown');
}

/** Expects `fn` to throw a DnsInvalidError; returns it. */
export function invalid(fn: () => unknown): Error & { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code: string; field: string };
    expect(err.name).toBe('DnsInvalidError');
    expect(err.code).toBe('ERR_DNS_INVALID');
    return err;
  }
  throw new Error('expected a DnsInvalidError, nothing was thrown');
}

/** A small seeded PRNG (mulberry32), so fuzz runs repeat. */
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
