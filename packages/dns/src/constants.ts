/**
 * Numbers of the DNS registries (IANA "Domain Name System (DNS) Parameters") and their
 * mnemonics: record types, classes, opcodes, rcodes, EDNS option codes, SvcParamKeys.
 */

/** Resource record TYPE values (RFC 1035 3.2.2 and the IANA registry). `RecordType.A === 1`. */
export const RecordType = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  X25: 19,
  ISDN: 20,
  RT: 21,
  NSAP: 22,
  'NSAP-PTR': 23,
  SIG: 24,
  KEY: 25,
  PX: 26,
  GPOS: 27,
  AAAA: 28,
  LOC: 29,
  NXT: 30,
  EID: 31,
  NIMLOC: 32,
  SRV: 33,
  ATMA: 34,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  A6: 38,
  DNAME: 39,
  SINK: 40,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  NINFO: 56,
  RKEY: 57,
  TALINK: 58,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  DSYNC: 66,
  SPF: 99,
  UINFO: 100,
  UID: 101,
  GID: 102,
  UNSPEC: 103,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  NXNAME: 128,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
  URI: 256,
  CAA: 257,
  AVC: 258,
  DOA: 259,
  AMTRELAY: 260,
  RESINFO: 261,
  WALLET: 262,
  CLA: 263,
  IPN: 264,
  TA: 32768,
  DLV: 32769,
} as const;
/** A TYPE value with a mnemonic. Any 16-bit number is a valid TYPE on the wire (RFC 3597). */
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** CLASS values (RFC 1035 3.2.4, RFC 2136 for NONE). */
export const RecordClass = {
  IN: 1,
  CS: 2,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const;
export type RecordClass = (typeof RecordClass)[keyof typeof RecordClass];

/** Header OPCODE values (RFC 1035 4.1.1, RFC 1996 NOTIFY, RFC 2136 UPDATE, RFC 8490 DSO). */
export const Opcode = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
  DSO: 6,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * RCODE values. 0-15 fit the header; 16 and above need EDNS (RFC 6891 6.1.3: the OPT record's
 * TTL carries the upper 8 bits of a 12-bit RCODE).
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  DSOTYPENI: 11,
  BADVERS: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
} as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];

/** EDNS0 option codes (RFC 6891 6.1.2 and the IANA registry). */
export const EdnsOptionCode = {
  LLQ: 1,
  UL: 2,
  NSID: 3,
  DAU: 5,
  DHU: 6,
  N3U: 7,
  CLIENT_SUBNET: 8,
  EXPIRE: 9,
  COOKIE: 10,
  TCP_KEEPALIVE: 11,
  PADDING: 12,
  CHAIN: 13,
  KEY_TAG: 14,
  EXTENDED_ERROR: 15,
  CLIENT_TAG: 16,
  SERVER_TAG: 17,
  REPORT_CHANNEL: 18,
  ZONEVERSION: 19,
} as const;
export type EdnsOptionCode = (typeof EdnsOptionCode)[keyof typeof EdnsOptionCode];

/** SvcParamKeys of SVCB and HTTPS records (RFC 9460 14.3.2). */
export const SvcParamKey = {
  MANDATORY: 0,
  ALPN: 1,
  NO_DEFAULT_ALPN: 2,
  PORT: 3,
  IPV4HINT: 4,
  ECH: 5,
  IPV6HINT: 6,
} as const;
export type SvcParamKey = (typeof SvcParamKey)[keyof typeof SvcParamKey];

/** Extended DNS Error INFO-CODEs (RFC 8914 5.2 and the IANA registry), by number. */
export const EXTENDED_ERROR_NAMES: readonly string[] = [
  'Other Error',
  'Unsupported DNSKEY Algorithm',
  'Unsupported DS Digest Type',
  'Stale Answer',
  'Forged Answer',
  'DNSSEC Indeterminate',
  'DNSSEC Bogus',
  'Signature Expired',
  'Signature Not Yet Valid',
  'DNSKEY Missing',
  'RRSIGs Missing',
  'No Zone Key Bit Set',
  'NSEC Missing',
  'Cached Error',
  'Not Ready',
  'Blocked',
  'Censored',
  'Filtered',
  'Prohibited',
  'Stale NXDomain Answer',
  'Not Authoritative',
  'Not Supported',
  'No Reachable Authority',
  'Network Error',
  'Invalid Data',
  'Signature Expired before Valid',
  'Too Early',
  'Unsupported NSEC3 Iterations Value',
  'Unable to conform to policy',
  'Synthesized',
  'Invalid Query Type',
];

function invert(table: Record<string, number>): Map<number, string> {
  const map = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!map.has(value)) map.set(value, name);
  return map;
}

const TYPE_NAMES = invert(RecordType);
const CLASS_NAMES = invert(RecordClass);
const OPCODE_NAMES = invert(Opcode);
const RCODE_NAMES = invert(Rcode);

/** Parses `PREFIX123` (RFC 3597 5: TYPE123, CLASS123) into 123, or undefined. */
function generic(prefix: string, text: string, max: number): number | undefined {
  if (text.length <= prefix.length || text.length > prefix.length + 5) return undefined;
  if (text.slice(0, prefix.length).toUpperCase() !== prefix) return undefined;
  let value = 0;
  for (let i = prefix.length; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    value = value * 10 + c;
  }
  return value <= max ? value : undefined;
}

function lookup(table: Record<string, number>, text: string): number | undefined {
  const upper = text.toUpperCase();
  return Object.hasOwn(table, upper) ? table[upper] : undefined;
}

/** The mnemonic of a record TYPE (`15` -> `'MX'`), or `TYPE<n>` (RFC 3597 5) for others. */
export function typeToString(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/** The TYPE of a mnemonic (`'mx'` -> 15), accepting `TYPE<n>` (RFC 3597 5); undefined if unknown. */
export function typeFromString(text: string): number | undefined {
  return lookup(RecordType, text) ?? generic('TYPE', text, 0xffff);
}

/** The mnemonic of a CLASS (`1` -> `'IN'`), or `CLASS<n>` (RFC 3597 5). */
export function classToString(cls: number): string {
  return CLASS_NAMES.get(cls) ?? `CLASS${cls}`;
}

/** The CLASS of a mnemonic (`'IN'` -> 1), accepting `CLASS<n>`; undefined if unknown. */
export function classFromString(text: string): number | undefined {
  return lookup(RecordClass, text) ?? generic('CLASS', text, 0xffff);
}

/** The mnemonic of an OPCODE (`0` -> `'QUERY'`), or `OPCODE<n>`. */
export function opcodeToString(opcode: number): string {
  return OPCODE_NAMES.get(opcode) ?? `OPCODE${opcode}`;
}

/** The OPCODE of a mnemonic, accepting `OPCODE<n>`; undefined if unknown. */
export function opcodeFromString(text: string): number | undefined {
  return lookup(Opcode, text) ?? generic('OPCODE', text, 15);
}

/** The mnemonic of an RCODE (`3` -> `'NXDOMAIN'`, `16` -> `'BADVERS'`), or `RCODE<n>`. */
export function rcodeToString(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

/** The RCODE of a mnemonic, accepting `RCODE<n>`; undefined if unknown. */
export function rcodeFromString(text: string): number | undefined {
  return lookup(Rcode, text) ?? generic('RCODE', text, 0xfff);
}
