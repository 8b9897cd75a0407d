/**
 * RDATA presentation format -> the codec's data, per type: the inverse of `rdataToText`
 * (text.ts), accepting what master files write besides (relative names, unquoted strings, hex
 * and base64 split over words, BIND's TTL units in SOA timers, algorithm mnemonics, RRSIG times
 * as numbers, RFC 3597 `\# LENGTH HEX` for any type).
 */
import { RecordType, SvcParamKey, typeFromString, typeToString } from '../constants.js';
import { latin1 as latin1Slice } from '../encoding.js';
import { DnsError } from '../errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../ip.js';
import { coder, type RdataCoder } from '../records/codec.js';
import type { DnskeyData, DsData, Nsec3Data, NsecData, RrsigData } from '../records/dnssec.js';
import { codecFor, isKnownType } from '../records/index.js';
import type { SvcbData, SvcParams } from '../records/svcb.js';
import type { CharacterString } from '../strings.js';
import type { ResourceRecord } from '../types.js';
import {
  base64Bytes,
  characterString,
  decimal,
  FieldError,
  type Fields,
  fromBase32Hex,
  short,
  stringOctets,
  toCharacterString,
} from './fields.js';
import type { Token } from './lexer.js';

type Data = ResourceRecord['data'];

/** DNSSEC algorithm mnemonics (RFC 4034 A.1 and the IANA registry) accepted for numbers. */
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1,
  DH: 2,
  DSA: 3,
  RSASHA1: 5,
  'DSA-NSEC3-SHA1': 6,
  'RSASHA1-NSEC3-SHA1': 7,
  RSASHA256: 8,
  RSASHA512: 10,
  'ECC-GOST': 12,
  ECDSAP256SHA256: 13,
  ECDSAP384SHA384: 14,
  ED25519: 15,
  ED448: 16,
  INDIRECT: 252,
  PRIVATEDNS: 253,
  PRIVATEOID: 254,
};

function algorithm(f: Fields): number {
  const token = f.peek();
  if (token !== undefined) {
    const named = ALGORITHMS[token.text.toUpperCase()];
    if (named !== undefined) {
      f.i++;
      return named;
    }
  }
  return f.u8('algorithm');
}

function address(f: Fields, v6: boolean): string {
  const token = f.next('address');
  const buf = new Uint8Array(16);
  const ok = v6 ? parseIPv6(token.text, buf, 0) : parseIPv4(token.text, buf, 0);
  if (!ok) {
    f.fail(token.line, `${f.what}: ${short(token.text)} is not an IPv${v6 ? 6 : 4} address`);
  }
  return v6 ? formatIPv6(buf, 0) : formatIPv4(buf, 0);
}

function typeField(f: Fields, token: Token, field: string): number {
  const value = typeFromString(token.text);
  if (value === undefined)
    f.fail(token.line, `${f.what} ${field}: unknown type ${short(token.text)}`);
  return value;
}

function typeList(f: Fields): number[] {
  const types = f.rest().map((t) => typeField(f, t, 'type bitmap'));
  return [...new Set(types)].sort((a, b) => a - b);
}

/** RRSIG times (RFC 4034 3.2): YYYYMMDDHHmmSS in UTC, or seconds; modulo 2^32 (3.1.5). */
function sigTime(raw: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(raw);
  if (m === null) return raw.length < 14 ? decimal(raw, 0xffffffff) : undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return (ms / 1000) % 2 ** 32;
}

function time(f: Fields, field: string): number {
  const token = f.next(field);
  const value = sigTime(token.text);
  if (value === undefined) {
    f.fail(
      token.line,
      `${f.what} ${field}: ${short(token.text)} is not YYYYMMDDHHmmSS or a number`,
    );
  }
  return value;
}

const SVC_KEYS: Record<string, number> = {
  mandatory: SvcParamKey.MANDATORY,
  alpn: SvcParamKey.ALPN,
  'no-default-alpn': SvcParamKey.NO_DEFAULT_ALPN,
  port: SvcParamKey.PORT,
  ipv4hint: SvcParamKey.IPV4HINT,
  ech: SvcParamKey.ECH,
  ipv6hint: SvcParamKey.IPV6HINT,
  // Later keys whose value is its octets as written, read as opaque like any keyNNNNN (as text.ts
  // prints them): dohpath (RFC 9461 5), ohttp (RFC 9540 4, no value).
  dohpath: 7,
  ohttp: 8,
};

