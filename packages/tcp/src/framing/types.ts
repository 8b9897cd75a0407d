/** Turns a byte stream back into frames. Push chunks as they arrive; frames come out in order. */
export interface FrameDecoder<T> {
  /**
   * Feeds bytes; returns the frames this chunk completed (possibly none). Throws FrameError
   * (the decoder is then unusable: every later call throws the same error).
   */
  push(chunk: Uint8Array): T[];
  /**
   * Call at end of stream: throws FrameError ERR_TCP_FRAME_MALFORMED if a partial frame is
   * buffered, unless the codec allows a last unterminated line. Returns the final frames and
   * leaves the decoder empty.
   */
  end(): T[];
  /** Bytes buffered right now (never above maxFrameSize + header or delimiter size). */
  readonly buffered: number;
}

/** Turns values into wire bytes, one frame at a time. */
export interface FrameEncoder<T> {
  /** The wire bytes of one frame. Throws FrameError if the value is larger than the codec allows. */
  encode(value: T): Uint8Array;
  /** Bytes encode(value) will produce. */
  encodingLength(value: T): number;
  /**
   * Writes the frame into `target` at `offset` (which must have encodingLength(value) bytes free)
   * and returns the bytes written: lets a connection batch frames without a buffer per frame.
   */
  encodeInto?(value: T, target: Uint8Array, offset: number): number;
}

/** An encoder plus a factory of decoders (one decoder per stream: they hold its partial frame). */
export interface FrameCodec<T> extends FrameEncoder<T> {
  decoder(): FrameDecoder<T>;
  /** The largest frame (payload or line, without prefix or delimiter) this codec accepts. */
  readonly maxFrameSize: number;
}
