/**
 * Presentation format, as dig prints it: `recordToText` gives a zone-file line
 * (`example.com.\t300\tIN\tMX\t10 mail.example.com.`), `rdataToText` just the RDATA as
 * `dig +short` shows it. Long base64 and hex fields are split into 56-character words like dig's
 * default (+split=56); RFC 3597 `\# LEN HEX` for types without a presentation format here.
 */
import {
  classToString,
  EdnsOptionCode,
  EXTENDED_ERROR_NAMES,
  RecordType,
  typeToString,
} from './constants.js';
import { toBase32Hex, toBase64, toHex } from './encoding.js';
import { rdata } from './records/index.js';
import type { EdnsOption, OptData } from './records/opt.js';
import type { SvcParams } from './records/svcb.js';
import { type CharacterString, textOctets } from './strings.js';
import type { OptRecord, Question, ResourceRecord } from './types.js';

export interface TextOptions {
  /** Split base64 and hex fields into words of this many characters; 0 for none. Default 56. */
  split?: number;
}

/** A name as presentation text: absolute, with the trailing dot. */
function fqdn(name: string): string {
  return name === '.' ? '.' : `${name}.`;
}

/** A <character-string> in double quotes, escaped as BIND does: `\"`, `\\`, `\DDD`. */
export function quote(value: CharacterString): string {
  if (typeof value === 'string') {
    let plain = true;
    for (let i = 0; i < value.length && plain; i++) {
      const c = value.charCodeAt(i);
      plain = c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c;
    }
    if (plain) return `"${value}"`;
  }
  return `"${escapeOctets(textOctets(value))}"`;
}

