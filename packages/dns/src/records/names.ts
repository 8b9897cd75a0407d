/**
 * RDATA that is one domain name: NS (RFC 1035 3.3.11), CNAME (3.3.1), PTR (3.3.12), compressed
 * on encode as RFC 1035 types; DNAME (RFC 6672 2.1: "a fully qualified domain name that MUST be
 * sent in uncompressed form"), written in full but decompressed on decode.
 */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

function nameRdata(compress: boolean, what: string): RdataCodec<string> {
  return {
    bound: (data) => data.length + 2,
    write: (w: Writer, data: string) => writeName(w, data, compress, 'data'),
    read: (r: Reader) => readName(r, what),
  };
}

export const ns = nameRdata(true, 'NS name');
export const cname = nameRdata(true, 'CNAME target');
export const ptr = nameRdata(true, 'PTR name');
export const dname = nameRdata(false, 'DNAME target');
