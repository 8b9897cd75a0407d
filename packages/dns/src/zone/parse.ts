/**
 * Master files (RFC 1035 5): `parseZone` reads zone-file text into records in the codec's shape
 * (the records `decode` would give for the same data), and `parseRdata` reads the RDATA of one
 * record, the inverse of `rdataToText`.
 *
 * Supported: `$ORIGIN`, `$TTL` (RFC 2308 4), comments, parentheses over several lines, quoted
 * strings with `\"`, `\X` and `\DDD` escapes, `@`, relative names, a blank owner field
 * (the previous owner), TTL and class in either order and each optional, TTLs as seconds or
 * BIND's units (`1h30m`, `1w`), every type the codec has a presentation format for, and RFC 3597
 * `TYPE123`, `CLASS3` and `\# LENGTH HEX` for any type. Not supported: `$INCLUDE`, `$GENERATE`.
 */
import {
  classFromString,
  RecordClass,
  RecordType,
  typeFromString,
  typeToString,
} from '../constants.js';
import type { OptRecord, ResourceRecord } from '../types.js';
import { DnsZoneError } from './errors.js';
import { domainName, FieldError, Fields, type Origin, short, toOrigin, ttl } from './fields.js';
import { type Fail, lex, type Token } from './lexer.js';
import { readRdata } from './rdata-text.js';

export interface ZoneOptions {
  /**
   * The origin that `@` and relative names are completed with until a `$ORIGIN` line changes it
   * (`example.com` or `example.com.`, always taken as absolute). Without it and without
   * `$ORIGIN`, relative names are an error.
   */
  origin?: string;
  /**
   * TTL of records written without one, until a `$TTL` line (RFC 2308 4) sets another. Without
   * either, a record without a TTL takes that of the last record that had one (RFC 1035 5.1),
   * or 3600 if none had.
   */
  defaultTtl?: number;
  /** Named in error messages (`fileName:line: ...`). */
  fileName?: string;
}

/** A record of a zone: any but the OPT pseudo-record, so `ttl` and `class` are always there. */
export type ZoneRecord = Exclude<ResourceRecord, OptRecord>;

const DEFAULT_TTL = 3600;

function makeFail(fileName: string | undefined): Fail {
  return (line, reason) => {
    throw new DnsZoneError(reason, line, fileName);
  };
}

function optionOrigin(origin: string, fail: Fail): Origin {
  try {
    return toOrigin(domainName(origin, { name: '.', wire: 1 }));
  } catch (e) {
    if (e instanceof FieldError) fail(0, `options.origin: ${e.message}`);
    throw e;
  }
}

function nameOf(token: Token, origin: Origin | undefined, fail: Fail, what: string): string {
  try {
    return domainName(token.text, origin);
  } catch (e) {
    if (e instanceof FieldError) fail(token.line, `${what}: ${e.message}`);
    throw e;
  }
}

/** Meta and query types (RFC 6895 3.1: 128-255, and OPT) are never records of a zone. */
function isMetaType(type: number): boolean {
  return type === RecordType.OPT || (type >= 128 && type <= 255);
}

/**
 * Reads a master file into records, in file order. Names are absolute, in the codec's text form
 * (no trailing dot, escapes as name.ts prints them, case kept), strings and addresses as `decode`
 * gives them. Throws DnsZoneError (code ERR_DNS_ZONE) naming the line and what is wrong.
 */
