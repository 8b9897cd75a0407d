import { Rcode, RecordType, typeToString } from './constants.js';
import { answersOfType, type QueryOptions, query } from './resolver.js';
import { DnsNoDataError, DnsNotFoundError } from './resolver-errors.js';
import type { RecordOfType } from './types.js';

/** Every helper result carries the record's TTL in seconds. */
export type WithTtl<T> = T & { ttl: number };

/**
 * The typed records of one type for a name, following the server's CNAMEs. NXDOMAIN and NODATA
 * throw ERR_DNS_NXDOMAIN and ERR_DNS_NODATA; query() returns them as results instead.
 */
export async function resolveRecords<T extends RecordOfType<number>['type']>(
  name: string,
  type: T,
  options: QueryOptions = {},
): Promise<RecordOfType<T>[]> {
  const { message } = await query(name, type, options);
  if (message.rcode === Rcode.NXDOMAIN) throw new DnsNotFoundError(name);
  const records = answersOfType(message, type) as RecordOfType<T>[];
  if (records.length === 0) throw new DnsNoDataError(name, typeToString(type));
  return records;
}

const text = (s: Uint8Array | string) =>
  typeof s === 'string' ? s : Buffer.from(s).toString('utf8');

export async function resolve4(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ address: string }>[]> {
  return (await resolveRecords(name, RecordType.A, options)).map((r) => ({
    address: r.data,
    ttl: r.ttl,
  }));
}

export async function resolve6(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ address: string }>[]> {
  return (await resolveRecords(name, RecordType.AAAA, options)).map((r) => ({
    address: r.data,
    ttl: r.ttl,
  }));
}

/** Mail exchanges, lowest preference first. */
export async function resolveMx(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ preference: number; exchange: string }>[]> {
  const records = await resolveRecords(name, RecordType.MX, options);
  return records
    .map((r) => ({ ...r.data, ttl: r.ttl }))
    .sort((a, b) => a.preference - b.preference);
}

/** Each TXT record as its character-strings (decoded as UTF-8), and joined. */
export async function resolveTxt(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ strings: string[]; text: string }>[]> {
  return (await resolveRecords(name, RecordType.TXT, options)).map((r) => {
    const strings = r.data.map(text);
    return { strings, text: strings.join(''), ttl: r.ttl };
  });
}

export async function resolveCname(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ target: string }>[]> {
  return (await resolveRecords(name, RecordType.CNAME, options)).map((r) => ({
    target: r.data,
    ttl: r.ttl,
  }));
}

export async function resolveNs(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ host: string }>[]> {
  return (await resolveRecords(name, RecordType.NS, options)).map((r) => ({
    host: r.data,
    ttl: r.ttl,
  }));
}

export async function resolvePtr(
  name: string,
  options?: QueryOptions,
): Promise<WithTtl<{ host: string }>[]> {
  return (await resolveRecords(name, RecordType.PTR, options)).map((r) => ({
    host: r.data,
    ttl: r.ttl,
  }));
}

export async function resolveSoa(name: string, options?: QueryOptions) {
  const [first] = await resolveRecords(name, RecordType.SOA, options);
  return { ...first!.data, ttl: first!.ttl };
}

export async function resolveSrv(name: string, options?: QueryOptions) {
  return (await resolveRecords(name, RecordType.SRV, options)).map((r) => ({
    ...r.data,
    ttl: r.ttl,
  }));
}

export async function resolveCaa(name: string, options?: QueryOptions) {
  return (await resolveRecords(name, RecordType.CAA, options)).map((r) => ({
    flags: r.data.flags,
    tag: r.data.tag,
    value: text(r.data.value),
    ttl: r.ttl,
  }));
}

/** The name of a PTR lookup for an IPv4 or IPv6 address (in-addr.arpa, ip6.arpa). */
export function reverseName(address: string): string {
  if (address.includes(':')) {
    const groups = address.split('::');
    const head = groups[0] ? groups[0].split(':') : [];
    const tail = groups[1] ? groups[1].split(':') : [];
    const full =
      groups.length === 2
        ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail]
        : head;
    const nibbles = full.map((g) => g.padStart(4, '0')).join('');
    return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
  }
  return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
}
