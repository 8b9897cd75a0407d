/** Any other type: RDATA as opaque octets (RFC 3597 2), never compressed or interpreted. */
import type { Reader } from '../reader.js';
import { bytes, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export const unknown: RdataCodec<Uint8Array> = {
  bound: (d) => d.length,
  write: (w: Writer, d: Uint8Array) => w.bytes(bytes(d, 'data')),
  read: (r: Reader) => r.rest(),
};