/** A SvcParamKey by name (RFC 9460 14.3.2) or as keyNNNNN (2.1). */
function svcKey(name: string): number {
  const named = SVC_KEYS[name];
  if (named !== undefined) return named;
  const m = /^key(\d{1,5})$/.exec(name);
  const value = m ? Number(m[1]) : -1;
  if (value < 0 || value > 65535) throw new FieldError(`unknown SvcParamKey ${short(name)}`);
  if (value === 65535) throw new FieldError('key65535 is reserved (the "Invalid key")');
  return value;
}

/**
 * A value-list (RFC 9460 A.1): the octets of the value (escapes of the <character-string>
 * already resolved) split at commas, where `\,` is a comma and `\\` a backslash in an item.
 */
function valueList(octets: readonly number[]): number[][] {
  const items: number[][] = [];
  let item: number[] = [];
  for (let i = 0; i < octets.length; i++) {
    const c = octets[i]!;
    if (c === 0x5c) {
      if (i + 1 >= octets.length) throw new FieldError('value list ends in a lone backslash');
      item.push(octets[++i]!);
    } else if (c === 0x2c) {
      items.push(item);
      item = [];
    } else {
      item.push(c);
    }
  }
  items.push(item);
  if (items.some((x) => x.length === 0)) throw new FieldError('value list has an empty item');
  return items;
}

function latin1(octets: readonly number[]): string {
  const bytes = Uint8Array.from(octets);
  return latin1Slice(bytes, 0, bytes.length);
}

function hints(items: number[][], v6: boolean): string[] {
  const buf = new Uint8Array(16);
  return items.map((item) => {
    const text = latin1(item);
    if (!(v6 ? parseIPv6(text, buf, 0) : parseIPv4(text, buf, 0))) {
      throw new FieldError(`${short(text)} is not an IPv${v6 ? 6 : 4} address`);
    }
    return v6 ? formatIPv6(buf, 0) : formatIPv4(buf, 0);
  });
}

/** One SvcParam `key=value` (or `key`) into `params`; returns its key. */
function svcParam(raw: string, params: SvcParams): number {
  const eq = raw.indexOf('=');
  const name = eq < 0 ? raw : raw.slice(0, eq);
  const key = svcKey(name);
  const value = eq < 0 ? undefined : stringOctets(raw.slice(eq + 1));
  const need = (): number[] => {
    if (value === undefined || value.length === 0) throw new FieldError(`${name} needs a value`);
    return value;
  };
  switch (key) {
    case SvcParamKey.MANDATORY: {
      const keys = valueList(need()).map((item) => svcKey(latin1(item)));
      if (keys.includes(SvcParamKey.MANDATORY)) {
        throw new FieldError('mandatory lists mandatory itself (RFC 9460 8)');
      }
      const sorted = keys.sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i] === sorted[i - 1])
          throw new FieldError(`mandatory lists key${sorted[i]} twice`);
      }
      params.mandatory = sorted;
      break;
    }
    case SvcParamKey.ALPN:
      params.alpn = valueList(need()).map((item): CharacterString => {
        if (item.length > 255) throw new FieldError(`alpn-id of ${item.length} octets is over 255`);
        return toCharacterString(item);
      });
      break;
    case SvcParamKey.NO_DEFAULT_ALPN:
      if (value !== undefined && value.length > 0) {
        throw new FieldError('no-default-alpn takes no value (RFC 9460 7.1.1)');
      }
      params.noDefaultAlpn = true;
      break;
    case SvcParamKey.PORT: {
      const port = decimal(latin1(need()), 0xffff);
      if (port === undefined) throw new FieldError(`port ${short(latin1(need()))} is not 0-65535`);
      params.port = port;
      break;
    }
    case SvcParamKey.IPV4HINT:
      params.ipv4hint = hints(valueList(need()), false);
      break;
    case SvcParamKey.ECH: {
      const ech = base64Bytes(latin1(value ?? []));
      if (ech === undefined)
        throw new FieldError(`ech ${short(latin1(value ?? []))} is not base64`);
      params.ech = ech;
      break;
    }
    case SvcParamKey.IPV6HINT:
      params.ipv6hint = hints(valueList(need()), true);
      break;
    default:
      if (params.other === undefined) params.other = [];
      params.other.push({ key, value: Uint8Array.from(value ?? []) });
  }
  return key;
}