export function parseZone(text: string, options: ZoneOptions = {}): ZoneRecord[] {
  const fileName = options.fileName;
  const fail: Fail = makeFail(fileName);
  let origin = options.origin === undefined ? undefined : optionOrigin(options.origin, fail);
  let defaultTtl = options.defaultTtl;
  if (
    defaultTtl !== undefined &&
    !(Number.isInteger(defaultTtl) && defaultTtl >= 0 && defaultTtl <= 0xffffffff)
  ) {
    fail(0, `options.defaultTtl: ${defaultTtl} is not a TTL (an integer 0..2^32-1)`);
  }
  let lastTtl: number | undefined;
  let lastClass: number = RecordClass.IN;
  let lastOwner: string | undefined;
  const records: ZoneRecord[] = [];

  // A byte-order mark is not part of the first owner name.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const entry of lex(body, fail)) {
    const tokens = entry.tokens;
    const first = tokens[0]!;
    if (!entry.blankOwner && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const arg = tokens[1];
      if (directive === '$ORIGIN' || directive === '$TTL') {
        if (arg === undefined) fail(first.line, `${directive} needs a value`);
        if (tokens.length > 2) {
          fail(tokens[2]!.line, `${directive}: unexpected ${short(tokens[2]!.text)}`);
        }
        if (directive === '$ORIGIN') {
          origin = toOrigin(nameOf(arg, origin, fail, '$ORIGIN'));
        } else {
          const value = ttl(arg.text);
          if (value === undefined) {
            fail(arg.line, `$TTL: ${short(arg.text)} is not a TTL (like 3600 or 1h)`);
          }
          defaultTtl = value;
        }
      } else if (directive === '$INCLUDE' || directive === '$GENERATE') {
        fail(first.line, `${directive} is not supported`);
      } else {
        fail(first.line, `unknown directive ${short(first.text)}`);
      }
      continue;
    }

    let owner: string;
    let i = 0;
    if (entry.blankOwner) {
      if (lastOwner === undefined) {
        fail(entry.line, 'the line starts with a blank but there is no previous owner name');
      }
      owner = lastOwner;
    } else {
      owner = nameOf(first, origin, fail, 'owner');
      i = 1;
    }

    let recordTtl: number | undefined;
    let recordClass: number | undefined;
    let typeToken: Token | undefined;
    for (;;) {
      typeToken = tokens[i];
      if (typeToken === undefined) fail(tokens[i - 1]!.line, 'missing the record type');
      i++;
      if (recordClass === undefined) {
        recordClass = classFromString(typeToken.text);
        if (recordClass !== undefined) continue;
      }
      if (recordTtl === undefined) {
        recordTtl = ttl(typeToken.text);
        if (recordTtl !== undefined) continue;
      }
      break;
    }
    const type = typeFromString(typeToken.text);
    if (type === undefined) {
      fail(
        typeToken.line,
        /^\d/.test(typeToken.text)
          ? `${short(typeToken.text)} is not a TTL (like 3600 or 1h)`
          : `unknown type ${short(typeToken.text)}`,
      );
    }
    const mnemonic = typeToString(type);
    if (isMetaType(type)) fail(typeToken.line, `${mnemonic} is not a type of record a zone holds`);

    if (recordTtl !== undefined) lastTtl = recordTtl;
    else recordTtl = defaultTtl ?? lastTtl ?? DEFAULT_TTL;
    if (recordClass !== undefined) lastClass = recordClass;
    else recordClass = lastClass;

    const fields = new Fields(tokens.slice(i), mnemonic, typeToken.line, fail, origin);
    const data = readRdata(type, fields);
    records.push({ name: owner, type, class: recordClass, ttl: recordTtl, data } as ZoneRecord);
    lastOwner = owner;
  }
  return records;
}

/**
 * Reads the RDATA of one record of type `type` from its presentation text (as `rdataToText`
 * prints it, or as a zone file writes it; newlines are blanks here). Relative names need
 * `origin`. Throws DnsZoneError.
 */
export function parseRdata(type: number, text: string, origin?: string): ResourceRecord['data'] {
  const fail: Fail = makeFail(undefined);
  if (!(Number.isInteger(type) && type >= 0 && type <= 0xffff)) {
    fail(1, `type ${type} is not a TYPE (an integer 0..65535)`);
  }
  const tokens = lex(text, fail).flatMap((entry) => entry.tokens);
  const o = origin === undefined ? undefined : optionOrigin(origin, fail);
  return readRdata(type, new Fields(tokens, typeToString(type), 1, fail, o));
}
