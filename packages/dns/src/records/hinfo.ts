/** HINFO (RFC 1035 3.3.2): two <character-string>s, CPU and OS. */
import type { Reader } from '../reader.js';
import { type CharacterString, readString, writeString } from '../strings.js';
import { object, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface HinfoData {
  cpu: CharacterString;
  os: CharacterString;
}

export const hinfo: RdataCodec<HinfoData> = {
  bound: (d) => (d.cpu.length + d.os.length) * 3 + 2,
  write(w: Writer, d: HinfoData) {
    object(d, 'data');
    writeString(w, d.cpu, 'data.cpu');
    writeString(w, d.os, 'data.os');
  },
  read(r: Reader): HinfoData {
    const cpu = readString(r, 'HINFO CPU');
    return { cpu, os: readString(r, 'HINFO OS') };
  },
};