function hasKey(params: SvcParams, key: number): boolean {
  switch (key) {
    case SvcParamKey.ALPN:
      return params.alpn !== undefined;
    case SvcParamKey.NO_DEFAULT_ALPN:
      return params.noDefaultAlpn === true;
    case SvcParamKey.PORT:
      return params.port !== undefined;
    case SvcParamKey.IPV4HINT:
      return params.ipv4hint !== undefined;
    case SvcParamKey.ECH:
      return params.ech !== undefined;
    case SvcParamKey.IPV6HINT:
      return params.ipv6hint !== undefined;
    default:
      return params.other?.some((o) => o.key === key) ?? false;
  }
}

/** SVCB and HTTPS (RFC 9460 2.1): priority, target, then SvcParams in any order. */
function svcb(f: Fields): SvcbData {
  const priority = f.u16('SvcPriority');
  const target = f.name('TargetName');
  const params: SvcParams = {};
  const seen = new Set<number>();
  for (const token of f.rest()) {
    const key = f.read(token, 'SvcParam', (raw) => svcParam(raw, params));
    if (seen.has(key)) f.fail(token.line, `${f.what}: SvcParamKey key${key} appears twice`);
    seen.add(key);
  }
  params.other?.sort((a, b) => a.key - b.key);
  // RFC 9460 8: "... MUST be rejected if ... any of the keys listed are not present".
  for (const key of params.mandatory ?? []) {
    if (!hasKey(params, key)) {
      f.fail(f.line, `${f.what}: mandatory lists key${key}, which is not present`);
    }
  }
  return { priority, target, params };
}

/** The RDATA of a known type in its presentation form. */
function typed(type: number, f: Fields): Data {
  switch (type) {
    case RecordType.A:
      return address(f, false);
    case RecordType.AAAA:
      return address(f, true);
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR:
    case RecordType.DNAME:
      return f.name('name');
    case RecordType.SOA:
      return {
        mname: f.name('MNAME'),
        rname: f.name('RNAME'),
        serial: f.u32('SERIAL'),
        refresh: f.seconds('REFRESH'),
        retry: f.seconds('RETRY'),
        expire: f.seconds('EXPIRE'),
        minimum: f.seconds('MINIMUM'),
      };
    case RecordType.MX:
      return { preference: f.u16('preference'), exchange: f.name('exchange') };
    case RecordType.TXT: {
      const strings = f.rest().map((t) => f.read(t, 'string', characterString));
      if (strings.length === 0) f.fail(f.line, 'TXT: needs at least one string');
      return strings;
    }
    case RecordType.HINFO:
      return { cpu: f.string('CPU'), os: f.string('OS') };
    case RecordType.SRV:
      return {
        priority: f.u16('priority'),
        weight: f.u16('weight'),
        port: f.u16('port'),
        target: f.name('target'),
      };
    case RecordType.NAPTR:
      return {
        order: f.u16('order'),
        preference: f.u16('preference'),
        flags: f.string('flags'),
        services: f.string('services'),
        regexp: f.string('regexp'),
        replacement: f.name('replacement'),
      };
    case RecordType.CAA: {
      const flags = f.u8('flags');
      const tagToken = f.next('tag');
      if (!/^[A-Za-z0-9]{1,255}$/.test(tagToken.text)) {
        f.fail(tagToken.line, `CAA tag: ${short(tagToken.text)} is not 1-255 letters and digits`);
      }
      const value = f.read(f.next('value'), 'value', (raw) => toCharacterString(stringOctets(raw)));
      return { flags, tag: tagToken.text, value };
    }
    case RecordType.DS: {
      const d: DsData = {
        keyTag: f.u16('key tag'),
        algorithm: algorithm(f),
        digestType: f.u8('digest type'),
        digest: f.hex('digest'),
      };
      return d;
    }
    case RecordType.DNSKEY: {
      const d: DnskeyData = {
        flags: f.u16('flags'),
        protocol: f.u8('protocol'),
        algorithm: algorithm(f),
        publicKey: f.base64('public key'),
      };
      return d;
    }
    case RecordType.RRSIG: {
      const d: RrsigData = {
        typeCovered: typeField(f, f.next('type covered'), 'type covered'),
        algorithm: algorithm(f),
        labels: f.u8('labels'),
        originalTtl: f.u32('original TTL'),
        expiration: time(f, 'expiration'),
        inception: time(f, 'inception'),
        keyTag: f.u16('key tag'),
        signerName: f.name("signer's name"),
        signature: f.base64('signature'),
      };
      return d;
    }
    case RecordType.NSEC: {
      const d: NsecData = { nextDomainName: f.name('next domain name'), types: typeList(f) };
      return d;
    }
    case RecordType.NSEC3: {
      const hashAlgorithm = f.u8('hash algorithm');
      const flags = f.u8('flags');
      const iterations = f.u16('iterations');
      const saltToken = f.next('salt');
      const salt = saltToken.text === '-' ? new Uint8Array(0) : f.hexOf(saltToken, 'salt');
      if (salt.length > 255) f.fail(saltToken.line, 'NSEC3 salt: longer than 255 octets');
      const hashToken = f.next('next hashed owner name');
      const hash = fromBase32Hex(hashToken.text);
      if (hash === undefined || hash.length === 0) {
        f.fail(
          hashToken.line,
          `NSEC3 next hashed owner name: ${short(hashToken.text)} is not base32hex`,
        );
      }
      const d: Nsec3Data = {
        hashAlgorithm,
        flags,
        iterations,
        salt,
        nextHashedOwnerName: hash,
        types: typeList(f),
      };
      return d;
    }
    case RecordType.TLSA:
      return {
        usage: f.u8('usage'),
        selector: f.u8('selector'),
        matchingType: f.u8('matching type'),
        associationData: f.hex('certificate association data'),
      };
    case RecordType.SSHFP:
      return {
        algorithm: f.u8('algorithm'),
        fingerprintType: f.u8('fingerprint type'),
        fingerprint: f.hex('fingerprint'),
      };
    case RecordType.SVCB:
    case RecordType.HTTPS:
      return svcb(f);
    default:
      return f.fail(
        f.line,
        `${f.what} has no presentation format here: write its RDATA as \\# LENGTH HEX (RFC 3597)`,
      );
  }
}

