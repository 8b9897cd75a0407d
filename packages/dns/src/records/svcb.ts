/**
 * SVCB and HTTPS (RFC 9460 2.2): SvcPriority, TargetName (written uncompressed; decompressed on
 * decode), then SvcParams as key/length/value with keys in strictly increasing order. Known keys
 * (section 7, 14.3.2) get typed values; other keys stay opaque.
 */
import { SvcParamKey } from '../constants.js';
import { describe } from '../errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../ip.js';
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { type CharacterString, decodeText, writeText } from '../strings.js';
import { array, boolean, bytes, invalid, object, u16, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

/** An SvcParam with a key this codec has no type for (`keyNNNNN`), as opaque octets. */
export interface SvcParamOther {
  key: number;
  value: Uint8Array;
}

/** SvcParams by key; absent keys are absent. Written in key order whatever the property order. */
export interface SvcParams {
  /** Keys that clients must understand (key 0); any order on encode, ascending on decode. */
  mandatory?: number[];
  /** ALPN protocol ids, e.g. `['h3', 'h2']` (key 1). */
  alpn?: CharacterString[];
  /** Present (true) to say the default ALPN is not supported (key 2). */
  noDefaultAlpn?: boolean;
  /** Alternative port (key 3). */
  port?: number;
  ipv4hint?: string[];
  /** ECHConfigList (key 5). */
  ech?: Uint8Array;
  ipv6hint?: string[];
  /** Keys 7-65534 as opaque values: any order on encode, ascending on decode. */
  other?: SvcParamOther[];
}

export interface SvcbData {
  /** 0 is AliasMode; 1-65535 ServiceMode, lower preferred. */
  priority: number;
  /** '.' means the owner name (ServiceMode) or no service (AliasMode). */
  target: string;
  params: SvcParams;
}

function paramsBound(p: SvcParams): number {
  let n = 0;
  if (p.mandatory) n += 4 + 2 * p.mandatory.length;
  if (p.alpn) for (const id of p.alpn) n += 5 + id.length * 3;
  if (p.noDefaultAlpn) n += 4;
  if (p.port !== undefined) n += 6;
  if (p.ipv4hint) n += 4 + 4 * p.ipv4hint.length;
  if (p.ech) n += 4 + p.ech.length;
  if (p.ipv6hint) n += 4 + 16 * p.ipv6hint.length;
  if (p.other) for (const o of p.other) n += 4 + o.value.length;
  return n;
}

function nonEmpty<T>(v: readonly T[], field: string): readonly T[] {
  array(v, field);
  if (v.length === 0) throw invalid(field, 'needs at least one value (RFC 9460 7)');
  return v;
}

function writeParams(w: Writer, p: SvcParams): void {
  object(p, 'data.params');
  if (p.mandatory !== undefined) {
    const keys = nonEmpty(p.mandatory, 'data.params.mandatory');
    const sorted = new Uint16Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      sorted[i] = u16(keys[i], `data.params.mandatory[${i}]`);
    }
    sorted.sort();
    w.u16(SvcParamKey.MANDATORY);
    w.u16(2 * sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      // RFC 9460 8: "This SvcParamKey is always automatically mandatory and MUST NOT appear in
      // its own value-list"; keys appear once, in strictly increasing order.
      if (sorted[i] === 0) throw invalid('data.params.mandatory', 'lists key 0 (mandatory) itself');
      if (i > 0 && sorted[i] === sorted[i - 1]) {
        throw invalid('data.params.mandatory', `lists key ${sorted[i]} twice`);
      }
      w.u16(sorted[i]!);
    }
  }
  if (p.alpn !== undefined) {
    const ids = nonEmpty(p.alpn, 'data.params.alpn');
    w.u16(SvcParamKey.ALPN);
    const at = w.startLength();
    for (let i = 0; i < ids.length; i++) {
      const lengthAt = w.pos;
      w.u8(0);
      const len = writeText(w, ids[i]!, `data.params.alpn[${i}]`);
      if (len < 1 || len > 255)
        throw invalid(`data.params.alpn[${i}]`, `alpn-id of ${len} octets is not 1-255`);
      w.buf[lengthAt] = len;
    }
    w.endLength(at, 'data.params.alpn', 'SvcParamValue');
  }
  if (p.noDefaultAlpn !== undefined && boolean(p.noDefaultAlpn, 'data.params.noDefaultAlpn')) {
    w.u16(SvcParamKey.NO_DEFAULT_ALPN);
    w.u16(0);
  }
  if (p.port !== undefined) {
    w.u16(SvcParamKey.PORT);
    w.u16(2);
    w.u16(u16(p.port, 'data.params.port'));
  }
  if (p.ipv4hint !== undefined) {
    const hints = nonEmpty(p.ipv4hint, 'data.params.ipv4hint');
    w.u16(SvcParamKey.IPV4HINT);
    w.u16(4 * hints.length);
    w.ensure(4 * hints.length);
    for (let i = 0; i < hints.length; i++) {
      const hint = hints[i];
      if (typeof hint !== 'string' || !parseIPv4(hint, w.buf, w.pos)) {
        throw invalid(
          `data.params.ipv4hint[${i}]`,
          `expected an IPv4 address, got ${describe(hint)}`,
        );
      }
      w.pos += 4;
    }
  }
  if (p.ech !== undefined) {
    const ech = bytes(p.ech, 'data.params.ech');
    w.u16(SvcParamKey.ECH);
    w.u16(ech.length);
    w.bytes(ech);
  }
  if (p.ipv6hint !== undefined) {
    const hints = nonEmpty(p.ipv6hint, 'data.params.ipv6hint');
    w.u16(SvcParamKey.IPV6HINT);
    w.u16(16 * hints.length);
    w.ensure(16 * hints.length);
    for (let i = 0; i < hints.length; i++) {
      const hint = hints[i];
      if (typeof hint !== 'string' || !parseIPv6(hint, w.buf, w.pos)) {
        throw invalid(
          `data.params.ipv6hint[${i}]`,
          `expected an IPv6 address, got ${describe(hint)}`,
        );
      }
      w.pos += 16;
    }
  }
  if (p.other !== undefined) {
    array(p.other, 'data.params.other');
    const others = p.other.map((o, i) => {
      object(o, `data.params.other[${i}]`);
      const key = u16(o.key, `data.params.other[${i}].key`);
      if (key <= SvcParamKey.IPV6HINT) {
        throw invalid(`data.params.other[${i}].key`, `key ${key} has its own field in params`);
      }
      if (key === 65535)
        throw invalid(`data.params.other[${i}].key`, 'key 65535 is reserved (invalid key)');
      return { key, value: bytes(o.value, `data.params.other[${i}].value`), i };
    });
    others.sort((x, y) => x.key - y.key);
    for (let k = 0; k < others.length; k++) {
      const o = others[k]!;
      if (k > 0 && o.key === others[k - 1]!.key) {
        throw invalid(`data.params.other[${o.i}].key`, `key ${o.key} appears twice`);
      }
      w.u16(o.key);
      w.u16(o.value.length);
      w.bytes(o.value);
    }
  }
}

