/** IPv4 and IPv6 addresses: strict parsing and the text form dig (glibc inet_ntop) prints. */

/** Writes the 4 octets of a dotted-quad IPv4 address at `at`; false if `text` is not one. */
export function parseIPv4(text: string, out: Uint8Array, at: number): boolean {
  return parseIPv4Range(text, 0, text.length, out, at);
}

function parseIPv4Range(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): boolean {
  let part = 0;
  let i = start;
  while (part < 4) {
    const first = i;
    let value = 0;
    while (i < end) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const digits = i - first;
    // No empty parts, no leading zeros (inet_pton refuses "01" too: octal ambiguity).
    if (
      digits === 0 ||
      digits > 3 ||
      value > 255 ||
      (digits > 1 && text.charCodeAt(first) === 48)
    ) {
      return false;
    }
    out[at + part] = value;
    part++;
    if (part < 4) {
      if (i >= end || text.charCodeAt(i) !== 46) return false;
      i++;
    }
  }
  return i === end;
}

/** Writes the 16 octets of an IPv6 address (RFC 4291 2.2) at `at`; false if `text` is not one. */
export function parseIPv6(text: string, out: Uint8Array, at: number): boolean {
  const n = text.length;
  if (n < 2 || n > 45) return false;
  const words: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let j = i;
    let value = 0;
    while (j < n && j - i < 4) {
      const h = hexDigit(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 46) {
      // RFC 4291 2.2 form 3: the last 32 bits as dotted decimal.
      if (words.length > 6) return false;
      const v4 = new Uint8Array(4);
      if (!parseIPv4Range(text, i, n, v4, 0)) return false;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      i = n;
      break;
    }
    if (j === i) return false;
    if (j < n && hexDigit(text.charCodeAt(j)) >= 0) return false;
    words.push(value);
    if (words.length > 8) return false;
    if (j === n) {
      i = n;
      break;
    }
    if (text.charCodeAt(j) !== 58) return false;
    j++;
    if (j < n && text.charCodeAt(j) === 58) {
      if (gap >= 0) return false;
      gap = words.length;
      j++;
    } else if (j === n) {
      return false;
    }
    i = j;
  }
  if (gap < 0 ? words.length !== 8 : words.length > 7) return false;
  const fill = 8 - words.length;
  let w = 0;
  for (let k = 0; k < 8; k++) {
    const value = gap >= 0 && k >= gap && k < gap + fill ? 0 : words[w++]!;
    out[at + 2 * k] = value >> 8;
    out[at + 2 * k + 1] = value & 0xff;
  }
  return true;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** "0".."255", so formatting an address is four lookups. */
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

export function formatIPv4(b: Uint8Array, at: number): string {
  return `${OCTET[b[at]!]}.${OCTET[b[at + 1]!]}.${OCTET[b[at + 2]!]}.${OCTET[b[at + 3]!]}`;
}

/**
 * RFC 5952 text (lowercase, longest run of two or more zero groups as "::", first on a tie), with
 * glibc's inet_ntop rule for embedded IPv4 (::ffff:a.b.c.d and ::a.b.c.d), so it matches dig.
 */
export function formatIPv6(b: Uint8Array, at: number): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (b[at + 2 * i] === 0 && b[at + 2 * i + 1] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (
      i === 6 &&
      bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && b[at + 10] === 0xff && b[at + 11] === 0xff))
    ) {
      out += formatIPv4(b, at + 12);
      return out;
    }
    out += ((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