/** Octets as quoted-string content. */
function escapeOctets(b: Uint8Array): string {
  let out = '';
  for (const c of b) {
    if (c < 0x20 || c >= 0x7f) out += `\\${String(c).padStart(3, '0')}`;
    else if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

function words(text: string, split: number): string {
  if (split <= 0 || text.length <= split) return text;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += split) parts.push(text.slice(i, i + split));
  return parts.join(' ');
}

function typeList(types: readonly number[]): string {
  return types.map(typeToString).join(' ');
}

/** RRSIG times as YYYYMMDDHHmmSS in UTC (RFC 4034 3.2). */
function timestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const SVC_KEY_NAMES = [
  'mandatory',
  'alpn',
  'no-default-alpn',
  'port',
  'ipv4hint',
  'ech',
  'ipv6hint',
];

function svcKey(key: number): string {
  return SVC_KEY_NAMES[key] ?? `key${key}`;
}

/** SvcParams as RFC 9460 2.1 presentation, keys ascending. */
function svcParams(p: SvcParams): string {
  const out: string[] = [];
  if (p.mandatory) out.push(`mandatory=${p.mandatory.map(svcKey).join(',')}`);
  if (p.alpn) {
    // Two levels of escaping (RFC 9460 Appendix A.1): ',' and '\' in an alpn-id are escaped for
    // the value list, then the list is a quoted <character-string>: "f\\\\oo\\,bar,h2".
    const list = p.alpn.map((id) => {
      const escaped: number[] = [];
      for (const c of textOctets(id)) {
        if (c === 0x2c || c === 0x5c) escaped.push(0x5c);
        escaped.push(c);
      }
      return escapeOctets(Uint8Array.from(escaped));
    });
    out.push(`alpn="${list.join(',')}"`);
  }
  if (p.noDefaultAlpn) out.push('no-default-alpn');
  if (p.port !== undefined) out.push(`port=${p.port}`);
  if (p.ipv4hint) out.push(`ipv4hint=${p.ipv4hint.join(',')}`);
  if (p.ech) out.push(`ech=${toBase64(p.ech)}`);
  if (p.ipv6hint) out.push(`ipv6hint=${p.ipv6hint.join(',')}`);
  for (const o of p.other ?? []) {
    out.push(o.value.length === 0 ? svcKey(o.key) : `${svcKey(o.key)}=${quote(o.value)}`);
  }
  return out.join(' ');
}

function generic(record: ResourceRecord, split: number): string {
  const encoded = (
    record.type === RecordType.OPT
      ? rdata.opt.encode((record as OptRecord).data.options)
      : rdata.unknown.encode(record.data as Uint8Array)
  ).subarray(2);
  return encoded.length === 0 ? '\\# 0' : `\\# ${encoded.length} ${words(toHex(encoded), split)}`;
}

/** The RDATA of a record as `dig +short` prints it. */
export function rdataToText(record: ResourceRecord, options: TextOptions = {}): string {
  const split = options.split ?? 56;
  switch (record.type) {
    case RecordType.A:
    case RecordType.AAAA:
      return record.data as string;
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR:
    case RecordType.DNAME:
      return fqdn(record.data as string);
    case RecordType.SOA: {
      const d = (record as Extract<ResourceRecord, { type: 6 }>).data;
      return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case RecordType.MX: {
      const d = (record as Extract<ResourceRecord, { type: 15 }>).data;
      return `${d.preference} ${fqdn(d.exchange)}`;
    }
    case RecordType.TXT:
      return (record as Extract<ResourceRecord, { type: 16 }>).data.map(quote).join(' ');
    case RecordType.HINFO: {
      const d = (record as Extract<ResourceRecord, { type: 13 }>).data;
      return `${quote(d.cpu)} ${quote(d.os)}`;
    }
    case RecordType.SRV: {
      const d = (record as Extract<ResourceRecord, { type: 33 }>).data;
      return `${d.priority} ${d.weight} ${d.port} ${fqdn(d.target)}`;
    }
    case RecordType.NAPTR: {
      const d = (record as Extract<ResourceRecord, { type: 35 }>).data;
      return `${d.order} ${d.preference} ${quote(d.flags)} ${quote(d.services)} ${quote(d.regexp)} ${fqdn(d.replacement)}`;
    }
    case RecordType.CAA: {
      const d = (record as Extract<ResourceRecord, { type: 257 }>).data;
      return `${d.flags} ${d.tag} ${quote(d.value)}`;
    }
    case RecordType.DS: {
      const d = (record as Extract<ResourceRecord, { type: 43 }>).data;
      return `${d.keyTag} ${d.algorithm} ${d.digestType} ${words(toHex(d.digest), split)}`;
    }
    case RecordType.DNSKEY: {
      const d = (record as Extract<ResourceRecord, { type: 48 }>).data;
      return `${d.flags} ${d.protocol} ${d.algorithm} ${words(toBase64(d.publicKey), split)}`;
    }
    case RecordType.RRSIG: {
      const d = (record as Extract<ResourceRecord, { type: 46 }>).data;
      return [
        typeToString(d.typeCovered),
        d.algorithm,
        d.labels,
        d.originalTtl,
        timestamp(d.expiration),
        timestamp(d.inception),
        d.keyTag,
        fqdn(d.signerName),
        words(toBase64(d.signature), split),
      ].join(' ');
    }
    case RecordType.NSEC: {
      const d = (record as Extract<ResourceRecord, { type: 47 }>).data;
      return d.types.length === 0
        ? fqdn(d.nextDomainName)
        : `${fqdn(d.nextDomainName)} ${typeList(d.types)}`;
    }
    case RecordType.NSEC3: {
      const d = (record as Extract<ResourceRecord, { type: 50 }>).data;
      const salt = d.salt.length === 0 ? '-' : toHex(d.salt);
      const head = `${d.hashAlgorithm} ${d.flags} ${d.iterations} ${salt} ${toBase32Hex(d.nextHashedOwnerName)}`;
      return d.types.length === 0 ? head : `${head} ${typeList(d.types)}`;
    }
    case RecordType.TLSA: {
      const d = (record as Extract<ResourceRecord, { type: 52 }>).data;
      return `${d.usage} ${d.selector} ${d.matchingType} ${words(toHex(d.associationData), split)}`;
    }
    case RecordType.SSHFP: {
      const d = (record as Extract<ResourceRecord, { type: 44 }>).data;
      return `${d.algorithm} ${d.fingerprintType} ${words(toHex(d.fingerprint), split)}`;
    }
    case RecordType.SVCB:
    case RecordType.HTTPS: {
      const d = (record as Extract<ResourceRecord, { type: 64 }>).data;
      const params = svcParams(d.params);
      return params
        ? `${d.priority} ${fqdn(d.target)} ${params}`
        : `${d.priority} ${fqdn(d.target)}`;
    }
    default:
      return generic(record, split);
  }
}

/** A record as one zone-file line: owner, TTL, class, type, RDATA, tab-separated. */
export function recordToText(record: ResourceRecord, options: TextOptions = {}): string {
  if (record.type === RecordType.OPT) return optToText((record as OptRecord).data);
  const r = record as Exclude<ResourceRecord, OptRecord>;
  return `${fqdn(r.name)}\t${r.ttl}\t${classToString(r.class)}\t${typeToString(r.type)}\t${rdataToText(r, options)}`;
}

/** A question as dig prints it in the QUESTION SECTION. */
export function questionToText(question: Question): string {
  return `;${fqdn(question.name)}\t\t${classToString(question.class)}\t${typeToString(question.type)}`;
}

const OPTION_NAMES: Record<number, string> = {
  1: 'LLQ',
  3: 'NSID',
  9: 'EXPIRE',
  11: 'TCP-KEEPALIVE',
  14: 'KEY-TAG',
  16: 'CLIENT-TAG',
  17: 'SERVER-TAG',
};

function hexBytes(b: Uint8Array): string {
  let out = '';
  for (const c of b) out += `${c.toString(16).padStart(2, '0')} `;
  return out;
}

function printable(b: Uint8Array): string {
  let out = '';
  for (const c of b) out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return out;
}

function optionToText(o: EdnsOption): string {
  switch (o.code) {
    case EdnsOptionCode.CLIENT_SUBNET: {
      const e = o as Extract<EdnsOption, { code: 8 }>;
      return `; CLIENT-SUBNET: ${e.address}/${e.sourcePrefixLength}/${e.scopePrefixLength}`;
    }
    case EdnsOptionCode.COOKIE: {
      const c = o as Extract<EdnsOption, { code: 10 }>;
      return `; COOKIE: ${toHex(c.client).toLowerCase()}${c.server ? toHex(c.server).toLowerCase() : ''}`;
    }
    case EdnsOptionCode.PADDING: {
      const zeros = new Uint8Array((o as Extract<EdnsOption, { code: 12 }>).length);
      return zeros.length === 0 ? '; PAD' : `; PAD: ${hexBytes(zeros)}("${printable(zeros)}")`;
    }
    case EdnsOptionCode.EXTENDED_ERROR: {
      const e = o as Extract<EdnsOption, { code: 15 }>;
      const name = EXTENDED_ERROR_NAMES[e.infoCode];
      let out = `; EDE: ${e.infoCode}${name ? ` (${name})` : ''}`;
      if (e.extraText !== undefined) {
        out +=
          typeof e.extraText === 'string'
            ? `: (${e.extraText.replace(/[\x00-\x1f\x7f]/g, '.')})`
            : `: ${hexBytes(e.extraText)}(${printable(e.extraText)})`;
      }
      return out;
    }
    default: {
      const u = o as Extract<EdnsOption, { data: Uint8Array }>;
      const head = `; ${OPTION_NAMES[u.code] ?? `OPT=${u.code}`}`;
      return u.data.length === 0 ? head : `${head}: ${hexBytes(u.data)}("${printable(u.data)}")`;
    }
  }
}

/** The OPT record as dig's OPT PSEUDOSECTION (one line per option). */
function optToText(d: OptData): string {
  const z = d.z ? `; MBZ: 0x${d.z.toString(16).padStart(4, '0')}, udp: ` : '; udp: ';
  const lines = [
    `; EDNS: version: ${d.version}, flags:${d.dnssecOk ? ' do' : ''}${z}${d.udpPayloadSize}`,
  ];
  for (const o of d.options) lines.push(optionToText(o));
  return lines.join('\n');
}
