/** Bytes are Uint8Array (Buffer accepted); strings are UTF-8. Returns a Buffer view without copying. */
export type Payload = Uint8Array | string;

export function toBuffer(payload: Payload, name = 'payload'): Buffer {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  throw new TypeError(`${name} must be a Uint8Array, a Buffer or a string`);
}
