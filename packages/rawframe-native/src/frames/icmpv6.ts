// ICMPv6 (RFC 4443): echo request and reply; other types are kept raw. The checksum covers the
// IPv6 pseudo-header (RFC 8200 8.1), so building and parsing need both addresses.
import { view } from './bytes.js';
import { need } from './errors.js';
import { buildIcmpMessage, echoRest, type IcmpMessageInit } from './icmp-message.js';
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

export type Icmpv6Init = IcmpMessageInit;

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
  return buildIcmpMessage(init, (length) => pseudo(ip, length));
}

/** An ICMPv6 echo request (or reply). */
export function buildIcmpv6Echo(init: EchoInit, ip: Ipv6Endpoints): Uint8Array {
  return buildIcmpv6(
    {
      type: init.reply ? Icmpv6Type.EchoReply : Icmpv6Type.EchoRequest,
      rest: echoRest(init.id, init.sequence),
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
