/**
 * CAA (RFC 8659 4.1): flags, a tag of 1+ ASCII letters and digits ("Tags MUST NOT contain any
 * other characters"), and a value filling the rest of the RDATA.
 */
import { describe } from '../errors.js';
import type { Reader } from '../reader.js';
import { type CharacterString, decodeText, writeText } from '../strings.js';
import { invalid, object, u8, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface CaaData {
  /** Bit 128 is Issuer Critical. */
  flags: number;
  /** `issue`, `issuewild`, `iodef`...: letters and digits, matched case-insensitively. */
  tag: string;
  value: CharacterString;
}

function alnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export const caa: RdataCodec<CaaData> = {
  bound: (d) => d.tag.length + d.value.length * 3 + 2,
  write(w: Writer, d: CaaData) {
    object(d, 'data');
    w.u8(u8(d.flags, 'data.flags'));
    const tag = d.tag;
    let ok = typeof tag === 'string' && tag.length > 0 && tag.length < 256;
    for (let i = 0; ok && i < tag.length; i++) ok = alnum(tag.charCodeAt(i));
    if (!ok)
      throw invalid('data.tag', `expected 1-255 ASCII letters and digits, got ${describe(tag)}`);
    w.u8(tag.length);
    for (let i = 0; i < tag.length; i++) w.u8(tag.charCodeAt(i));
    writeText(w, d.value, 'data.value');
  },
  read(r: Reader): CaaData {
    const flags = r.u8('CAA flags');
    const len = r.u8('CAA tag length');
    if (len === 0) r.fail('CAA tag is empty', r.pos - 1);
    r.need(len, 'CAA tag');
    for (let i = r.pos; i < r.pos + len; i++) {
      if (!alnum(r.bytes[i]!)) r.fail('CAA tag has a character other than a letter or digit', i);
    }
    const tag = r.text().slice(r.pos, r.pos + len);
    r.pos += len;
    const value = decodeText(r, r.pos, r.limit);
    r.pos = r.limit;
    return { flags, tag, value };
  },
};
