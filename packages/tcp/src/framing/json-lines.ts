import { FrameMalformedError } from './errors.js';
import { encodeLine, LineDecoder, lineOptions, SKIP } from './newline.js';
import type { FrameCodec, FrameDecoder } from './types.js';

/** Options of {@link jsonLines}. */
export interface JsonLinesOptions {
  /** Longest line accepted, in UTF-8 bytes, without its "\n" or "\r\n". Default 64 KiB. */
  maxLineLength?: number;
  /** end() parses a last line that has no "\n" instead of throwing. Default true. */
  allowUnterminated?: boolean;
}

/**
 * One JSON value per line (JSON Lines / NDJSON), UTF-8, "\n" or "\r\n" ended; blank lines are
 * skipped. Decoded values are whatever JSON.parse returns: `T` is not checked, validate it.
 * encode() is JSON.stringify + "\n" (JSON.stringify never writes a raw newline).
 */
export function jsonLines<T = unknown>(options?: JsonLinesOptions): FrameCodec<T> {
  const o = lineOptions('jsonLines', options);
  o.stripCR = true;
  const stringify = (value: T): string => {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new FrameMalformedError(`cannot encode the value as JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (text === undefined) {
      throw new FrameMalformedError(
        `cannot encode ${typeof value} as JSON (JSON.stringify returns undefined for it)`,
      );
    }
    return text;
  };
  return {
    maxFrameSize: o.maxLineLength,
    encodingLength(value: T): number {
      return Buffer.byteLength(stringify(value), 'utf8') + 1;
    },
    encode(value: T): Uint8Array {
      return encodeLine(stringify(value), o.maxLineLength);
    },
    decoder(): FrameDecoder<T> {
      return new LineDecoder<T>(o, parseLine<T>);
    },
  };
}

/** Only JSON whitespace: such a line holds no value and is skipped. */
const BLANK = /^[ \t\r]*$/;

function parseLine<T>(text: string, line: number): T | typeof SKIP {
  if (text.length === 0) return SKIP;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    if (BLANK.test(text)) return SKIP;
    throw new FrameMalformedError(`line ${line} is not valid JSON: ${(err as Error).message}`, {
      line,
      size: Buffer.byteLength(text, 'utf8'),
      cause: err,
    });
  }
}
