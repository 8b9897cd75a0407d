// ICMPv6 (RFC 4443): echo request and reply; other types are kept raw. The checksum covers the
// IPv6 pseudo-header (RFC 8200 8.1), so building and parsing need both addresses.
import { bytesOption, concat, intOption, view } from './bytes.js';
import { need } from './errors.js';
import type { EchoInit } from './icmpv4.js';
import { parseIPv6Address } from './ip-address.js';
import { IpProtocol } from './ipv4.js';
import { internetChecksum, pseudoHeaderSum } from './sum.js';

export const Icmpv6Type = { EchoRequest: 128, EchoReply: 129 } as const;

/** The addresses of the IPv6 packet carrying the message. */
export interface Ipv6Endpoints {
  src: string;
  dst: string;
}

export interface Icmpv6Init {
  type: number;
  code?: number;
  rest?: Uint8Array;
  data?: Uint8Array;
  checksum?: number;
}

export interface Icmpv6Message {
  type: number;
  code: number;
  checksum: number;
  checksumValid: boolean;
  rest: Uint8Array;
  data: Uint8Array;
  echo?: { id: number; sequence: number };
}

function pseudo(ip: Ipv6Endpoints, length: number): number {
  return pseudoHeaderSum(
    parseIPv6Address(ip.src, 'src'),
    parseIPv6Address(ip.dst, 'dst'),
    IpProtocol.ICMPv6,
    length,
  );
}

/** Builds an ICMPv6 message with its checksum over the pseudo-header of `ip`. */
export function buildIcmpv6(init: Icmpv6Init, ip: Ipv6Endpoints): Uint8Array {
  const rest = init.rest === undefined ? new Uint8Array(4) : bytesOption(init.rest, 'rest');
  if (rest.length !== 4) throw new RangeError(`rest must be 4 bytes, got ${rest.length}`);
  const data = init.data === undefined ? new Uint8Array(0) : bytesOption(init.data, 'data');
  const out = concat([
    Uint8Array.of(
      intOption(init.type, 'type', 0, 255),
      intOption(init.code ?? 0, 'code', 0, 255),
      0,
      0,
    ),
    rest,
    data,
  ]);
  const checksum =
    init.checksum === undefined
      ? internetChecksum(out, pseudo(ip, out.length))
      : intOption(init.checksum, 'checksum', 0, 0xffff);
  view(out).setUint16(2, checksum);
  return out;
}

/** An ICMPv6 echo request (or reply). */
export function buildIcmpv6Echo(init: EchoInit, ip: Ipv6Endpoints): Uint8Array {
  const rest = new Uint8Array(4);
  view(rest).setUint16(0, intOption(init.id, 'id', 0, 0xffff));
  view(rest).setUint16(2, intOption(init.sequence, 'sequence', 0, 0xffff));
  return buildIcmpv6(
    {
      type: init.reply ? Icmpv6Type.EchoReply : Icmpv6Type.EchoRequest,
      rest,
      ...(init.data !== undefined && { data: init.data }),
    },
    ip,
  );
}

/** Parses an ICMPv6 message and checks its checksum against the pseudo-header of `ip`. */
export function parseIcmpv6(bytes: Uint8Array, ip: Ipv6Endpoints): Icmpv6Message {
  need(bytes, 8, 'ICMPv6 header');
  const v = view(bytes);
  const type = bytes[0] ?? 0;
  const message: Icmpv6Message = {
    type,
    code: bytes[1] ?? 0,
    checksum: v.getUint16(2),
    checksumValid: internetChecksum(bytes, pseudo(ip, bytes.length)) === 0,
    rest: bytes.subarray(4, 8),
    data: bytes.subarray(8),
  };
  if (type === Icmpv6Type.EchoRequest || type === Icmpv6Type.EchoReply) {
    message.echo = { id: v.getUint16(4), sequence: v.getUint16(6) };
  }
  return message;
}
