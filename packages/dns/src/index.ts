/**
 * @packageDocumentation
 * `@netkit/dns`: a DNS message codec (RFC 1035 and what came after: EDNS, DNSSEC records, SVCB
 * and HTTPS), with name compression, strict bounds-checked decoding, dig-style presentation text
 * and JSON that round-trips.
 *
 * ```ts
 * import { decode, encode, RecordClass, RecordType, recordToText } from '@netkit/dns';
 *
 * const query = encode({
 *   id: 0x1234,
 *   rd: true,
 *   questions: [{ name: 'example.com', type: RecordType.MX, class: RecordClass.IN }],
 * });
 * // ...send `query`, receive `reply` (a Uint8Array)...
 * const message = decode(reply); // throws DnsMalformedError (code ERR_DNS_MALFORMED) if bad
 * for (const record of message.answers) console.log(recordToText(record));
 * // example.com.	300	IN	MX	10 mail.example.com.
 * ```
 */

export {
  classFromString,
  classToString,
  EdnsOptionCode,
  Opcode,
  opcodeFromString,
  opcodeToString,
  Rcode,
  RecordClass,
  RecordType,
  rcodeFromString,
  rcodeToString,
  SvcParamKey,
  typeFromString,
  typeToString,
} from './constants.js';
export { DnsError, DnsInvalidError, DnsMalformedError } from './errors.js';
export { decodeHeader, type Header } from './header.js';
export {
  type JsonValue,
  type MessageJSON,
  messageFromJSON,
  messageToJSON,
  type QuestionJSON,
  type RecordJSON,
} from './json.js';
export { decode, encode, encodingLength } from './message.js';
export type { CaaData } from './records/caa.js';
export type { RdataCoder } from './records/codec.js';
export type { DnskeyData, DsData, Nsec3Data, NsecData, RrsigData } from './records/dnssec.js';
export type { HinfoData } from './records/hinfo.js';
export { rdata } from './records/index.js';
export type { MxData } from './records/mx.js';
export type { NaptrData } from './records/naptr.js';
export type {
  ClientSubnetOption,
  CookieOption,
  EdnsOption,
  ExtendedErrorOption,
  OptData,
  PaddingOption,
  UnknownEdnsOption,
} from './records/opt.js';
export type { SoaData } from './records/soa.js';
export type { SrvData } from './records/srv.js';
export type { SshfpData } from './records/sshfp.js';
export type { SvcbData, SvcParamOther, SvcParams } from './records/svcb.js';
export type { TlsaData } from './records/tlsa.js';
export type { TxtData } from './records/txt.js';
export { parseResolvConf, type ResolvConf, systemResolvConf } from './resolv-conf.js';
export {
  resolve4,
  resolve6,
  resolveCaa,
  resolveCname,
  resolveMx,
  resolveNs,
  resolvePtr,
  resolveRecords,
  resolveSoa,
  resolveSrv,
  resolveTxt,
  reverseName,
  type WithTtl,
} from './resolve.js';
export {
  answersOfType,
  parseServer,
  type QueryOptions,
  type QueryResult,
  query,
  Resolver,
  type ResolverOptions,
} from './resolver.js';
export {
  DnsAbortedError,
  DnsClosedError,
  DnsNoDataError,
  DnsNotFoundError,
  DnsServerError,
  DnsTimeoutError,
} from './resolver-errors.js';
export {
  createServer,
  type DnsAnswer,
  type DnsHandler,
  DnsServer,
  type DnsServerOptions,
  type DnsServerStats,
  type QueryContext,
  recordsHandler,
} from './server.js';
export type { SourcePorts } from './source-ports.js';
export type { CharacterString } from './strings.js';
export { questionToText, rdataToText, recordToText, type TextOptions } from './text.js';
export {
  type AaaaRecord,
  type ARecord,
  type CaaRecord,
  type CnameRecord,
  type DnameRecord,
  type DnskeyRecord,
  type DsRecord,
  type HinfoRecord,
  type HttpsRecord,
  isRecordType,
  type KnownRecord,
  type Message,
  type MessageInput,
  type MxRecord,
  type NaptrRecord,
  type Nsec3Record,
  type NsecRecord,
  type NsRecord,
  type OptRecord,
  type PtrRecord,
  type Question,
  type RecordOfType,
  type ResourceRecord,
  type RrsigRecord,
  type SoaRecord,
  type SrvRecord,
  type SshfpRecord,
  type SvcbRecord,
  type TlsaRecord,
  type TxtRecord,
  type UnknownRecord,
} from './types.js';
export {
  DnsZoneError,
  parseRdata,
  parseZone,
  type ZoneOptions,
  type ZoneRecord,
} from './zone/index.js';
