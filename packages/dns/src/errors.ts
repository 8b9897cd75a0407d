/** Every error the DNS codec throws on purpose carries a stable `code`; match on it. */
export class DnsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Thrown by the decoder when bytes are not a well-formed DNS message: says what was wrong and
 * `offset`, the byte offset in the message where it was found. The only error `decode` throws
 * for bad input.
 */
export class DnsMalformedError extends DnsError {
  declare readonly code: 'ERR_DNS_MALFORMED';
  /** Byte offset in the message where the problem was found. */
  readonly offset: number;
  constructor(what: string, offset: number) {
    super('ERR_DNS_MALFORMED', `malformed DNS message: ${what} (at byte offset ${offset})`);
    this.offset = offset;
  }
}

/**
 * Thrown by the encoder when a value cannot be written as valid DNS (a label over 63 octets, a
 * bad address, a number out of range...): `field` names it, e.g. `answers[2].data.preference`.
 */
export class DnsInvalidError extends DnsError {
  declare readonly code: 'ERR_DNS_INVALID';
  /** Path of the refused value inside the message, e.g. `questions[0].name`. */
  readonly field: string;
  /** What is wrong with it. */
  readonly reason: string;
  constructor(field: string, reason: string) {
    super('ERR_DNS_INVALID', `invalid DNS value: ${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/** Describes a refused value briefly for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  }
  if (value instanceof Uint8Array) return `${value.length} octets`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
