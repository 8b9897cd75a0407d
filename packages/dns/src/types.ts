/** The shape of a decoded message: header fields, questions and typed resource records. */
import type { RecordType } from './constants.js';
import type { CaaData } from './records/caa.js';
import type { DnskeyData, DsData, Nsec3Data, NsecData, RrsigData } from './records/dnssec.js';
import type { HinfoData } from './records/hinfo.js';
import type { MxData } from './records/mx.js';
import type { NaptrData } from './records/naptr.js';
import type { OptData } from './records/opt.js';
import type { SoaData } from './records/soa.js';
import type { SrvData } from './records/srv.js';
import type { SshfpData } from './records/sshfp.js';
import type { SvcbData } from './records/svcb.js';
import type { TlsaData } from './records/tlsa.js';
import type { TxtData } from './records/txt.js';

export interface Question {
  /** Domain name, without the trailing dot ('.' for the root); see name.ts for escapes. */
  name: string;
  type: number;
  /** CLASS; for mDNS the top bit is the unicast-response bit, kept as is. */
  class: number;
}

interface BaseRecord<T extends number, D> {
  name: string;
  type: T;
  class: number;
  /** Seconds, 0..2^32-1. */
  ttl: number;
  data: D;
}

export type ARecord = BaseRecord<typeof RecordType.A, string>;
export type NsRecord = BaseRecord<typeof RecordType.NS, string>;
export type CnameRecord = BaseRecord<typeof RecordType.CNAME, string>;
export type SoaRecord = BaseRecord<typeof RecordType.SOA, SoaData>;
export type PtrRecord = BaseRecord<typeof RecordType.PTR, string>;
export type HinfoRecord = BaseRecord<typeof RecordType.HINFO, HinfoData>;
export type MxRecord = BaseRecord<typeof RecordType.MX, MxData>;
export type TxtRecord = BaseRecord<typeof RecordType.TXT, TxtData>;
export type AaaaRecord = BaseRecord<typeof RecordType.AAAA, string>;
export type SrvRecord = BaseRecord<typeof RecordType.SRV, SrvData>;
export type NaptrRecord = BaseRecord<typeof RecordType.NAPTR, NaptrData>;
export type DnameRecord = BaseRecord<typeof RecordType.DNAME, string>;
export type DsRecord = BaseRecord<typeof RecordType.DS, DsData>;
export type SshfpRecord = BaseRecord<typeof RecordType.SSHFP, SshfpData>;
export type RrsigRecord = BaseRecord<typeof RecordType.RRSIG, RrsigData>;
export type NsecRecord = BaseRecord<typeof RecordType.NSEC, NsecData>;
export type DnskeyRecord = BaseRecord<typeof RecordType.DNSKEY, DnskeyData>;
export type Nsec3Record = BaseRecord<typeof RecordType.NSEC3, Nsec3Data>;
export type TlsaRecord = BaseRecord<typeof RecordType.TLSA, TlsaData>;
export type SvcbRecord = BaseRecord<typeof RecordType.SVCB, SvcbData>;
export type HttpsRecord = BaseRecord<typeof RecordType.HTTPS, SvcbData>;
export type CaaRecord = BaseRecord<typeof RecordType.CAA, CaaData>;

/**
 * The EDNS OPT pseudo-record (RFC 6891), only in the additional section, at most one. It has no
 * class or TTL of its own: they carry `data.udpPayloadSize`, the flags, and the upper bits of
 * the message's `rcode`.
 */
export interface OptRecord {
  /** Always '.' in valid messages (RFC 6891 6.1.2); kept as received. */
  name: string;
  type: typeof RecordType.OPT;
  data: OptData;
}

/** A record of a type without a codec here: RDATA as opaque octets (RFC 3597). */
export interface UnknownRecord extends BaseRecord<number, Uint8Array> {}

export type KnownRecord =
  | ARecord
  | NsRecord
  | CnameRecord
  | SoaRecord
  | PtrRecord
  | HinfoRecord
  | MxRecord
  | TxtRecord
  | AaaaRecord
  | SrvRecord
  | NaptrRecord
  | DnameRecord
  | DsRecord
  | SshfpRecord
  | RrsigRecord
  | NsecRecord
  | DnskeyRecord
  | Nsec3Record
  | TlsaRecord
  | SvcbRecord
  | HttpsRecord
  | CaaRecord
  | OptRecord;

/**
 * A resource record: a union on `type`. TypeScript cannot narrow `UnknownRecord` (whose `type` is
 * any number) away with `record.type === RecordType.MX`; use `isRecordType(record, RecordType.MX)`.
 */
export type ResourceRecord = KnownRecord | UnknownRecord;

/** The record type whose `type` is T. */
export type RecordOfType<T extends number> = Extract<KnownRecord, { type: T }>;

/** A whole DNS message (RFC 1035 4.1). */
export interface Message {
  /** 0..65535. */
  id: number;
  /** Response (true) or query. */
  qr: boolean;
  /** 0..15, see `Opcode`. */
  opcode: number;
  /** Authoritative Answer. */
  aa: boolean;
  /** TrunCation. */
  tc: boolean;
  /** Recursion Desired. */
  rd: boolean;
  /** Recursion Available. */
  ra: boolean;
  /** The reserved bit, zero in valid messages; kept as received. */
  z: boolean;
  /** Authentic Data (RFC 4035 3.2.3). */
  ad: boolean;
  /** Checking Disabled (RFC 4035 3.2.2). */
  cd: boolean;
  /**
   * 0..4095, see `Rcode`. Values above 15 need an OPT record: its TTL carries the upper 8 bits
   * (RFC 6891 6.1.3), and decode combines them back.
   */
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

/** What `encode` accepts: a Message whose missing fields default to 0, false and []. */
export type MessageInput = Partial<Message>;

/** Narrows a record to the type `type` (where `record.type === type` cannot, see ResourceRecord). */
export function isRecordType<T extends KnownRecord['type']>(
  record: ResourceRecord,
  type: T,
): record is RecordOfType<T> {
  return record.type === type;
}
