import { constants } from 'node:buffer';
import { checkInteger } from '@netkit/internal';
import { FrameMalformedError, FrameTooLargeError } from './errors.js';
import { asBuffer, checkOptions } from './options.js';
import type { FrameCodec, FrameDecoder } from './types.js';

/** Options of {@link lengthPrefixed}. */
export interface LengthPrefixedOptions {
  /** Size of the big-endian length prefix; the length excludes the prefix. Default 4. */
  prefixBytes?: 2 | 4;
  /** Largest payload accepted, in bytes. Default 16 MiB (65535 with prefixBytes 2, its maximum). */
  maxFrameSize?: number;
}

const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
/** A partial frame starts in a buffer this big (or the frame's size if smaller), then doubles. */
const INITIAL_CAPACITY = 64 * 1024;

/**
 * Frames as a big-endian length prefix followed by that many payload bytes. Zero-length frames
 * are valid. Decoded frames are Buffer views into the pushed chunk when the frame lies inside
 * one chunk (copy them if you keep them and reuse the chunk's memory), and a fresh Buffer when
 * it spans chunks.
 */
export function lengthPrefixed(options: LengthPrefixedOptions = {}): FrameCodec<Uint8Array> {
  checkOptions('lengthPrefixed', options);
  const prefixBytes = options.prefixBytes ?? 4;
  if (prefixBytes !== 2 && prefixBytes !== 4) {
    const Err = typeof prefixBytes === 'number' ? RangeError : TypeError;
    throw new Err(`prefixBytes must be 2 or 4, got ${String(prefixBytes)}`);
  }
  const ceiling = prefixBytes === 2 ? 0xffff : Math.min(0xffffffff, constants.MAX_LENGTH);
  const maxFrameSize =
    options.maxFrameSize === undefined
      ? Math.min(DEFAULT_MAX_FRAME_SIZE, ceiling)
      : checkInteger(
          prefixBytes === 2 ? 'maxFrameSize (with prefixBytes 2)' : 'maxFrameSize',
          options.maxFrameSize,
          1,
          ceiling,
        );
  const hint =
    prefixBytes === 2 && maxFrameSize === 0xffff
      ? 'a 2-byte prefix carries at most 65535 bytes; use prefixBytes: 4'
      : 'raise maxFrameSize';

  const writeFrame = (payload: Buffer, out: Buffer, at: number): number => {
    const size = payload.length;
    if (size > maxFrameSize) {
      throw new FrameTooLargeError(`frame of ${size} bytes`, size, maxFrameSize, hint);
    }
    if (prefixBytes === 4) out.writeUInt32BE(size, at);
    else out.writeUInt16BE(size, at);
    payload.copy(out, at + prefixBytes);
    return prefixBytes + size;
  };

  return {
    maxFrameSize,
    encodingLength(value: Uint8Array): number {
      return prefixBytes + asBuffer('value', value).length;
    },
    encode(value: Uint8Array): Uint8Array {
      const payload = asBuffer('value', value);
      const out = Buffer.allocUnsafe(prefixBytes + payload.length);
      writeFrame(payload, out, 0);
      return out;
    },
    encodeInto(value: Uint8Array, target: Uint8Array, offset: number): number {
      return writeFrame(asBuffer('value', value), asBuffer('target', target), offset);
    },
    decoder(): FrameDecoder<Uint8Array> {
      return new LengthPrefixedDecoder(prefixBytes, maxFrameSize, hint);
    },
  };
}

class LengthPrefixedDecoder implements FrameDecoder<Uint8Array> {
  readonly #prefixBytes: 2 | 4;
  readonly #max: number;
  readonly #hint: string;
  /** Prefix bytes seen of the frame in progress: 0 between frames, #prefixBytes once in its body. */
  #headerHave = 0;
  /** The prefix read so far; the payload length once #headerHave === #prefixBytes. */
  #length = 0;
  /** Payload bytes of the frame in progress, copied out of earlier chunks (grows by doubling). */
  #body: Buffer | undefined;
  #have = 0;
  #failed: Error | undefined;

