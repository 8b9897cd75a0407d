/** The RDATA codec of every record type with one; other types use `unknown` (RFC 3597). */
import { RecordType } from '../constants.js';
import { a, aaaa } from './address.js';
import { caa } from './caa.js';
import { coder, type RdataCodec } from './codec.js';
import { dnskey, ds, nsec, nsec3, rrsig } from './dnssec.js';
import { hinfo } from './hinfo.js';
import { mx } from './mx.js';
import { cname, dname, ns, ptr } from './names.js';
import { naptr } from './naptr.js';
import { opt } from './opt.js';
import { soa } from './soa.js';
import { srv } from './srv.js';
import { sshfp } from './sshfp.js';
import { svcb } from './svcb.js';
import { tlsa } from './tlsa.js';
import { txt } from './txt.js';
import { unknown } from './unknown.js';

// biome-ignore lint/suspicious/noExplicitAny: one table holds codecs of every data type.
type AnyCodec = RdataCodec<any>;

const table: [number, AnyCodec][] = [
  [RecordType.A, a],
  [RecordType.NS, ns],
  [RecordType.CNAME, cname],
  [RecordType.SOA, soa],
  [RecordType.PTR, ptr],
  [RecordType.HINFO, hinfo],
  [RecordType.MX, mx],
  [RecordType.TXT, txt],
  [RecordType.AAAA, aaaa],
  [RecordType.SRV, srv],
  [RecordType.NAPTR, naptr],
  [RecordType.DNAME, dname],
  [RecordType.OPT, opt],
  [RecordType.DS, ds],
  [RecordType.SSHFP, sshfp],
  [RecordType.RRSIG, rrsig],
  [RecordType.NSEC, nsec],
  [RecordType.DNSKEY, dnskey],
  [RecordType.NSEC3, nsec3],
  [RecordType.TLSA, tlsa],
  [RecordType.SVCB, svcb],
  [RecordType.HTTPS, svcb],
  [RecordType.CAA, caa],
];

/** Codecs indexed by TYPE (all known types are below 258); built once, never changed. */
const byType: readonly (AnyCodec | undefined)[] = (() => {
  const list: (AnyCodec | undefined)[] = new Array(258).fill(undefined);
  for (const [type, codec] of table) list[type] = codec;
  return list;
})();

export function codecFor(type: number): AnyCodec {
  return (type < 258 ? byType[type] : undefined) ?? unknown;
}

/** Whether a TYPE has a typed codec (otherwise its data is opaque octets). */
export function isKnownType(type: number): boolean {
  return type < 258 && byType[type] !== undefined;
}

/**
 * dns-packet-style codecs for each type's RDATA (RDLENGTH + RDATA, names uncompressed):
 * `rdata.mx.encode({ preference: 10, exchange: 'mail.example.com' })`.
 */
export const rdata = {
  a: coder(a, 'A'),
  aaaa: coder(aaaa, 'AAAA'),
  ns: coder(ns, 'NS'),
  cname: coder(cname, 'CNAME'),
  ptr: coder(ptr, 'PTR'),
  dname: coder(dname, 'DNAME'),
  soa: coder(soa, 'SOA'),
  mx: coder(mx, 'MX'),
  txt: coder(txt, 'TXT'),
  srv: coder(srv, 'SRV'),
  caa: coder(caa, 'CAA'),
  naptr: coder(naptr, 'NAPTR'),
  hinfo: coder(hinfo, 'HINFO'),
  ds: coder(ds, 'DS'),
  dnskey: coder(dnskey, 'DNSKEY'),
  rrsig: coder(rrsig, 'RRSIG'),
  nsec: coder(nsec, 'NSEC'),
  nsec3: coder(nsec3, 'NSEC3'),
  tlsa: coder(tlsa, 'TLSA'),
  sshfp: coder(sshfp, 'SSHFP'),
  svcb: coder(svcb, 'SVCB'),
  https: coder(svcb, 'HTTPS'),
  opt: coder(opt, 'OPT'),
  unknown: coder(unknown, 'unknown'),
} as const;
