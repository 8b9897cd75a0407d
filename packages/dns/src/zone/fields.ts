/**
 * Reading single presentation-format fields: domain names (RFC 1035 5.1, completed with the
 * origin and kept in the codec's text form, see name.ts), <character-string>s with `\X` and
 * `\DDD` escapes, numbers, TTLs (BIND's 1w2d3h4m5s too), hex, base64 and base32hex.
 */
import { fromHex, isUtf8Range, latin1, utf8 } from '../encoding.js';
import { MAX_LABEL, MAX_NAME } from '../name.js';
import type { CharacterString } from '../strings.js';
import type { Fail, Token } from './lexer.js';

/** The origin in the codec's text form ('.' for the root) and its length on the wire. */
export interface Origin {
  name: string;
  wire: number;
}

/** A failure with no location yet: the caller knows the token and adds the line. */
export class FieldError extends Error {}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Pushes the UTF-8 octets of the code point at text[i]; returns how many UTF-16 units it took. */
function pushUtf8(out: number[], text: string, i: number): number {
  const cp = text.codePointAt(i)!;
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else {
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 63),
      0x80 | ((cp >> 6) & 63),
      0x80 | (cp & 63),
    );
  }
  return cp > 0xffff ? 2 : 1;
}

/**
 * Reads a `\` escape at text[i] (the backslash) into `out`: `\DDD` is the octet DDD (0-255),
 * `\X` the character X. Returns the index after the escape.
 */
function readEscape(text: string, i: number, out: number[], end = text.length): number {
  if (i + 1 >= end) throw new FieldError('ends in a lone backslash');
  const c = text.charCodeAt(i + 1);
  if (digit(c)) {
    const d2 = text.charCodeAt(i + 2);
    const d3 = text.charCodeAt(i + 3);
    if (!(i + 3 < end && digit(d2) && digit(d3)))
      throw new FieldError('has a \\DDD escape without three digits');
    const value = (c - 48) * 100 + (d2 - 48) * 10 + (d3 - 48);
    if (value > 255) throw new FieldError(`has an escape \\${value} above 255`);
    out.push(value);
    return i + 4;
  }
  return i + 1 + pushUtf8(out, text, i + 1);
}

/**
 * The octets of a <character-string> token: quoted (`"..."`) or not, with escapes resolved and
 * other characters as UTF-8.
 */
export function stringOctets(raw: string): number[] {
  let start = 0;
  let end = raw.length;
  if (raw.charCodeAt(0) === 34) {
    if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== 34) {
      throw new FieldError('quoted string is not closed');
    }
    start = 1;
    end = raw.length - 1;
  }
  const out: number[] = [];
  let i = start;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 92) i = readEscape(raw, i, out, end);
    else if (c === 34) throw new FieldError('has a quote inside a word (escape it as \\")');
    else i += pushUtf8(out, raw, i);
  }
  return out;
}

/** Octets as the codec holds text: a string when they are UTF-8 (as decode does), else octets. */
export function toCharacterString(octets: readonly number[] | Uint8Array): CharacterString {
  const bytes = octets instanceof Uint8Array ? octets : Uint8Array.from(octets);
  let ascii = true;
  for (const b of bytes) {
    if (b > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes, 0, bytes.length);
  if (isUtf8Range(bytes, 0, bytes.length)) return utf8(bytes, 0, bytes.length);
  return bytes;
}

/** A <character-string> field of at most 255 octets (RFC 1035 3.3). */
export function characterString(raw: string): CharacterString {
  const octets = stringOctets(raw);
  if (octets.length > 255) {
    throw new FieldError(
      `is ${octets.length} octets, more than 255 (split it into several strings)`,
    );
  }
  return toCharacterString(octets);
}

/** Per octet in a name: 0 as itself, 1 with a backslash, 2 as \DDD (as name.ts prints). */
const NAME_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c++) NAME_ESCAPE[c] = c < 0x21 || c > 0x7e ? 2 : 0;
for (const c of '.\\"();@$') NAME_ESCAPE[c.charCodeAt(0)] = 1;