  constructor(prefixBytes: 2 | 4, max: number, hint: string) {
    this.#prefixBytes = prefixBytes;
    this.#max = max;
    this.#hint = hint;
  }

  get buffered(): number {
    return this.#headerHave + this.#have;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw this.#failed;
    const buf = asBuffer('chunk', chunk);
    const frames: Uint8Array[] = [];
    const end = buf.length;
    const p = this.#prefixBytes;
    const max = this.#max;
    let pos = this.#headerHave > 0 ? this.#resume(buf, frames) : 0;
    // Whole prefixes in this chunk: frames that fit are views, no copy.
    while (end - pos >= p) {
      const length =
        p === 4
          ? buf[pos]! * 0x1000000 + ((buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!)
          : (buf[pos]! << 8) | buf[pos + 1]!;
      if (length > max) throw this.#tooLarge(length);
      const start = pos + p;
      const stop = start + length;
      if (stop > end) {
        this.#headerHave = p;
        this.#length = length;
        this.#keep(buf, start, end);
        return frames;
      }
      frames.push(buf.subarray(start, stop));
      pos = stop;
    }
    // A partial prefix at the end of the chunk.
    while (pos < end) {
      this.#length = this.#length * 256 + buf[pos++]!;
      this.#headerHave++;
    }
    return frames;
  }

  end(): Uint8Array[] {
    if (this.#failed) throw this.#failed;
    if (this.#headerHave === 0) return [];
    const p = this.#prefixBytes;
    throw this.#fail(
      this.#headerHave < p
        ? new FrameMalformedError(
            `stream ended inside a frame's length prefix: ${this.#headerHave} of ${p} bytes`,
          )
        : new FrameMalformedError(
            `stream ended inside a frame: ${this.#have} of ${this.#length} bytes`,
            { size: this.#length },
          ),
    );
  }

  /** Continues the frame in progress with the start of `buf`; returns where its next frame starts. */
  #resume(buf: Buffer, frames: Uint8Array[]): number {
    const p = this.#prefixBytes;
    const end = buf.length;
    let pos = 0;
    if (this.#headerHave < p) {
      while (this.#headerHave < p && pos < end) {
        this.#length = this.#length * 256 + buf[pos++]!;
        this.#headerHave++;
      }
      if (this.#headerHave < p) return pos;
      if (this.#length > this.#max) throw this.#tooLarge(this.#length);
    }
    const need = this.#length - this.#have;
    if (end - pos < need) {
      this.#keep(buf, pos, end);
      return end;
    }
    if (this.#body === undefined) {
      frames.push(buf.subarray(pos, pos + need));
    } else {
      this.#keep(buf, pos, pos + need);
      frames.push(this.#body);
    }
    this.#reset();
    return pos + need;
  }

  /** Copies buf[start, end) into the body of the frame in progress (at most up to its end). */
  #keep(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    const need = this.#have + n;
    let body = this.#body;
    if (body === undefined || body.length < need) {
      // Doubling keeps the copies linear; never beyond the frame's own length.
      const capacity = Math.min(
        this.#length,
        Math.max(need, INITIAL_CAPACITY, body ? body.length * 2 : 0),
      );
      const grown = Buffer.allocUnsafe(capacity);
      if (body) body.copy(grown, 0, 0, this.#have);
      this.#body = body = grown;
    }
    buf.copy(body, this.#have, start, end);
    this.#have = need;
  }

  #reset(): void {
    this.#headerHave = 0;
    this.#length = 0;
    this.#body = undefined;
    this.#have = 0;
  }

  #tooLarge(length: number): Error {
    return this.#fail(
      new FrameTooLargeError(`frame of ${length} bytes`, length, this.#max, this.#hint),
    );
  }

  #fail(err: Error): Error {
    this.#reset();
    this.#failed = err;
    return err;
  }
}
