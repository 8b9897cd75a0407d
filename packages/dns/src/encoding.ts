/** Byte/text conversions the codec needs: latin1 and UTF-8 slices, hex, base64, base32hex. */
import { isUtf8 } from 'node:buffer';

type SliceFn = (this: Uint8Array, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { latin1Slice?: SliceFn; utf8Slice?: SliceFn };
// Buffer's own slicers take any Uint8Array and skip toString()'s encoding dispatch; fall back
// to toString() should a Node.js ever drop them.
const nativeLatin1 = proto.latin1Slice;
const nativeUtf8 = proto.utf8Slice;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Octets start..end as a string of the same length, one char per octet. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return nativeLatin1
    ? nativeLatin1.call(bytes, start, end)
    : asBuffer(bytes).toString('latin1', start, end);
}

/** Octets start..end decoded as UTF-8 (a leading BOM is kept, so the text round-trips). */
export function utf8(bytes: Uint8Array, start: number, end: number): string {
  return nativeUtf8
    ? nativeUtf8.call(bytes, start, end)
    : asBuffer(bytes).toString('utf8', start, end);
}

/** Whether octets start..end are well-formed UTF-8. */
export function isUtf8Range(bytes: Uint8Array, start: number, end: number): boolean {
  return isUtf8(bytes.subarray(start, end));
}

const HEX = '0123456789ABCDEF';

/** Uppercase hex, as dig prints digests and RFC 3597 data. */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Parses hex (either case, no separators); undefined if it is not an even run of hex digits. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}

/** Parses padded base64 strictly (Buffer.from would skip bad characters); undefined if invalid. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 47 ||
      (c === 61 &&
        i >= text.length - 2 &&
        (i === text.length - 1 || text.charCodeAt(i + 1) === 61));
    if (!ok) return undefined;
  }
  const buf = Buffer.from(text, 'base64');
  const out = new Uint8Array(buf.length);
  out.set(buf);
  // Non-canonical trailing bits would decode to the same bytes as another string: refuse them.
  return toBase64(out) === text ? out : undefined;
}

const BASE32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** Base32hex without padding (RFC 4648 7), as RFC 5155 3.3 prints NSEC3 hashed owner names. */
export function toBase32Hex(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32HEX[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32HEX[(acc << (5 - bits)) & 31];
  return out;
}