/** Reads a list of 4- or 16-octet addresses filling the value; at least one. */
function readHints(r: Reader, size: 4 | 16, what: string): string[] {
  const n = r.limit - r.pos;
  if (n === 0 || n % size !== 0)
    r.fail(`${what}: length ${n} is not a positive multiple of ${size}`);
  const out: string[] = [];
  for (let p = r.pos; p < r.limit; p += size) {
    out.push(size === 4 ? formatIPv4(r.bytes, p) : formatIPv6(r.bytes, p));
  }
  r.pos = r.limit;
  return out;
}

function readParam(r: Reader, key: number, params: SvcParams): void {
  switch (key) {
    case SvcParamKey.MANDATORY: {
      const n = r.limit - r.pos;
      if (n === 0 || n % 2 !== 0)
        r.fail(`SVCB mandatory: length ${n} is not a positive even number`);
      const keys: number[] = [];
      while (r.pos < r.limit) {
        const k = r.u16('SVCB mandatory key');
        if (k === 0) r.fail('SVCB mandatory lists key 0 (mandatory) itself', r.pos - 2);
        if (keys.length > 0 && k <= keys[keys.length - 1]!) {
          r.fail('SVCB mandatory keys are not in strictly increasing order', r.pos - 2);
        }
        keys.push(k);
      }
      params.mandatory = keys;
      return;
    }
    case SvcParamKey.ALPN: {
      if (r.pos === r.limit) r.fail('SVCB alpn is empty');
      const ids: CharacterString[] = [];
      while (r.pos < r.limit) {
        const len = r.u8('SVCB alpn-id length');
        if (len === 0) r.fail('SVCB alpn-id is empty', r.pos - 1);
        r.need(len, 'SVCB alpn-id');
        ids.push(decodeText(r, r.pos, r.pos + len));
        r.pos += len;
      }
      params.alpn = ids;
      return;
    }
    case SvcParamKey.NO_DEFAULT_ALPN:
      if (r.pos !== r.limit) r.fail('SVCB no-default-alpn has a value (it MUST be empty)');
      params.noDefaultAlpn = true;
      return;
    case SvcParamKey.PORT:
      if (r.limit - r.pos !== 2) r.fail(`SVCB port: length ${r.limit - r.pos} is not 2`);
      params.port = r.u16('SVCB port');
      return;
    case SvcParamKey.IPV4HINT:
      params.ipv4hint = readHints(r, 4, 'SVCB ipv4hint');
      return;
    case SvcParamKey.ECH:
      params.ech = r.rest();
      return;
    case SvcParamKey.IPV6HINT:
      params.ipv6hint = readHints(r, 16, 'SVCB ipv6hint');
      return;
    default: {
      if (key === 65535) r.fail('SVCB key 65535 is reserved (invalid key)', r.pos - 4);
      const value = r.rest();
      if (params.other === undefined) params.other = [];
      params.other.push({ key, value });
    }
  }
}

export const svcb: RdataCodec<SvcbData> = {
  bound: (d) => 3 + d.target.length + paramsBound(d.params),
  write(w: Writer, d: SvcbData) {
    object(d, 'data');
    w.u16(u16(d.priority, 'data.priority'));
    writeName(w, d.target, false, 'data.target');
    writeParams(w, d.params);
  },
  read(r: Reader): SvcbData {
    const priority = r.u16('SVCB SvcPriority');
    const target = readName(r, 'SVCB TargetName');
    const params: SvcParams = {};
    const end = r.limit;
    let last = -1;
    while (r.pos < end) {
      const at = r.pos;
      const key = r.u16('SvcParamKey');
      const len = r.u16('SvcParam length');
      // RFC 9460 2.2: malformed if "SvcParamKeys are not in strictly increasing numeric order".
      if (key <= last) r.fail(`SvcParamKey ${key} is not after key ${last}`, at);
      r.need(len, `SvcParamValue of key ${key}`);
      r.limit = r.pos + len;
      readParam(r, key, params);
      r.limit = end;
      last = key;
    }
    return { priority, target, params };
  },
};
