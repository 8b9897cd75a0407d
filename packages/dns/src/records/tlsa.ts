/** TLSA (RFC 6698 2.1): usage, selector, matching type, certificate association data. */
import type { Reader } from '../reader.js';
import { bytes, object, u8, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface TlsaData {
  usage: number;
  selector: number;
  matchingType: number;
  /** The certificate, its public key, or a hash of either (per selector and matching type). */
  associationData: Uint8Array;
}

export const tlsa: RdataCodec<TlsaData> = {
  bound: (d) => 3 + d.associationData.length,
  write(w: Writer, d: TlsaData) {
    object(d, 'data');
    w.u8(u8(d.usage, 'data.usage'));
    w.u8(u8(d.selector, 'data.selector'));
    w.u8(u8(d.matchingType, 'data.matchingType'));
    w.bytes(bytes(d.associationData, 'data.associationData'));
  },
  read(r: Reader): TlsaData {
    r.need(3, 'TLSA fields');
    const usage = r.u8('TLSA usage');
    const selector = r.u8('TLSA selector');
    const matchingType = r.u8('TLSA matching type');
    return { usage, selector, matchingType, associationData: r.rest() };
  },
};
