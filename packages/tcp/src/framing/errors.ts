/** The codes a framing codec throws with; match on `err.code`. */
export type FrameErrorCode = 'ERR_TCP_FRAME_TOO_LARGE' | 'ERR_TCP_FRAME_MALFORMED';

/** What a FrameError knows besides its message. */
export interface FrameErrorDetails {
  /** The limit that was exceeded, in bytes. */
  limit?: number;
  /** The frame's size in bytes, or for a line still without its newline, the bytes seen so far. */
  size?: number;
  /** 1-based line number in the stream (line codecs). */
  line?: number;
  cause?: unknown;
}

/**
 * Thrown by a framing codec: a decoder fed bytes that are not a valid stream of frames, or an
 * encoder given a value it cannot frame. After a decoder throws it stays failed: every later
 * `push()` or `end()` throws the same error again.
 */
export class FrameError extends Error {
  readonly code: FrameErrorCode;
  readonly limit?: number;
  readonly size?: number;
  readonly line?: number;
  constructor(code: FrameErrorCode, message: string, details: FrameErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.limit !== undefined) this.limit = details.limit;
    if (details.size !== undefined) this.size = details.size;
    if (details.line !== undefined) this.line = details.line;
  }
}

/** Thrown when a frame or line is larger than the codec allows (`size` over `limit`). */
export class FrameTooLargeError extends FrameError {
  declare readonly limit: number;
  declare readonly size: number;
  /**
   * @param what  what was too large, e.g. "frame of 104857600 bytes", "line of at least 65537 bytes"
   * @param hint  how to fix it, e.g. "raise maxFrameSize"
   */
  constructor(what: string, size: number, limit: number, hint: string, line?: number) {
    super('ERR_TCP_FRAME_TOO_LARGE', `${what} exceeds the ${limit}-byte limit (${hint})`, {
      size,
      limit,
      line,
    });
  }
}

/** Thrown when the bytes are not a valid frame: bad UTF-8 or JSON, a stream ending mid-frame. */
export class FrameMalformedError extends FrameError {
  constructor(message: string, details: Omit<FrameErrorDetails, 'limit'> = {}) {
    super('ERR_TCP_FRAME_MALFORMED', message, details);
  }
}
