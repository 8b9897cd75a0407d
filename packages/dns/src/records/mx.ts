/** MX (RFC 1035 3.3.9): a 16-bit preference and an exchange name (compressed, RFC 1035 type). */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { object, u16, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface MxData {
  /** Lower is preferred. */
  preference: number;
  exchange: string;
}

export const mx: RdataCodec<MxData> = {
  bound: (d) => d.exchange.length + 4,
  write(w: Writer, d: MxData) {
    object(d, 'data');
    w.u16(u16(d.preference, 'data.preference'));
    writeName(w, d.exchange, true, 'data.exchange');
  },
  read(r: Reader): MxData {
    const preference = r.u16('MX PREFERENCE');
    return { preference, exchange: readName(r, 'MX EXCHANGE') };
  },
};
