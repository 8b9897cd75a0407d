/**
 * <character-string> (RFC 1035 3.3): a length octet and up to 255 octets. In a Message these are
 * `CharacterString`s: a string when the octets are well-formed UTF-8, else the octets themselves,
 * so any input round-trips. Strings are written as UTF-8.
 */
import { isUtf8Range, utf8 } from './encoding.js';
import { describe } from './errors.js';
import type { Reader } from './reader.js';
import { invalid, type Writer } from './writer.js';

/** Text when its octets are well-formed UTF-8, otherwise the octets. */
export type CharacterString = string | Uint8Array;

const ENCODER = new TextEncoder();

/** Decodes octets start..end of the message as a CharacterString. */
export function decodeText(r: Reader, start: number, end: number): CharacterString {
  const b = r.bytes;
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return r.text().slice(start, end);
  if (isUtf8Range(b, start, end)) return utf8(b, start, end);
  return b.slice(start, end);
}

/** Reads one <character-string>. */
export function readString(r: Reader, what: string): CharacterString {
  const len = r.u8(what);
  const start = r.pos;
  r.need(len, what);
  r.pos = start + len;
  return decodeText(r, start, start + len);
}

/**
 * Writes `value` as UTF-8 (or as is, for octets) at w.pos with no length prefix; returns the
 * number of octets written.
 */
export function writeText(w: Writer, value: CharacterString, field: string): number {
  if (typeof value === 'string') {
    const n = value.length;
    w.ensure(n * 3);
    const buf = w.buf;
    const start = w.pos;
    let p = start;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) break;
      buf[p++] = c;
    }
    if (i < n) {
      const rest = value.slice(i);
      if (!(rest as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        throw invalid(field, `text ${describe(value)} has a lone surrogate (not valid UTF-16)`);
      }
      p += ENCODER.encodeInto(rest, buf.subarray(p)).written;
    }
    w.pos = p;
    return p - start;
  }
  if (value instanceof Uint8Array) {
    w.bytes(value);
    return value.length;
  }
  throw invalid(field, `expected a string or a Uint8Array, got ${describe(value)}`);
}

/** Writes one <character-string>; refuses more than 255 octets. */
export function writeString(w: Writer, value: CharacterString, field: string): void {
  const at = w.pos;
  w.u8(0);
  const len = writeText(w, value, field);
  if (len > 255) {
    throw invalid(field, `character-string of ${len} octets is longer than 255 (RFC 1035 3.3)`);
  }
  w.buf[at] = len;
}

/**
 * Writes a string as as many <character-string>s as it needs (TXT, RFC 1035 3.3.14): chunks of
 * at most 255 octets, cut between UTF-8 characters so each chunk decodes as text again.
 */
export function writeStrings(w: Writer, value: CharacterString, field: string): void {
  const at = w.pos;
  w.u8(0);
  const len = writeText(w, value, field);
  if (len <= 255) {
    w.buf[at] = len;
    return;
  }
  // Rare: move the octets out and write them back in chunks.
  const octets = w.buf.slice(at + 1, at + 1 + len);
  w.pos = at;
  const text = typeof value === 'string';
  let s = 0;
  while (s < len) {
    let e = Math.min(s + 255, len);
    if (text && e < len) while ((octets[e]! & 0xc0) === 0x80) e--;
    w.u8(e - s);
    w.bytes(octets.subarray(s, e));
    s = e;
  }
}

/** Octets of a CharacterString as written: for length checks and presentation. */
export function textOctets(value: CharacterString): Uint8Array {
  return typeof value === 'string' ? ENCODER.encode(value) : value;
}