const coders = new Map<number, RdataCoder<unknown>>();

function coderFor(type: number): RdataCoder<unknown> {
  let c = coders.get(type);
  if (c === undefined) {
    c = coder(codecFor(type), typeToString(type));
    coders.set(type, c);
  }
  return c;
}

/** RFC 3597 5: `\# LENGTH HEX...`; decoded into the type's data when the codec knows it. */
function generic(type: number, f: Fields): Data {
  f.next('\\#');
  const length = f.u16('RDATA length');
  const first = f.peek();
  const bytes = f.hex('RDATA');
  if (bytes.length !== length) {
    f.fail(
      first?.line ?? f.line,
      `${f.what}: \\# says ${length} octets but ${bytes.length} follow`,
    );
  }
  if (!isKnownType(type)) return bytes;
  const framed = new Uint8Array(length + 2);
  framed[0] = length >> 8;
  framed[1] = length & 0xff;
  framed.set(bytes, 2);
  const c = coderFor(type);
  let data: Data;
  try {
    data = c.decode(framed) as Data;
  } catch (e) {
    if (e instanceof DnsError) {
      return f.fail(
        first?.line ?? f.line,
        `${f.what}: \\# data is not a valid RDATA: ${e.message}`,
      );
    }
    throw e;
  }
  // A compression pointer would point into nothing here: the data must encode back as it is.
  if (!equal(c.encode(data), framed)) {
    f.fail(
      first?.line ?? f.line,
      `${f.what}: \\# data is not a valid RDATA: it does not encode back to the same octets (a compression pointer?)`,
    );
  }
  return data;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The RDATA in `f` as the codec's data for `type`, checked by the codec's encoder (so that what
 * parses also encodes).
 */
export function readRdata(type: number, f: Fields): Data {
  if (type === RecordType.OPT) {
    f.fail(f.line, 'OPT is a pseudo-record of messages and cannot appear in presentation format');
  }
  const data = f.peek()?.text === '\\#' ? generic(type, f) : typed(type, f);
  f.end();
  try {
    coderFor(type).encode(data);
  } catch (e) {
    if (e instanceof DnsError) f.fail(f.line, `${f.what}: ${e.message}`);
    throw e;
  }
  return data;
}
