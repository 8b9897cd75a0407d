// Errors of the frame codecs and the pcap reader. Each has a stable `code`; match on it.
import { RawFrameError } from '../errors.js';

/** Base class of the errors the frame codecs and the pcap reader throw on bad input. */
export class FrameError extends RawFrameError {}

/**
 * Thrown by a parser when the bytes end before what it is reading: `layer` names it ('IPv4
 * header', 'UDP datagram'...), `needed` is how many bytes it needs, `available` how many there are.
 */
export class FrameTruncatedError extends FrameError {
  declare readonly code: 'ERR_FRAME_TRUNCATED';
  readonly layer: string;
  readonly needed: number;
  readonly available: number;
  constructor(layer: string, needed: number, available: number) {
    super(
      'ERR_FRAME_TRUNCATED',
      `truncated ${layer}: needs ${needed} bytes, only ${available} available`,
    );
    this.layer = layer;
    this.needed = needed;
    this.available = available;
  }
}

/** Thrown by a parser when a field holds a value the format does not allow (version, IHL, length). */
export class FrameInvalidError extends FrameError {
  declare readonly code: 'ERR_FRAME_INVALID';
  readonly layer: string;
  constructor(layer: string, why: string) {
    super('ERR_FRAME_INVALID', `invalid ${layer}: ${why}`);
    this.layer = layer;
  }
}

/** Throws FrameTruncatedError unless `bytes` holds at least `needed` bytes. */
export function need(bytes: Uint8Array, needed: number, layer: string): void {
  if (bytes.length < needed) throw new FrameTruncatedError(layer, needed, bytes.length);
}
