// MAC addresses: 'aa:bb:cc:dd:ee:ff' strings outside, 6 bytes on the wire.
import { describeValue } from './bytes.js';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

const MAC_RE =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;

/** Whether `text` is a MAC address ('aa:bb:cc:dd:ee:ff' or 'aa-bb-cc-dd-ee-ff'). */
export function isMac(text: string): boolean {
  return MAC_RE.test(text);
}

/** Parses 'aa:bb:cc:dd:ee:ff' (or dashes) into 6 bytes; TypeError naming `name` otherwise. */
export function parseMac(text: string, name = 'mac'): Uint8Array {
  const m = typeof text === 'string' ? MAC_RE.exec(text) : null;
  if (m === null) {
    throw new TypeError(
      `${name} must be a MAC address like 'aa:bb:cc:dd:ee:ff', got ${describeValue(text)}`,
    );
  }
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]], (h) => Number.parseInt(h ?? '', 16));
}

/** A MAC string or 6 bytes, as 6 bytes. */
export function macBytes(value: string | Uint8Array, name: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 6) throw new TypeError(`${name} must be 6 bytes, got ${value.length}`);
    return value;
  }
  return parseMac(value, name);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats 6 bytes at `offset` as 'aa:bb:cc:dd:ee:ff' (lower case, as ip and tcpdump print). */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || bytes.length < offset + 6) {
    throw new RangeError(
      `formatMac: needs 6 bytes at offset ${offset}, got ${bytes.length - offset}`,
    );
  }
  let s = HEX[bytes[offset] ?? 0] ?? '';
  for (let i = 1; i < 6; i++) s += `:${HEX[bytes[offset + i] ?? 0]}`;
  return s;
}
