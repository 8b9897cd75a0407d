/** Bytes are Uint8Array (Buffer accepted); strings are encoded as UTF-8. */
export type Payload = Uint8Array | string;
