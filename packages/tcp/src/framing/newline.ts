import { constants, isUtf8 } from 'node:buffer';
import { checkInteger } from '@netkit/internal';
import { FrameError, FrameMalformedError, FrameTooLargeError } from './errors.js';
import { asBuffer, checkBoolean, checkOptions } from './options.js';
import type { FrameCodec, FrameDecoder } from './types.js';

/** Options of {@link newlineDelimited}. */
export interface NewlineDelimitedOptions {
  /** Longest line accepted, in UTF-8 bytes, without its "\n" or "\r\n". Default 64 KiB. */
  maxLineLength?: number;
  /** end() returns a last line that has no "\n" instead of throwing. Default true. */
  allowUnterminated?: boolean;
  /** "\r\n" ends a line too (the "\r" is not part of the line). Default true. */
  stripCR?: boolean;
}

const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
/** A finished line's buffer up to this size is kept for the next unfinished line. */
const REUSE_LIMIT = 4096;
const LF = 0x0a;
const CR = 0x0d;

/** The checked options a line decoder runs with. */
export interface LineOptions {
  maxLineLength: number;
  allowUnterminated: boolean;
  stripCR: boolean;
}

/** Validates line-codec options; `codec` names the factory in the messages. */
export function lineOptions(
  codec: string,
  options: NewlineDelimitedOptions | undefined,
): LineOptions {
  checkOptions(codec, options);
  const o = options ?? {};
  return {
    maxLineLength:
      o.maxLineLength === undefined
        ? DEFAULT_MAX_LINE_LENGTH
        : checkInteger('maxLineLength', o.maxLineLength, 1, constants.MAX_STRING_LENGTH),
    allowUnterminated: checkBoolean('allowUnterminated', o.allowUnterminated, true),
    stripCR: checkBoolean('stripCR', o.stripCR, true),
  };
}

/**
 * Lines of UTF-8 text, each ended by "\n" (or "\r\n" with stripCR). Decoded lines come without
 * their delimiter; an empty line is the empty string. Invalid UTF-8 is ERR_TCP_FRAME_MALFORMED.
 * encode() appends "\n" and refuses a string containing "\n" (or ending in "\r" with stripCR,
 * which the decoder would drop). Lone surrogates are encoded as U+FFFD, as TextEncoder does.
 */
export function newlineDelimited(options?: NewlineDelimitedOptions): FrameCodec<string> {
  const o = lineOptions('newlineDelimited', options);
  return {
    maxFrameSize: o.maxLineLength,
    encodingLength(value: string): number {
      return Buffer.byteLength(checkString(value), 'utf8') + 1;
    },
    encode(value: string): Uint8Array {
      checkString(value);
      if (value.includes('\n')) {
        throw new FrameMalformedError(
          `cannot encode a line containing "\\n" (at index ${value.indexOf('\n')}): split it, or use jsonLines`,
        );
      }
      if (o.stripCR && value.endsWith('\r')) {
        throw new FrameMalformedError(
          'cannot encode a line ending in "\\r": the decoder would strip it (stripCR: false keeps it)',
        );
      }
      return encodeLine(value, o.maxLineLength);
    },
    decoder(): FrameDecoder<string> {
      return new LineDecoder<string>(o);
    },
  };
}