function labelText(octets: readonly number[]): string {
  let out = '';
  for (const c of octets) {
    const kind = NAME_ESCAPE[c];
    if (kind === 0) out += String.fromCharCode(c);
    else if (kind === 1) out += `\\${String.fromCharCode(c)}`;
    else out += `\\${String(c).padStart(3, '0')}`;
  }
  return out;
}

function short(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

/**
 * A domain name field: `@` is the origin, a name without a trailing dot is relative to it.
 * Returns the name as the codec holds it: labels escaped as name.ts prints them, no trailing
 * dot, '.' for the root, case kept.
 */
export function domainName(raw: string, origin: Origin | undefined): string {
  if (raw === '@') {
    if (origin === undefined)
      throw new FieldError("'@' but there is no origin ($ORIGIN or options.origin)");
    return origin.name;
  }
  if (raw === '.') return '.';
  if (raw.length === 0) throw new FieldError('empty name');
  if (raw.charCodeAt(0) === 34) throw new FieldError(`name ${raw} is quoted`);
  const labels: string[] = [];
  let wire = 0;
  let label: number[] = [];
  let absolute = false;
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === 46) {
      if (label.length === 0) throw new FieldError(`name ${short(raw)} has an empty label`);
      labels.push(labelText(label));
      wire += label.length + 1;
      label = [];
      i++;
      if (i === raw.length) absolute = true;
      continue;
    }
    try {
      if (c === 92) i = readEscape(raw, i, label);
      else i += pushUtf8(label, raw, i);
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`name ${short(raw)} ${e.message}`);
      throw e;
    }
    if (label.length > MAX_LABEL) {
      throw new FieldError(`name ${short(raw)} has a label longer than ${MAX_LABEL} octets`);
    }
  }
  if (!absolute) {
    labels.push(labelText(label));
    wire += label.length + 1;
  }
  let name = labels.join('.');
  if (absolute) wire += 1;
  else {
    if (origin === undefined) {
      throw new FieldError(
        `relative name ${short(raw)} but there is no origin ($ORIGIN or options.origin)`,
      );
    }
    wire += origin.wire;
    if (origin.name !== '.') name = `${name}.${origin.name}`;
  }
  if (wire > MAX_NAME) {
    throw new FieldError(`name ${short(raw)} is ${wire} octets, longer than ${MAX_NAME}`);
  }
  return name;
}

/** The origin of a name in codec form (absolute, as domainName returns). */
export function toOrigin(name: string): Origin {
  if (name === '.') return { name, wire: 1 };
  let wire = 2;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92) i += digit(name.charCodeAt(i + 1)) ? 3 : 1;
    else if (c === 46) {
      wire++;
      continue;
    }
    wire++;
  }
  return { name, wire };
}

