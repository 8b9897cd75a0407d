/**
 * TXT (RFC 1035 3.3.14): "One or more <character-string>s". Each entry of `data` is one
 * character-string on decode; on encode an entry longer than 255 octets is split into several.
 */
import type { Reader } from '../reader.js';
import { type CharacterString, readString, writeStrings } from '../strings.js';
import { array, invalid, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export type TxtData = CharacterString[];

export const txt: RdataCodec<TxtData> = {
  bound(d) {
    let n = 0;
    for (const s of d) n += s.length * 3 + 1 + Math.ceil(s.length / 80);
    return n;
  },
  write(w: Writer, d: TxtData) {
    array(d, 'data');
    if (d.length === 0) throw invalid('data', 'TXT needs at least one string (RFC 1035 3.3.14)');
    for (let i = 0; i < d.length; i++) writeStrings(w, d[i]!, `data[${i}]`);
  },
  read(r: Reader): TxtData {
    const out: CharacterString[] = [];
    do out.push(readString(r, 'TXT string'));
    while (r.pos < r.limit);
    return out;
  },
};