function checkString(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(`a line must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

/** `text` + "\n" as UTF-8, refusing text longer than `max` bytes. */
export function encodeLine(text: string, max: number): Buffer {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > max) {
    throw new FrameTooLargeError(`line of ${size} bytes`, size, max, 'raise maxLineLength');
  }
  const out = Buffer.allocUnsafe(size + 1);
  out.write(text, 0, size, 'utf8');
  out[size] = LF;
  return out;
}

/** Returned by a line parser for a line that holds no frame (a blank line in JSON Lines). */
export const SKIP: unique symbol = Symbol('skip');

/**
 * Turns one decoded line into a frame, or SKIP. `line` is its 1-based number in the stream.
 * Throw a FrameError for a bad line; other errors become ERR_TCP_FRAME_MALFORMED.
 */
export type LineParser<T> = (text: string, line: number) => T | typeof SKIP;

/**
 * Splits a byte stream into lines. Searches each chunk once, front to back; only the unfinished
 * last line is copied (into a buffer that doubles), never more than maxLineLength (+1 for a "\r").
 * With a parser, each line is parsed as soon as it is split, so errors come in stream order.
 */
export class LineDecoder<T = string> implements FrameDecoder<T> {
  readonly #max: number;
  readonly #allowUnterminated: boolean;
  readonly #stripCR: boolean;
  readonly #parse: LineParser<T> | undefined;
  /** The unfinished line: #pending[0, #have). */
  #pending: Buffer | undefined;
  #have = 0;
  /** Lines split so far, the current one included (line numbers in errors). */
  #lines = 0;
  #failed: Error | undefined;

  constructor(options: LineOptions, parse?: LineParser<T>) {
    this.#max = options.maxLineLength;
    this.#allowUnterminated = options.allowUnterminated;
    this.#stripCR = options.stripCR;
    this.#parse = parse;
  }

  get buffered(): number {
    return this.#have;
  }

  push(chunk: Uint8Array): T[] {
    if (this.#failed) throw this.#failed;
    const buf = asBuffer('chunk', chunk);
    const out: T[] = [];
    const end = buf.length;
    if (end === 0) return out;
    const parse = this.#parse;
    let pos = 0;
    if (this.#have > 0) {
      const nl = buf.indexOf(LF);
      if (nl < 0) {
        this.#keep(buf, 0, end);
        return out;
      }
      // The pending line ends in this chunk: check its length before copying, then join.
      const cr = this.#stripCR && (nl > 0 ? buf[nl - 1] : this.#pending![this.#have - 1]) === CR;
      const size = this.#have + nl - (cr ? 1 : 0);
      const line = ++this.#lines;
      if (size > this.#max) throw this.#tooLarge(line, size, '');
      this.#append(buf, 0, nl);
      const text = this.#decode(this.#pending!, 0, size, line);
      this.#have = 0;
      if (this.#pending!.length > REUSE_LIMIT) this.#pending = undefined;
      if (parse === undefined) out.push(text as T);
      else this.#emit(out, parse, text, line);
      pos = nl + 1;
    }
    const last = buf.lastIndexOf(LF);
    if (last >= pos) {
      // "\n" never occurs inside a multi-byte UTF-8 sequence, so the complete lines of this
      // chunk are valid UTF-8 together exactly when each is: one check for all of them.
      const valid = isUtf8(buf.subarray(pos, last));
      const max = this.#max;
      const stripCR = this.#stripCR;
      for (;;) {
        const nl = buf.indexOf(LF, pos);
        let stop = nl;
        if (stripCR && stop > pos && buf[stop - 1] === CR) stop--;
        const line = ++this.#lines;
        const text =
          stop - pos > max || !valid
            ? this.#decode(buf, pos, stop, line)
            : buf.toString('utf8', pos, stop);
        if (parse === undefined) out.push(text as T);
        else this.#emit(out, parse, text, line);
        pos = nl + 1;
        if (nl === last) break;
      }
    }
    if (pos < end) this.#keep(buf, pos, end);
    return out;
  }

  end(): T[] {
    if (this.#failed) throw this.#failed;
    const out: T[] = [];
    if (this.#have > 0) {
      const line = this.#lines + 1;
      if (!this.#allowUnterminated) {
        throw this.#fail(
          new FrameMalformedError(
            `stream ended inside a line: ${this.#have} bytes without a "\\n" (allowUnterminated is false)`,
            { size: this.#have, line },
          ),
        );
      }
      const cr = this.#stripCR && this.#pending![this.#have - 1] === CR;
      const text = this.#decode(this.#pending!, 0, this.#have - (cr ? 1 : 0), line);
      if (this.#parse === undefined) out.push(text as T);
      else this.#emit(out, this.#parse, text, line);
    }
    this.#pending = undefined;
    this.#have = 0;
    this.#lines = 0;
    return out;
  }

  /** Decodes line number `line`, bytes[start, stop) without its delimiter: length, then UTF-8. */
  #decode(bytes: Buffer, start: number, stop: number, line: number): string {
    const size = stop - start;
    if (size > this.#max) throw this.#tooLarge(line, size, '');
    const view = bytes.subarray(start, stop);
    if (!isUtf8(view)) {
      throw this.#fail(
        new FrameMalformedError(`line ${line} is not valid UTF-8 (${size} bytes)`, { size, line }),
      );
    }
    return view.toString('utf8');
  }

  #emit(out: T[], parse: LineParser<T>, text: string, line: number): void {
    let value: T | typeof SKIP;
    try {
      value = parse(text, line);
    } catch (err) {
      throw this.#fail(
        err instanceof FrameError
          ? err
          : new FrameMalformedError(`line ${line}: ${String(err)}`, { line, cause: err }),
      );
    }
    if (value !== SKIP) out.push(value);
  }

  /** Buffers an unfinished line, failing as soon as it is longer than any line can be. */
  #keep(buf: Buffer, start: number, end: number): void {
    const size = this.#have + (end - start);
    // One byte over is allowed if it is a "\r" that a "\n" in the next chunk may turn into a delimiter.
    if (size > this.#max && !(size === this.#max + 1 && this.#stripCR && buf[end - 1] === CR)) {
      throw this.#tooLarge(this.#lines + 1, size, 'at least ');
    }
    this.#append(buf, start, end);
  }

  #append(buf: Buffer, start: number, end: number): void {
    const need = this.#have + (end - start);
    let pending = this.#pending;
    if (pending === undefined || pending.length < need) {
      const capacity = Math.max(need, 256, pending ? pending.length * 2 : 0);
      const grown = Buffer.allocUnsafe(Math.min(capacity, Math.max(need, this.#max + 1)));
      if (pending) pending.copy(grown, 0, 0, this.#have);
      this.#pending = pending = grown;
    }
    buf.copy(pending, this.#have, start, end);
    this.#have = need;
  }

  /** Fails with ERR_TCP_FRAME_TOO_LARGE; `atLeast` for a line whose end is not seen yet. */
  #tooLarge(line: number, size: number, atLeast: '' | 'at least '): FrameError {
    const what = `line ${line} of ${atLeast}${size} bytes`;
    return this.#fail(new FrameTooLargeError(what, size, this.#max, 'raise maxLineLength', line));
  }

  #fail(err: FrameError): FrameError {
    this.#pending = undefined;
    this.#have = 0;
    this.#failed = err;
    return err;
  }
}
