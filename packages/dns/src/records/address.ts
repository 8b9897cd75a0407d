/** A (RFC 1035 3.4.1) and AAAA (RFC 3596 2.2): one address, 4 or 16 octets. */
import { describe } from '../errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../ip.js';
import type { Reader } from '../reader.js';
import { invalid, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export const a: RdataCodec<string> = {
  bound: () => 4,
  write(w: Writer, data: string) {
    w.ensure(4);
    if (typeof data !== 'string' || !parseIPv4(data, w.buf, w.pos)) {
      throw invalid('data', `expected an IPv4 address, got ${describe(data)}`);
    }
    w.pos += 4;
  },
  read(r: Reader) {
    r.need(4, 'A address');
    const text = formatIPv4(r.bytes, r.pos);
    r.pos += 4;
    return text;
  },
};

export const aaaa: RdataCodec<string> = {
  bound: () => 16,
  write(w: Writer, data: string) {
    w.ensure(16);
    if (typeof data !== 'string' || !parseIPv6(data, w.buf, w.pos)) {
      throw invalid('data', `expected an IPv6 address, got ${describe(data)}`);
    }
    w.pos += 16;
  },
  read(r: Reader) {
    r.need(16, 'AAAA address');
    const text = formatIPv6(r.bytes, r.pos);
    r.pos += 16;
    return text;
  },
};
