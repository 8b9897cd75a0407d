/**
 * Domain names (RFC 1035 3.1): text <-> wire, compression on encode and bounded decompression
 * on decode (RFC 1035 4.1.4).
 *
 * Text form: labels joined by '.', no trailing dot ('.' alone is the root), case preserved.
 * Octets that presentation format cannot show as themselves are escaped as BIND prints them:
 * `\.` `\\` `\"` `\(` `\)` `\;` `\@` `\$`, and `\DDD` (decimal) below 0x21 or above 0x7e.
 * The encoder accepts any `\X` and `\DDD`, an optional trailing dot, and ASCII only (IDNs go
 * in as punycode).
 */

import { describe } from './errors.js';
import type { Reader } from './reader.js';
import { invalid, type Writer } from './writer.js';

/** A name is at most 255 octets on the wire, a label at most 63 (RFC 1035 2.3.4). */
export const MAX_NAME = 255;
export const MAX_LABEL = 63;
/**
 * Compression pointers followed for one name. Backward-only pointers already rule out loops;
 * this bounds the work a chain of pointers to pointers can cause.
 */
export const MAX_POINTERS = 128;

/** Per octet: 0 printed as itself, 1 with a backslash before it, 2 as \DDD. */
const ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c++) ESCAPE[c] = c < 0x21 || c > 0x7e ? 2 : 0;
for (const c of '.\\"();@$') ESCAPE[c.charCodeAt(0)] = 1;

function escapeOctets(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    const kind = ESCAPE[c];
    if (kind === 0) out += String.fromCharCode(c);
    else if (kind === 1) out += `\\${String.fromCharCode(c)}`;
    else out += `\\${c < 10 ? '00' : c < 100 ? '0' : ''}${c}`;
  }
  return out;
}

/**
 * Reads a possibly compressed name at r.pos and moves past it.
 *
 * RFC 1035 4.1.4: a pointer replaces "a list of labels at the end of a domain name" with "a
 * pointer to a prior occurance of the same name". Pointers must point strictly before the start
 * of the labels being read (so every jump goes further back and no loop is possible), at most
 * MAX_POINTERS of them; the name may not exceed 255 octets once expanded; label types 0x40 and
 * 0x80 (RFC 6891 5: extended label types, deprecated) are refused. Suffixes decoded once are
 * remembered by offset for the rest of the message, so repeated pointers cost a map lookup.
 */
export function readName(r: Reader, what: string): string {
  const b = r.bytes;
  const start = r.pos;
  let pos = start;
  let limit = r.limit;
  let segment = start;
  let end = -1;
  let text = '';
  let wire = 1;
  let hops = 0;
  let jumps: number[] | undefined;
  for (;;) {
    if (pos >= limit) r.fail(`${what}: name runs past the end of the ${where(r, limit)}`, pos);
    const len = b[pos]!;
    if (len === 0) {
      pos++;
      break;
    }
    if (len < 0x40) {
      const s = pos + 1;
      const e = s + len;
      if (e > limit) r.fail(`${what}: label runs past the end of the ${where(r, limit)}`, pos);
      wire += len + 1;
      if (wire > MAX_NAME) r.fail(`${what}: name longer than ${MAX_NAME} octets`, pos);
      let plain = true;
      for (let i = s; i < e; i++) {
        if (ESCAPE[b[i]!] !== 0) {
          plain = false;
          break;
        }
      }
      const label = plain ? r.text().slice(s, e) : escapeOctets(b, s, e);
      text = text.length === 0 ? label : `${text}.${label}`;
      pos = e;
    } else if (len >= 0xc0) {
      if (pos + 2 > limit) r.fail(`${what}: compression pointer cut short`, pos);
      const target = ((len & 0x3f) << 8) | b[pos + 1]!;
      if (target >= segment) {
        r.fail(`${what}: compression pointer to offset ${target} does not point backwards`, pos);
      }
      if (++hops > MAX_POINTERS)
        r.fail(`${what}: more than ${MAX_POINTERS} compression pointers`, pos);
      if (end < 0) {
        end = pos + 2;
        limit = r.length;
      }
      const known = r.names?.get(target);
      if (known !== undefined) {
        wire += known.wire - 1;
        hops += known.hops;
        if (wire > MAX_NAME) r.fail(`${what}: name longer than ${MAX_NAME} octets`, pos);
        if (hops > MAX_POINTERS)
          r.fail(`${what}: more than ${MAX_POINTERS} compression pointers`, pos);
        if (known.text.length > 0) text = text.length === 0 ? known.text : `${text}.${known.text}`;
        break;
      }
      if (jumps === undefined) jumps = [];
      jumps.push(target, text.length, wire, hops);
      pos = target;
      segment = target;
    } else {
      // 0x40-0xbf: a label longer than 63 octets, or a 0x40/0x80 label type (RFC 6891 5).
      r.fail(
        `${what}: length octet 0x${len.toString(16)} is neither a label of at most 63 octets nor a pointer (label types 0x40 and 0x80 are not supported)`,
        pos,
      );
    }
  }
  r.pos = end < 0 ? pos : end;
  // Remember the suffixes read here: at the start (unless the name was a lone pointer, whose
  // target is remembered already) and at every pointer target on the way.
  if (end === start + 2 && jumps === undefined) return text.length === 0 ? '.' : text;
  let names = r.names;
  if (names === undefined) {
    names = new Map();
    r.names = names;
  }
  if (!names.has(start)) names.set(start, { text, wire, hops });
  if (jumps !== undefined) {
    for (let i = 0; i < jumps.length; i += 4) {
      const at = jumps[i + 1]!;
      names.set(jumps[i]!, {
        text: at === 0 ? text : text.slice(at + 1),
        wire: wire - jumps[i + 2]! + 1,
        hops: hops - jumps[i + 3]!,
      });
    }
  }
  return text.length === 0 ? '.' : text;
}

