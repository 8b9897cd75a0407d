/**
 * NAPTR (RFC 3403 4.1): order, preference, three <character-string>s and a replacement name,
 * written in full ("MUST NOT be compressed"); decompressed on decode as RFC 3597 4 asks.
 */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { type CharacterString, readString, writeString } from '../strings.js';
import { object, u16, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface NaptrData {
  order: number;
  preference: number;
  flags: CharacterString;
  services: CharacterString;
  regexp: CharacterString;
  replacement: string;
}

export const naptr: RdataCodec<NaptrData> = {
  bound: (d) =>
    7 + (d.flags.length + d.services.length + d.regexp.length) * 3 + d.replacement.length,
  write(w: Writer, d: NaptrData) {
    object(d, 'data');
    w.u16(u16(d.order, 'data.order'));
    w.u16(u16(d.preference, 'data.preference'));
    writeString(w, d.flags, 'data.flags');
    writeString(w, d.services, 'data.services');
    writeString(w, d.regexp, 'data.regexp');
    writeName(w, d.replacement, false, 'data.replacement');
  },
  read(r: Reader): NaptrData {
    r.need(4, 'NAPTR numbers');
    const order = r.u16('NAPTR ORDER');
    const preference = r.u16('NAPTR PREFERENCE');
    const flags = readString(r, 'NAPTR FLAGS');
    const services = readString(r, 'NAPTR SERVICES');
    const regexp = readString(r, 'NAPTR REGEXP');
    return {
      order,
      preference,
      flags,
      services,
      regexp,
      replacement: readName(r, 'NAPTR REPLACEMENT'),
    };
  },
};
