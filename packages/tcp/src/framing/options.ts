/**
 * Up-front option checks for the codecs, beside @netkit/internal's checkInteger: a bad option
 * throws at once, naming the option.
 */
export function checkOptions(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError(`${name} options must be an object, got ${describe(value)}`);
  }
}

export function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** The chunk as a Buffer over the same memory (no copy), so frames can be Buffer views. */
export function asBuffer(name: string, chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  throw new TypeError(`${name} must be a Uint8Array, got ${describe(chunk)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return String(value);
}
