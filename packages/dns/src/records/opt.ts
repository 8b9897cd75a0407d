/**
 * OPT (RFC 6891 6.1.2): the EDNS pseudo-record. Its CLASS is the requestor's UDP payload size,
 * its TTL is EXTENDED-RCODE (8 bits), VERSION (8), DO (1) and Z (15), and its RDATA a list of
 * {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}. Options with a codec: Client Subnet (RFC 7871 6),
 * Cookie (RFC 7873 4), Padding (RFC 7830 3), Extended DNS Error (RFC 8914 2); others are opaque.
 */
import { EdnsOptionCode } from '../constants.js';
import { describe } from '../errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../ip.js';
import type { Reader } from '../reader.js';
import { type CharacterString, decodeText, writeText } from '../strings.js';
import { array, bytes, invalid, object, u8, u16, type Writer } from '../writer.js';
import type { RdataCodec } from './codec.js';

/** EDNS Client Subnet (RFC 7871): the client's network, as much of it as the prefix says. */
export interface ClientSubnetOption {
  code: typeof EdnsOptionCode.CLIENT_SUBNET;
  /** 1 IPv4, 2 IPv6 (address family numbers); must match `address`. */
  family: 1 | 2;
  sourcePrefixLength: number;
  scopePrefixLength: number;
  /** The address; bits past sourcePrefixLength are zeroed on encode (RFC 7871 6). */
  address: string;
}

/** DNS Cookie (RFC 7873 4): an 8-octet client cookie and, in answers, an 8-32 octet server one. */
export interface CookieOption {
  code: typeof EdnsOptionCode.COOKIE;
  client: Uint8Array;
  server?: Uint8Array;
}

/** Padding (RFC 7830): `length` octets, written as zeros; their content is ignored on decode. */
export interface PaddingOption {
  code: typeof EdnsOptionCode.PADDING;
  length: number;
}

/** Extended DNS Error (RFC 8914): an INFO-CODE and optional UTF-8 EXTRA-TEXT. */
export interface ExtendedErrorOption {
  code: typeof EdnsOptionCode.EXTENDED_ERROR;
  infoCode: number;
  /** Absent when empty. */
  extraText?: CharacterString;
}

/** Any other option code, as opaque OPTION-DATA. */
export interface UnknownEdnsOption {
  code: number;
  data: Uint8Array;
}

export type EdnsOption =
  | ClientSubnetOption
  | CookieOption
  | PaddingOption
  | ExtendedErrorOption
  | UnknownEdnsOption;

/** The OPT record's fields, from its CLASS, TTL and RDATA. */
export interface OptData {
  /** Largest UDP payload the sender can reassemble (the OPT CLASS). */
  udpPayloadSize: number;
  /** EDNS version, 0 today. */
  version: number;
  /** DNSSEC OK (RFC 3225). */
  dnssecOk: boolean;
  /** The other 15 flag bits, zero unless defined later; kept as received. */
  z: number;
  options: EdnsOption[];
}

function optionBound(o: EdnsOption): number {
  switch (o.code) {
    case EdnsOptionCode.CLIENT_SUBNET:
      return 24;
    case EdnsOptionCode.COOKIE:
      return 44;
    case EdnsOptionCode.PADDING:
      return 4 + (o as PaddingOption).length;
    case EdnsOptionCode.EXTENDED_ERROR:
      return 6 + ((o as ExtendedErrorOption).extraText?.length ?? 0) * 3;
    default:
      return 4 + (o as UnknownEdnsOption).data.length;
  }
}

function writeClientSubnet(w: Writer, o: ClientSubnetOption, field: string): void {
  const family = u16(o.family, `${field}.family`);
  if (family !== 1 && family !== 2)
    throw invalid(`${field}.family`, `expected 1 (IPv4) or 2 (IPv6), got ${family}`);
  const max = family === 1 ? 32 : 128;
  const source = u8(o.sourcePrefixLength, `${field}.sourcePrefixLength`);
  const scope = u8(o.scopePrefixLength, `${field}.scopePrefixLength`);
  if (source > max) throw invalid(`${field}.sourcePrefixLength`, `${source} is more than ${max}`);
  if (scope > max) throw invalid(`${field}.scopePrefixLength`, `${scope} is more than ${max}`);
  const address = new Uint8Array(16);
  const ok =
    typeof o.address === 'string' &&
    (family === 1 ? parseIPv4(o.address, address, 0) : parseIPv6(o.address, address, 0));
  if (!ok) {
    throw invalid(
      `${field}.address`,
      `expected an IPv${family === 1 ? 4 : 6} address (family ${family}), got ${describe(o.address)}`,
    );
  }
  // RFC 7871 6: "ADDRESS ... MUST be truncated to the number of bits indicated by the SOURCE
  // PREFIX-LENGTH field, padding with 0 bits to pad to the end of the last octet needed."
  const octets = (source + 7) >> 3;
  if (source & 7) address[octets - 1] = address[octets - 1]! & (0xff << (8 - (source & 7)));
  w.u16(4 + octets);
  w.u16(family);
  w.u8(source);
  w.u8(scope);
  w.bytes(address.subarray(0, octets));
}

