// ICMP for IPv4 (RFC 792): echo, destination unreachable, time exceeded, and any other type raw.
import { bytesOption, intOption, view } from './bytes.js';
import { FrameError, need } from './errors.js';
import { buildIcmpMessage, echoRest, type IcmpMessageInit } from './icmp-message.js';
import { type IPv4Packet, parseIPv4 } from './ipv4.js';
import { internetChecksum } from './sum.js';

export const Icmpv4Type = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  EchoRequest: 8,
  TimeExceeded: 11,
} as const;

export const ICMP_HEADER_LENGTH = 8;

export type Icmpv4Init = IcmpMessageInit;

export interface Icmpv4Message {
  type: number;
  code: number;
  checksum: number;
  checksumValid: boolean;
  /** The 4 bytes after the checksum. */
  rest: Uint8Array;
  /** Everything after the 8-byte header. */
  data: Uint8Array;
  /** For echo request and reply. */
  echo?: { id: number; sequence: number };
  /** For "fragmentation needed" (type 3 code 4, RFC 1191). */
  nextHopMtu?: number;
  /**
   * For errors (unreachable, time exceeded): the start of the datagram that caused it, its
   * payload cut short. Absent when those bytes are not an IPv4 header.
   */
  quoted?: IPv4Packet;
}

/** Builds any ICMP message and fills in its checksum. */
export function buildIcmpv4(init: Icmpv4Init): Uint8Array {
  return buildIcmpMessage(init, () => 0);
}

export interface EchoInit {
  id: number;
  sequence: number;
  data?: Uint8Array;
  /** An echo reply instead of a request. */
  reply?: boolean;
}

/** An echo request (or reply) with identifier and sequence number. */
export function buildIcmpv4Echo(init: EchoInit): Uint8Array {
  return buildIcmpv4({
    type: init.reply ? Icmpv4Type.EchoReply : Icmpv4Type.EchoRequest,
    rest: echoRest(init.id, init.sequence),
    ...(init.data !== undefined && { data: init.data }),
  });
}

/**
 * Destination unreachable quoting `original`, the offending datagram (RFC 792 wants its header and
 * the first 8 bytes of its payload; that is what is kept).
 */
export function buildIcmpv4Unreachable(init: {
  code: number;
  original: Uint8Array;
  nextHopMtu?: number;
}): Uint8Array {
  const rest = new Uint8Array(4);
  if (init.nextHopMtu !== undefined)
    view(rest).setUint16(2, intOption(init.nextHopMtu, 'nextHopMtu', 0, 0xffff));
  return buildIcmpv4({
    type: Icmpv4Type.DestinationUnreachable,
    code: intOption(init.code, 'code', 0, 15),
    rest,
    data: quote(init.original),
  });
}

/** Time exceeded (code 0 TTL in transit, 1 reassembly) quoting the offending datagram. */
export function buildIcmpv4TimeExceeded(init: { code: number; original: Uint8Array }): Uint8Array {
  return buildIcmpv4({
    type: Icmpv4Type.TimeExceeded,
    code: intOption(init.code, 'code', 0, 1),
    data: quote(init.original),
  });
}

function quote(original: Uint8Array): Uint8Array {
  const bytes = bytesOption(original, 'original');
  const ihl = ((bytes[0] ?? 0) & 0x0f) * 4;
  return bytes.subarray(0, Math.min(bytes.length, Math.max(ihl, 20) + 8));
}

/** Parses an ICMP message; a bad checksum is flagged in `checksumValid`, not thrown. */
export function parseIcmpv4(bytes: Uint8Array): Icmpv4Message {
  need(bytes, ICMP_HEADER_LENGTH, 'ICMP header');
  const v = view(bytes);
  const type = bytes[0] ?? 0;
  const code = bytes[1] ?? 0;
  const message: Icmpv4Message = {
    type,
    code,
    checksum: v.getUint16(2),
    checksumValid: internetChecksum(bytes) === 0,
    rest: bytes.subarray(4, 8),
    data: bytes.subarray(ICMP_HEADER_LENGTH),
  };
  if (type === Icmpv4Type.EchoReply || type === Icmpv4Type.EchoRequest) {
    message.echo = { id: v.getUint16(4), sequence: v.getUint16(6) };
  } else if (type === Icmpv4Type.DestinationUnreachable || type === Icmpv4Type.TimeExceeded) {
    if (type === Icmpv4Type.DestinationUnreachable && code === 4)
      message.nextHopMtu = v.getUint16(6);
    try {
      message.quoted = parseIPv4(message.data, { partial: true });
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
    }
  }
  return message;
}
