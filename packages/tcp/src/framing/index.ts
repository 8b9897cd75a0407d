/**
 * Framing codecs: turn a TCP byte stream into messages and back. Each codec encodes one value
 * at a time and makes decoders, one per stream, that take chunks as they arrive.
 */
export {
  FrameError,
  type FrameErrorCode,
  type FrameErrorDetails,
  FrameMalformedError,
  FrameTooLargeError,
} from './errors.js';
export { type JsonLinesOptions, jsonLines } from './json-lines.js';
export { type LengthPrefixedOptions, lengthPrefixed } from './length-prefixed.js';
export { type NewlineDelimitedOptions, newlineDelimited } from './newline.js';
export type { FrameCodec, FrameDecoder, FrameEncoder } from './types.js';