function writeOption(w: Writer, o: EdnsOption, field: string): void {
  object(o, field);
  const code = u16(o.code, `${field}.code`);
  w.u16(code);
  switch (code) {
    case EdnsOptionCode.CLIENT_SUBNET:
      writeClientSubnet(w, o as ClientSubnetOption, field);
      return;
    case EdnsOptionCode.COOKIE: {
      const c = o as CookieOption;
      const client = bytes(c.client, `${field}.client`);
      if (client.length !== 8)
        throw invalid(`${field}.client`, `client cookie of ${client.length} octets is not 8`);
      const server = c.server === undefined ? undefined : bytes(c.server, `${field}.server`);
      if (server && (server.length < 8 || server.length > 32)) {
        throw invalid(`${field}.server`, `server cookie of ${server.length} octets is not 8-32`);
      }
      w.u16(8 + (server?.length ?? 0));
      w.bytes(client);
      if (server) w.bytes(server);
      return;
    }
    case EdnsOptionCode.PADDING: {
      const length = u16((o as PaddingOption).length, `${field}.length`);
      w.u16(length);
      w.ensure(length);
      w.buf.fill(0, w.pos, w.pos + length);
      w.pos += length;
      return;
    }
    case EdnsOptionCode.EXTENDED_ERROR: {
      const e = o as ExtendedErrorOption;
      const at = w.startLength();
      w.u16(u16(e.infoCode, `${field}.infoCode`));
      if (e.extraText !== undefined) writeText(w, e.extraText, `${field}.extraText`);
      w.endLength(at, `${field}.extraText`, 'option');
      return;
    }
    default: {
      const data = bytes((o as UnknownEdnsOption).data, `${field}.data`);
      if (data.length > 0xffff)
        throw invalid(`${field}.data`, `${data.length} octets is more than 65535`);
      w.u16(data.length);
      w.bytes(data);
    }
  }
}

function readOption(r: Reader, code: number): EdnsOption {
  const start = r.pos;
  const len = r.limit - start;
  switch (code) {
    case EdnsOptionCode.CLIENT_SUBNET: {
      const family = r.u16('Client Subnet FAMILY');
      if (family !== 1 && family !== 2)
        r.fail(`Client Subnet FAMILY ${family} is not 1 or 2`, start);
      const max = family === 1 ? 32 : 128;
      const sourcePrefixLength = r.u8('Client Subnet SOURCE PREFIX-LENGTH');
      const scopePrefixLength = r.u8('Client Subnet SCOPE PREFIX-LENGTH');
      if (sourcePrefixLength > max || scopePrefixLength > max) {
        r.fail(`Client Subnet prefix length is more than ${max}`, start + 2);
      }
      // RFC 7871 7.1.1: too few or too many ADDRESS octets, or bits set past the prefix: FORMERR.
      const octets = (sourcePrefixLength + 7) >> 3;
      if (len - 4 !== octets) {
        r.fail(
          `Client Subnet ADDRESS has ${len - 4} octets, prefix /${sourcePrefixLength} needs ${octets}`,
          start + 4,
        );
      }
      const address = new Uint8Array(16);
      address.set(r.bytes.subarray(r.pos, r.pos + octets));
      const bits = sourcePrefixLength & 7;
      if (bits && address[octets - 1]! & (0xff >> bits)) {
        r.fail('Client Subnet ADDRESS has bits set past the source prefix', r.pos + octets - 1);
      }
      r.pos += octets;
      return {
        code,
        family,
        sourcePrefixLength,
        scopePrefixLength,
        address: family === 1 ? formatIPv4(address, 0) : formatIPv6(address, 0),
      };
    }
    case EdnsOptionCode.COOKIE: {
      // RFC 7873 5.2.2: FORMERR for an option too short for a client cookie, or with a server
      // cookie outside 8-32 octets (OPTION-LENGTH 9-15 or over 40).
      if (len !== 8 && (len < 16 || len > 40))
        r.fail(`COOKIE length ${len} is not 8 or 16-40`, start);
      const client = r.take(8, 'client cookie');
      return len === 8 ? { code, client } : { code, client, server: r.rest() };
    }
    case EdnsOptionCode.PADDING:
      r.pos = r.limit;
      return { code, length: len };
    case EdnsOptionCode.EXTENDED_ERROR: {
      const infoCode = r.u16('Extended DNS Error INFO-CODE');
      if (r.pos === r.limit) return { code, infoCode };
      const extraText = decodeText(r, r.pos, r.limit);
      r.pos = r.limit;
      return { code, infoCode, extraText };
    }
    default:
      return { code, data: r.rest() };
  }
}

/** OPT RDATA: the option list. */
export const opt: RdataCodec<EdnsOption[]> = {
  bound(options) {
    let n = 0;
    for (const o of options) n += optionBound(o);
    return n;
  },
  write(w: Writer, options: EdnsOption[]) {
    array(options, 'data.options');
    for (let i = 0; i < options.length; i++) writeOption(w, options[i]!, `data.options[${i}]`);
  },
  read(r: Reader): EdnsOption[] {
    const options: EdnsOption[] = [];
    const end = r.limit;
    while (r.pos < end) {
      const code = r.u16('EDNS OPTION-CODE');
      const len = r.u16('EDNS OPTION-LENGTH');
      r.need(len, `EDNS option ${code}`);
      r.limit = r.pos + len;
      options.push(readOption(r, code));
      r.limit = end;
    }
    return options;
  },
};