/** A decimal number 0..max, or undefined. */
export function decimal(raw: string, max: number): number | undefined {
  if (raw.length === 0 || raw.length > 10) return undefined;
  let value = 0;
  for (let i = 0; i < raw.length; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return value <= max ? value : undefined;
}

const UNITS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/**
 * A TTL (or SOA timer): seconds as a number, or BIND's units (`1h30m`, `2W`, `1d12h`); at
 * most 2^32-1. Undefined if it is not one.
 */
export function ttl(raw: string): number | undefined {
  const plain = decimal(raw, 0xffffffff);
  if (plain !== undefined) return plain;
  if (!/^(\d+[wdhms])+$/i.test(raw)) return undefined;
  let total = 0;
  for (const [, n, unit] of raw.matchAll(/(\d+)([wdhms])/gi)) {
    total += Number(n) * UNITS[unit!.toLowerCase()]!;
  }
  return total <= 0xffffffff ? total : undefined;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** Base32hex without padding (RFC 4648 7), either case; undefined if invalid. */
export function fromBase32Hex(text: string): Uint8Array | undefined {
  const rest = text.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = BASE32HEX.indexOf(text[i]!.toLowerCase());
    if (v < 0) return undefined;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Fields of one RDATA: a cursor over its tokens that names the field in every error. */
export class Fields {
  i = 0;
  constructor(
    readonly tokens: readonly Token[],
    /** The type's mnemonic, for messages. */
    readonly what: string,
    /** Line of the record, for errors past the last token. */
    readonly line: number,
    readonly fail: Fail,
    readonly origin: Origin | undefined,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  /** The next token; fails naming `field` if there is none. */
  next(field: string): Token {
    const token = this.tokens[this.i];
    if (token === undefined) this.fail(this.lastLine(), `${this.what}: missing ${field}`);
    this.i++;
    return token;
  }

  /** Every token left (possibly none). */
  rest(): Token[] {
    const out = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return out;
  }

  /** Fails if tokens are left. */
  end(): void {
    const token = this.tokens[this.i];
    if (token !== undefined) {
      this.fail(token.line, `${this.what}: unexpected ${short(token.text)} after the RDATA`);
    }
  }

  lastLine(): number {
    return this.tokens[this.tokens.length - 1]?.line ?? this.line;
  }

  /** Runs `read` on a token, turning a FieldError into a located error about `field`. */
  read<T>(token: Token, field: string, read: (raw: string) => T): T {
    try {
      return read(token.text);
    } catch (e) {
      if (e instanceof FieldError) this.fail(token.line, `${this.what} ${field}: ${e.message}`);
      throw e;
    }
  }

  number(field: string, max: number): number {
    const token = this.next(field);
    const value = decimal(token.text, max);
    if (value === undefined) {
      this.fail(token.line, `${this.what} ${field}: ${short(token.text)} is not a number 0-${max}`);
    }
    return value;
  }

  u8(field: string): number {
    return this.number(field, 0xff);
  }

  u16(field: string): number {
    return this.number(field, 0xffff);
  }

  u32(field: string): number {
    return this.number(field, 0xffffffff);
  }

  /** A TTL-like number of seconds (SOA timers): a number or BIND units. */
  seconds(field: string): number {
    const token = this.next(field);
    const value = ttl(token.text);
    if (value === undefined) {
      this.fail(
        token.line,
        `${this.what} ${field}: ${short(token.text)} is not a number of seconds (like 3600 or 1h)`,
      );
    }
    return value;
  }

  name(field: string): string {
    const token = this.next(field);
    return this.read(token, field, (raw) => domainName(raw, this.origin));
  }

  string(field: string): CharacterString {
    return this.read(this.next(field), field, characterString);
  }

  /** The rest of the tokens as one hex string (at least `min` octets). */
  hex(field: string, min = 0): Uint8Array {
    const tokens = this.rest();
    const text = tokens.map((t) => t.text).join('');
    const line = tokens[0]?.line ?? this.lastLine();
    if (text.length === 0 && min > 0) this.fail(line, `${this.what}: missing ${field}`);
    const bytes = hexBytes(text);
    if (bytes === undefined) {
      this.fail(line, `${this.what} ${field}: ${short(text)} is not an even number of hex digits`);
    }
    return bytes;
  }

  /** One token as hex. */
  hexOf(token: Token, field: string): Uint8Array {
    const bytes = hexBytes(token.text);
    if (bytes === undefined) {
      this.fail(token.line, `${this.what} ${field}: ${short(token.text)} is not hex`);
    }
    return bytes;
  }

  /** The rest of the tokens as one base64 string. */
  base64(field: string): Uint8Array {
    const tokens = this.rest();
    const text = tokens.map((t) => t.text).join('');
    const line = tokens[0]?.line ?? this.lastLine();
    const bytes = base64Bytes(text);
    if (bytes === undefined) this.fail(line, `${this.what} ${field}: ${short(text)} is not base64`);
    return bytes;
  }
}

/** Hex digits, either case, an even number of them; undefined if not (the codec's parser). */
export const hexBytes = fromHex;

export function base64Bytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64');
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

export { short };
