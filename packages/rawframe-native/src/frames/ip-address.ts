// IPv4 and IPv6 addresses: strings outside, 4 or 16 bytes on the wire.
import { isIPv4, isIPv6 } from 'node:net';
import { describeValue } from './bytes.js';

/** Parses a dotted quad into 4 bytes; TypeError naming `name` otherwise. */
export function parseIPv4Address(text: string, name = 'address'): Uint8Array {
  if (typeof text !== 'string' || !isIPv4(text)) {
    throw new TypeError(
      `${name} must be an IPv4 address like '198.18.0.1', got ${describeValue(text)}`,
    );
  }
  return Uint8Array.from(text.split('.'), Number);
}

export function formatIPv4Address(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Parses an IPv6 address (with '::' and a trailing dotted quad) into 16 bytes. */
export function parseIPv6Address(text: string, name = 'address'): Uint8Array {
  if (typeof text !== 'string' || !isIPv6(text) || text.includes('%')) {
    throw new TypeError(
      `${name} must be an IPv6 address like 'fd00:198:18::1', got ${describeValue(text)}`,
    );
  }
  let groups: string[];
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const expand = (list: string[]): string[] =>
    list.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const h = expand(headGroups);
  const t = expand(tailGroups);
  if (tail === undefined) groups = h;
  else groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** Formats 16 bytes as RFC 5952 text (longest zero run compressed, IPv4-mapped as ::ffff:a.b.c.d). */
export function formatIPv6Address(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++)
    words.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIPv4Address(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((w) => w.toString(16)).join(':');
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** 4 or 16 bytes for an IPv4 or IPv6 address string, or the bytes themselves. */
export function ipBytes(value: string | Uint8Array, name: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 4 && value.length !== 16) {
      throw new TypeError(`${name} must be 4 or 16 bytes, got ${value.length}`);
    }
    return value;
  }
  if (typeof value === 'string' && isIPv4(value)) return parseIPv4Address(value, name);
  if (typeof value === 'string' && isIPv6(value)) return parseIPv6Address(value, name);
  throw new TypeError(`${name} must be an IPv4 or IPv6 address, got ${describeValue(value)}`);
}
