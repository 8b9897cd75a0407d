/** The shape every RDATA codec has, and the public dns-packet-style codec built from it. */
import { DnsMalformedError } from '../errors.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';

/** Internal RDATA codec: writes and reads RDATA through the message's writer and reader. */
export interface RdataCodec<T> {
  /** A cheap estimate of the RDATA length, to size the output buffer (the writer grows if low). */
  bound(data: T): number;
  /** Writes the RDATA, checking every field; errors name fields under `data`. */
  write(w: Writer, data: T): void;
  /** Reads the RDATA; r.limit is its end, and the caller checks that all of it was read. */
  read(r: Reader): T;
}

/**
 * A codec for one record type's RDATA, in dns-packet's shape: the encoding is RDLENGTH (2 octets)
 * then RDATA, names uncompressed.
 */
export interface RdataCoder<T> {
  /** Writes RDLENGTH and RDATA into `buf` at `offset` (a new buffer if none); returns the buffer. */
  encode(value: T, buf?: Uint8Array, offset?: number): Uint8Array;
  /** Reads RDLENGTH and RDATA at `offset`; compression pointers may point earlier into `buf`. */
  decode(buf: Uint8Array, offset?: number): T;
  /** Octets `encode` writes: 2 + the RDATA length. */
  encodingLength(value: T): number;
}

function write<T>(codec: RdataCodec<T>, value: T): Writer {
  let size = 64;
  try {
    size = codec.bound(value) + 2;
  } catch {
    // A value too broken to estimate: write() below names what is wrong with it.
  }
  const w = new Writer(new Uint8Array(size), 0, false, false);
  const at = w.startLength();
  codec.write(w, value);
  w.endLength(at, 'data', 'RDATA');
  return w;
}

export function coder<T>(codec: RdataCodec<T>, what: string): RdataCoder<T> {
  return {
    encode(value, buf, offset = 0) {
      const w = write(codec, value);
      if (buf === undefined) return w.buf.slice(0, w.pos);
      if (!Number.isInteger(offset) || offset < 0 || offset + w.pos > buf.length) {
        throw new RangeError(
          `offset ${offset}: buffer of ${buf.length} octets has no room for ${w.pos}`,
        );
      }
      buf.set(w.buf.subarray(0, w.pos), offset);
      return buf;
    },
    decode(buf, offset = 0) {
      if (!(buf instanceof Uint8Array))
        throw new TypeError('decode(buf): buf must be a Uint8Array');
      if (!Number.isInteger(offset) || offset < 0 || offset > buf.length) {
        throw new RangeError(`offset ${offset} is outside the buffer`);
      }
      const r = new Reader(buf, offset);
      const len = r.u16(`${what} RDLENGTH`);
      r.need(len, `${what} RDATA`);
      r.limit = r.pos + len;
      const value = codec.read(r);
      if (r.pos !== r.limit) {
        throw new DnsMalformedError(`${what} RDATA has ${r.limit - r.pos} octets left over`, r.pos);
      }
      return value;
    },
    encodingLength(value) {
      return write(codec, value).pos;
    },
  };
}
