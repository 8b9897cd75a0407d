/** An output cursor over one buffer, and the range checks the encoder runs before writing. */
import { DnsInvalidError, describe } from './errors.js';

export class Writer {
  buf: Uint8Array;
  pos: number;
  /** Where the message starts in `buf`: compression pointers count from here (RFC 1035 4.1.4). */
  readonly base: number;
  /** Earlier names and suffixes by exact text, for compression; absent when not compressing. */
  readonly names: Map<string, number> | undefined;
  /** Upper 8 bits of the message RCODE, written into the OPT record (RFC 6891 6.1.3). */
  rcodeHigh = 0;
  private readonly fixed: boolean;

  constructor(buf: Uint8Array, pos: number, compress: boolean, fixed: boolean) {
    this.buf = buf;
    this.pos = pos;
    this.base = pos;
    this.names = compress ? new Map() : undefined;
    this.fixed = fixed;
  }

  /** Makes room for `n` more octets. Sizes are estimated up front, so this rarely grows. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    if (this.fixed) throw new RangeError('buffer too small for the encoded value');
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n + 512));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    const p = this.pos;
    if (p + 2 > this.buf.length) this.grow(2);
    this.buf[p] = v >>> 8;
    this.buf[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    const p = this.pos;
    if (p + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  bytes(v: Uint8Array): void {
    if (this.pos + v.length > this.buf.length) this.grow(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Reserves a 16-bit length and returns its position, for `endLength`. */
  startLength(): number {
    const p = this.pos;
    if (p + 2 > this.buf.length) this.grow(2);
    this.pos = p + 2;
    return p;
  }

  /** Writes the length of what followed `at` into the reserved field; checks it fits. */
  endLength(at: number, field: string, what: string, max = 0xffff): void {
    const len = this.pos - at - 2;
    if (len > max)
      throw new DnsInvalidError(field, `${what} of ${len} octets is longer than ${max}`);
    this.buf[at] = len >>> 8;
    this.buf[at + 1] = len;
  }
}

export function invalid(field: string, reason: string): DnsInvalidError {
  return new DnsInvalidError(field, reason);
}

export function u8(v: unknown, field: string): number {
  if (((v as number) & 0xff) === v) return v;
  throw invalid(field, `expected an integer 0..255, got ${describe(v)}`);
}

export function u16(v: unknown, field: string): number {
  if (((v as number) & 0xffff) === v) return v;
  throw invalid(field, `expected an integer 0..65535, got ${describe(v)}`);
}

export function u32(v: unknown, field: string): number {
  if ((v as number) >>> 0 === v) return v;
  throw invalid(field, `expected an integer 0..4294967295, got ${describe(v)}`);
}

export function bytes(v: unknown, field: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw invalid(field, `expected a Uint8Array, got ${describe(v)}`);
}

export function object<T>(v: T, field: string): T {
  if (typeof v === 'object' && v !== null) return v;
  throw invalid(field, `expected an object, got ${describe(v)}`);
}

export function array<T>(v: readonly T[], field: string): readonly T[] {
  if (Array.isArray(v)) return v;
  throw invalid(field, `expected an array, got ${describe(v)}`);
}

export function boolean(v: unknown, field: string): boolean {
  if (v === true || v === false) return v;
  throw invalid(field, `expected a boolean, got ${describe(v)}`);
}
