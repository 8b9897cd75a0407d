/** SOA (RFC 1035 3.3.13): two names (compressed, RFC 1035 type) and five 32-bit numbers. */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { object, u32, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface SoaData {
  /** The primary name server of the zone. */
  mname: string;
  /** The mailbox of the person responsible, as a name (`hostmaster.example.com`). */
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  /** Negative caching TTL (RFC 2308 4). */
  minimum: number;
}

export const soa: RdataCodec<SoaData> = {
  bound: (d) => d.mname.length + d.rname.length + 24,
  write(w: Writer, d: SoaData) {
    object(d, 'data');
    writeName(w, d.mname, true, 'data.mname');
    writeName(w, d.rname, true, 'data.rname');
    w.u32(u32(d.serial, 'data.serial'));
    w.u32(u32(d.refresh, 'data.refresh'));
    w.u32(u32(d.retry, 'data.retry'));
    w.u32(u32(d.expire, 'data.expire'));
    w.u32(u32(d.minimum, 'data.minimum'));
  },
  read(r: Reader): SoaData {
    const mname = readName(r, 'SOA MNAME');
    const rname = readName(r, 'SOA RNAME');
    r.need(20, 'SOA numbers');
    return {
      mname,
      rname,
      serial: r.u32('SOA SERIAL'),
      refresh: r.u32('SOA REFRESH'),
      retry: r.u32('SOA RETRY'),
      expire: r.u32('SOA EXPIRE'),
      minimum: r.u32('SOA MINIMUM'),
    };
  },
};
