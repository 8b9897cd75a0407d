/**
 * DNSSEC records: DS (RFC 4034 5.1), DNSKEY (2.1), RRSIG (3.1), NSEC (4.1) and NSEC3 (RFC 5155
 * 3.2), with the type bitmaps NSEC and NSEC3 share (RFC 4034 4.1.2). Names in these RDATA are
 * written in full (RFC 4034 3.1.7 and 4.1.1: "A sender MUST NOT use DNS name compression" on the
 * Signer's Name and the Next Domain Name) but decompressed on decode.
 */
import { readName, writeName } from '../name.js';
import type { Reader } from '../reader.js';
import { array, bytes, invalid, object, u8, u16, u32, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

export interface DsData {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: Uint8Array;
}

export interface DnskeyData {
  /** Bit 256 Zone Key, bit 1 Secure Entry Point (257 for a KSK, 256 for a ZSK). */
  flags: number;
  /** Always 3 in valid keys (RFC 4034 2.1.2); kept as received. */
  protocol: number;
  algorithm: number;
  publicKey: Uint8Array;
}

export interface RrsigData {
  typeCovered: number;
  algorithm: number;
  labels: number;
  originalTtl: number;
  /** Seconds since 1970 modulo 2^32 (RFC 4034 3.1.5). */
  expiration: number;
  inception: number;
  keyTag: number;
  signerName: string;
  signature: Uint8Array;
}

export interface NsecData {
  nextDomainName: string;
  /** TYPEs present at the owner name, ascending (the encoder sorts and removes duplicates). */
  types: number[];
}

export interface Nsec3Data {
  hashAlgorithm: number;
  /** Bit 1 is Opt-Out. */
  flags: number;
  iterations: number;
  /** 0-255 octets. */
  salt: Uint8Array;
  /** The next hashed owner name as octets, 1-255 (shown in base32hex). */
  nextHashedOwnerName: Uint8Array;
  types: number[];
}

/**
 * RFC 4034 4.1.2: window blocks in increasing order, each "Window Block # | Bitmap Length |
 * Bitmap" with 1-32 octets; "Blocks with no types present MUST NOT be included. Trailing zero
 * octets in the bitmap MUST be omitted."
 */
export function writeTypes(w: Writer, types: readonly number[], field: string): void {
  array(types, field);
  const sorted = new Uint16Array(types.length);
  for (let i = 0; i < types.length; i++) sorted[i] = u16(types[i], `${field}[${i}]`);
  sorted.sort();
  let i = 0;
  while (i < sorted.length) {
    const window = sorted[i]! >> 8;
    let j = i;
    while (j < sorted.length && sorted[j]! >> 8 === window) j++;
    const length = ((sorted[j - 1]! & 0xff) >> 3) + 1;
    w.ensure(2 + length);
    const buf = w.buf;
    const at = w.pos;
    buf[at] = window;
    buf[at + 1] = length;
    buf.fill(0, at + 2, at + 2 + length);
    for (let k = i; k < j; k++) {
      const low = sorted[k]! & 0xff;
      const idx = at + 2 + (low >> 3);
      buf[idx] = buf[idx]! | (0x80 >> (low & 7));
    }
    w.pos = at + 2 + length;
    i = j;
  }
}

export function readTypes(r: Reader, what: string): number[] {
  const types: number[] = [];
  let last = -1;
  const b = r.bytes;
  while (r.pos < r.limit) {
    const at = r.pos;
    const window = r.u8(`${what} window`);
    const length = r.u8(`${what} bitmap length`);
    if (window <= last) r.fail(`${what}: window ${window} is not after window ${last}`, at);
    if (length < 1 || length > 32) r.fail(`${what}: bitmap length ${length} is not 1-32`, at + 1);
    r.need(length, `${what} bitmap`);
    if (b[r.pos + length - 1] === 0)
      r.fail(`${what}: bitmap ends in a zero octet`, r.pos + length - 1);
    for (let k = 0; k < length; k++) {
      const octet = b[r.pos + k]!;
      if (octet === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (octet & (0x80 >> bit)) types.push((window << 8) | (k << 3) | bit);
      }
    }
    r.pos += length;
    last = window;
  }
  return types;
}

function typesBound(types: readonly number[]): number {
  return Math.min(types.length * 34, 256 * 34);
}

export const ds: RdataCodec<DsData> = {
  bound: (d) => 4 + d.digest.length,
  write(w: Writer, d: DsData) {
    object(d, 'data');
    w.u16(u16(d.keyTag, 'data.keyTag'));
    w.u8(u8(d.algorithm, 'data.algorithm'));
    w.u8(u8(d.digestType, 'data.digestType'));
    w.bytes(bytes(d.digest, 'data.digest'));
  },
  read(r: Reader): DsData {
    r.need(4, 'DS fields');
    const keyTag = r.u16('DS key tag');
    const algorithm = r.u8('DS algorithm');
    const digestType = r.u8('DS digest type');
    return { keyTag, algorithm, digestType, digest: r.rest() };
  },
};

export const dnskey: RdataCodec<DnskeyData> = {
  bound: (d) => 4 + d.publicKey.length,
  write(w: Writer, d: DnskeyData) {
    object(d, 'data');
    w.u16(u16(d.flags, 'data.flags'));
    w.u8(u8(d.protocol, 'data.protocol'));
    w.u8(u8(d.algorithm, 'data.algorithm'));
    w.bytes(bytes(d.publicKey, 'data.publicKey'));
  },
  read(r: Reader): DnskeyData {
    r.need(4, 'DNSKEY fields');
    const flags = r.u16('DNSKEY flags');
    const protocol = r.u8('DNSKEY protocol');
    const algorithm = r.u8('DNSKEY algorithm');
    return { flags, protocol, algorithm, publicKey: r.rest() };
  },
};

export const rrsig: RdataCodec<RrsigData> = {
  bound: (d) => 20 + d.signerName.length + d.signature.length,
  write(w: Writer, d: RrsigData) {
    object(d, 'data');
    w.u16(u16(d.typeCovered, 'data.typeCovered'));
    w.u8(u8(d.algorithm, 'data.algorithm'));
    w.u8(u8(d.labels, 'data.labels'));
    w.u32(u32(d.originalTtl, 'data.originalTtl'));
    w.u32(u32(d.expiration, 'data.expiration'));
    w.u32(u32(d.inception, 'data.inception'));
    w.u16(u16(d.keyTag, 'data.keyTag'));
    writeName(w, d.signerName, false, 'data.signerName');
    w.bytes(bytes(d.signature, 'data.signature'));
  },
  read(r: Reader): RrsigData {
    r.need(18, 'RRSIG fields');
    const typeCovered = r.u16('RRSIG type covered');
    const algorithm = r.u8('RRSIG algorithm');
    const labels = r.u8('RRSIG labels');
    const originalTtl = r.u32('RRSIG original TTL');
    const expiration = r.u32('RRSIG expiration');
    const inception = r.u32('RRSIG inception');
    const keyTag = r.u16('RRSIG key tag');
    const signerName = readName(r, "RRSIG signer's name");
    return {
      typeCovered,
      algorithm,
      labels,
      originalTtl,
      expiration,
      inception,
      keyTag,
      signerName,
      signature: r.rest(),
    };
  },
};

export const nsec: RdataCodec<NsecData> = {
  bound: (d) => d.nextDomainName.length + 2 + typesBound(d.types),
  write(w: Writer, d: NsecData) {
    object(d, 'data');
    writeName(w, d.nextDomainName, false, 'data.nextDomainName');
    writeTypes(w, d.types, 'data.types');
  },
  read(r: Reader): NsecData {
    const nextDomainName = readName(r, 'NSEC next domain name');
    return { nextDomainName, types: readTypes(r, 'NSEC type bitmap') };
  },
};

export const nsec3: RdataCodec<Nsec3Data> = {
  bound: (d) => 6 + d.salt.length + d.nextHashedOwnerName.length + typesBound(d.types),
  write(w: Writer, d: Nsec3Data) {
    object(d, 'data');
    w.u8(u8(d.hashAlgorithm, 'data.hashAlgorithm'));
    w.u8(u8(d.flags, 'data.flags'));
    w.u16(u16(d.iterations, 'data.iterations'));
    const salt = bytes(d.salt, 'data.salt');
    if (salt.length > 255) throw invalid('data.salt', `${salt.length} octets is more than 255`);
    w.u8(salt.length);
    w.bytes(salt);
    const hash = bytes(d.nextHashedOwnerName, 'data.nextHashedOwnerName');
    if (hash.length < 1 || hash.length > 255) {
      throw invalid('data.nextHashedOwnerName', `${hash.length} octets is not 1-255`);
    }
    w.u8(hash.length);
    w.bytes(hash);
    writeTypes(w, d.types, 'data.types');
  },
  read(r: Reader): Nsec3Data {
    r.need(5, 'NSEC3 fields');
    const hashAlgorithm = r.u8('NSEC3 hash algorithm');
    const flags = r.u8('NSEC3 flags');
    const iterations = r.u16('NSEC3 iterations');
    const salt = r.take(r.u8('NSEC3 salt length'), 'NSEC3 salt');
    const hashLength = r.u8('NSEC3 hash length');
    if (hashLength === 0) r.fail('NSEC3 next hashed owner name is empty', r.pos - 1);
    const nextHashedOwnerName = r.take(hashLength, 'NSEC3 next hashed owner name');
    return {
      hashAlgorithm,
      flags,
      iterations,
      salt,
      nextHashedOwnerName,
      types: readTypes(r, 'NSEC3 type bitmap'),
    };
  },
};