function where(r: Reader, limit: number): string {
  return limit < r.length ? 'RDATA' : 'message';
}

/**
 * Writes `name` at w.pos. With `compress` (owner names, questions, and RDATA of the RFC 1035
 * types, RFC 3597 4), the longest suffix already written is replaced by a pointer to it.
 * Suffixes are matched by exact text: a case-insensitively equal suffix with other case is
 * written again, so every name decodes with its own case (RFC 4343 4.1).
 */
export function writeName(w: Writer, name: string, compress: boolean, field: string): void {
  if (typeof name !== 'string')
    throw invalid(field, `expected a domain name, got ${describe(name)}`);
  let len = name.length;
  if (len === 0 || (len === 1 && name.charCodeAt(0) === 46)) {
    w.u8(0);
    return;
  }
  if (name.charCodeAt(len - 1) === 46 && !escapedAt(name, len - 1)) len--;
  // Escapes only shrink text, so the text length + 2 bounds the wire length.
  w.ensure(len + 2);
  const buf = w.buf;
  const names = compress ? w.names : undefined;
  let pos = w.pos;
  let wire = 1;
  let i = 0;
  while (i < len) {
    if (names !== undefined) {
      const suffix = i === 0 && len === name.length ? name : name.slice(i, len);
      const target = names.get(suffix);
      // The suffix was valid where it was written; (len - i) + 1 bounds its wire length here,
      // and a name too long for the pointer falls through to the exact checks below.
      if (target !== undefined && wire + (len - i) + 1 <= MAX_NAME) {
        buf[pos] = 0xc0 | (target >> 8);
        buf[pos + 1] = target;
        w.pos = pos + 2;
        return;
      }
      const offset = pos - w.base;
      if (offset < 0x4000) names.set(suffix, offset);
    }
    const lengthAt = pos++;
    let count = 0;
    while (i < len) {
      let c = name.charCodeAt(i++);
      if (c === 46) break;
      if (c > 0x7f) {
        throw invalid(field, `name ${describe(name)} is not ASCII (encode IDNs as punycode)`);
      }
      if (c === 92) {
        if (i >= len) throw invalid(field, `name ${describe(name)} ends in a lone backslash`);
        c = name.charCodeAt(i++);
        if (c >= 48 && c <= 57) {
          const d2 = name.charCodeAt(i) - 48;
          const d3 = name.charCodeAt(i + 1) - 48;
          if (!(i + 1 < len && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9)) {
            throw invalid(field, `name ${describe(name)} has a \\DDD escape without three digits`);
          }
          c = (c - 48) * 100 + d2 * 10 + d3;
          if (c > 255)
            throw invalid(field, `name ${describe(name)} has an escape \\${c} above 255`);
          i += 2;
        }
      }
      if (++count > MAX_LABEL) {
        throw invalid(field, `name ${describe(name)} has a label longer than ${MAX_LABEL} octets`);
      }
      buf[pos++] = c;
    }
    if (count === 0) throw invalid(field, `name ${describe(name)} has an empty label`);
    buf[lengthAt] = count;
    wire += count + 1;
    if (wire > MAX_NAME) {
      throw invalid(field, `name ${describe(name)} is longer than ${MAX_NAME} octets`);
    }
  }
  buf[pos++] = 0;
  w.pos = pos;
}

/** Whether the character at `i` is escaped by an odd run of backslashes before it. */
function escapedAt(text: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && text.charCodeAt(i - n - 1) === 92) n++;
  return n % 2 === 1;
}
