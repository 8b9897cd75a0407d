/** A bounds-checked cursor over one DNS message: every read checks its length first. */
import { latin1 } from './encoding.js';
import { DnsMalformedError } from './errors.js';

/** A name suffix already decoded at some offset (see name.ts). */
export interface NameSuffix {
  /** Text without the root dot; '' for the root. */
  readonly text: string;
  /** Wire length including the root octet. */
  readonly wire: number;
  /** Compression pointers followed to decode it. */
  readonly hops: number;
}

export class Reader {
  /** The message, as a plain Uint8Array view. */
  readonly bytes: Uint8Array;
  /** Length of the message. */
  readonly length: number;
  /** Next octet to read. */
  pos: number;
  /** Reads must end at or before this: the message end, or the RDATA end while reading RDATA. */
  limit: number;
  /** Decoded names by offset, for this message only. */
  names: Map<number, NameSuffix> | undefined;
  private latin1Text: string | undefined;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes =
      bytes.constructor === Uint8Array
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.length;
    this.pos = pos;
    this.limit = bytes.length;
  }

  /** The whole message as latin1 text, made once: labels and ASCII strings are sliced from it. */
  text(): string {
    if (this.latin1Text === undefined) this.latin1Text = latin1(this.bytes, 0, this.length);
    return this.latin1Text;
  }

  fail(what: string, offset: number = this.pos): never {
    throw new DnsMalformedError(what, offset);
  }

  /** Fails unless `n` more octets can be read before the limit. */
  need(n: number, what: string): void {
    if (this.pos + n > this.limit) this.short(n, what);
  }

  short(n: number, what: string): never {
    const left = this.limit - this.pos;
    const where = this.limit < this.length ? 'in the RDATA' : 'in the message';
    this.fail(`${what}: needs ${n} octet${n === 1 ? '' : 's'}, ${left} left ${where}`);
  }

  u8(what: string): number {
    if (this.pos + 1 > this.limit) this.short(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what: string): number {
    const p = this.pos;
    if (p + 2 > this.limit) this.short(2, what);
    this.pos = p + 2;
    return (this.bytes[p]! << 8) | this.bytes[p + 1]!;
  }

  u32(what: string): number {
    const p = this.pos;
    if (p + 4 > this.limit) this.short(4, what);
    this.pos = p + 4;
    const b = this.bytes;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** A copy of the next `n` octets (never a view: callers may reuse their receive buffer). */
  take(n: number, what: string): Uint8Array {
    const p = this.pos;
    if (p + n > this.limit) this.short(n, what);
    this.pos = p + n;
    return this.bytes.slice(p, p + n);
  }

  /** A copy of the octets left before the limit. */
  rest(): Uint8Array {
    const p = this.pos;
    this.pos = this.limit;
    return this.bytes.slice(p, this.limit);
  }
}
