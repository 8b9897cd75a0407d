/**
 * SRV (RFC 2782): priority, weight, port, target. RFC 2782: "name compression is not to be used
 * for this field", so the target is written in full; RFC 3597 4 asks receivers to decompress it.
 */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { object, u16, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export const srv: RdataCodec<SrvData> = {
  bound: (d) => d.target.length + 8,
  write(w: Writer, d: SrvData) {
    object(d, 'data');
    w.u16(u16(d.priority, 'data.priority'));
    w.u16(u16(d.weight, 'data.weight'));
    w.u16(u16(d.port, 'data.port'));
    writeName(w, d.target, false, 'data.target');
  },
  read(r: Reader): SrvData {
    r.need(6, 'SRV numbers');
    const priority = r.u16('SRV PRIORITY');
    const weight = r.u16('SRV WEIGHT');
    const port = r.u16('SRV PORT');
    return { priority, weight, port, target: readName(r, 'SRV TARGET') };
  },
};
