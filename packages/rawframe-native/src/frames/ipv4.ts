// IPv4 headers (RFC 791): options, header checksum, fragmentation fields, DSCP/ECN (RFC 2474, 3168).
import { bytesOption, intOption, view } from './bytes.js';
import { FrameInvalidError, need } from './errors.js';
import { formatIPv4Address, parseIPv4Address } from './ip-address.js';
import { internetChecksum } from './sum.js';

export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58 } as const;
export const IPV4_HEADER_LENGTH = 20;
const MAX_OPTIONS = 40;

export interface IPv4Init {
  src: string;
  dst: string;
  protocol: number;
  payload?: Uint8Array;
  /** Default 64. */
  ttl?: number;
  /** Identification (default 0). */
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In bytes; a multiple of 8 (default 0). */
  fragmentOffset?: number;
  dscp?: number;
  ecn?: number;
  /** Raw option bytes, padded with zeros (End of Option List) to a multiple of 4; at most 40. */
  options?: Uint8Array;
  /** Writes this value instead of the computed checksum (to make a bad packet on purpose). */
  checksum?: number;
}

export interface IPv4Packet {
  version: 4;
  headerLength: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  /** The reserved (evil) bit. */
  reservedFlag: boolean;
  dontFragment: boolean;
  moreFragments: boolean;
  /** In bytes (the field counts 8-byte units). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  checksumValid: boolean;
  src: string;
  dst: string;
  options: Uint8Array;
  /** The payload up to the total length: trailing Ethernet padding is left out. */
  payload: Uint8Array;
}

/** Builds an IPv4 packet: header length, total length and header checksum are filled in. */
export function buildIPv4(init: IPv4Init): Uint8Array {
  const payload =
    init.payload === undefined ? new Uint8Array(0) : bytesOption(init.payload, 'payload');
  const rawOptions =
    init.options === undefined ? new Uint8Array(0) : bytesOption(init.options, 'options');
  if (rawOptions.length > MAX_OPTIONS) {
    throw new RangeError(`options must be at most ${MAX_OPTIONS} bytes, got ${rawOptions.length}`);
  }
  const headerLength = IPV4_HEADER_LENGTH + Math.ceil(rawOptions.length / 4) * 4;
  const totalLength = headerLength + payload.length;
  if (totalLength > 0xffff) {
    throw new RangeError(
      `payload of ${payload.length} bytes makes an IPv4 packet over 65535 bytes`,
    );
  }
  const offset = intOption(init.fragmentOffset ?? 0, 'fragmentOffset', 0, 0x1fff * 8);
  if (offset % 8 !== 0)
    throw new RangeError(`fragmentOffset must be a multiple of 8, got ${offset}`);
  const out = new Uint8Array(totalLength);
  const v = view(out);
  out[0] = 0x40 | (headerLength / 4);
  out[1] = (intOption(init.dscp ?? 0, 'dscp', 0, 63) << 2) | intOption(init.ecn ?? 0, 'ecn', 0, 3);
  v.setUint16(2, totalLength);
  v.setUint16(4, intOption(init.id ?? 0, 'id', 0, 0xffff));
  v.setUint16(
    6,
    (init.dontFragment ? 0x4000 : 0) | (init.moreFragments ? 0x2000 : 0) | (offset / 8),
  );
  out[8] = intOption(init.ttl ?? 64, 'ttl', 0, 255);
  out[9] = intOption(init.protocol, 'protocol', 0, 255);
  out.set(parseIPv4Address(init.src, 'src'), 12);
  out.set(parseIPv4Address(init.dst, 'dst'), 16);
  out.set(rawOptions, IPV4_HEADER_LENGTH);
  const checksum =
    init.checksum === undefined
      ? internetChecksum(out.subarray(0, headerLength))
      : intOption(init.checksum, 'checksum', 0, 0xffff);
  v.setUint16(10, checksum);
  out.set(payload, headerLength);
  return out;
}

export interface ParseIPv4Options {
  /**
   * Accept a packet cut short of its total length (the quoted datagram inside an ICMP error):
   * the payload is what is there.
   */
  partial?: boolean;
}

/** Parses and validates an IPv4 packet; a bad header checksum is flagged, not thrown. */
export function parseIPv4(bytes: Uint8Array, options: ParseIPv4Options = {}): IPv4Packet {
  need(bytes, IPV4_HEADER_LENGTH, 'IPv4 header');
  const version = (bytes[0] ?? 0) >> 4;
  if (version !== 4) throw new FrameInvalidError('IPv4 header', `version is ${version}, not 4`);
  const headerLength = ((bytes[0] ?? 0) & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LENGTH) {
    throw new FrameInvalidError('IPv4 header', `IHL ${headerLength / 4} is below the minimum of 5`);
  }
  need(bytes, headerLength, 'IPv4 header with options');
  const v = view(bytes);
  const totalLength = v.getUint16(2);
  if (totalLength < headerLength) {
    throw new FrameInvalidError(
      'IPv4 header',
      `total length ${totalLength} is shorter than the ${headerLength}-byte header`,
    );
  }
  if (!options.partial) need(bytes, totalLength, 'IPv4 packet');
  const flags = v.getUint16(6);
  const checksum = v.getUint16(10);
  return {
    version: 4,
    headerLength,
    dscp: (bytes[1] ?? 0) >> 2,
    ecn: (bytes[1] ?? 0) & 3,
    totalLength,
    id: v.getUint16(4),
    reservedFlag: (flags & 0x8000) !== 0,
    dontFragment: (flags & 0x4000) !== 0,
    moreFragments: (flags & 0x2000) !== 0,
    fragmentOffset: (flags & 0x1fff) * 8,
    ttl: bytes[8] ?? 0,
    protocol: bytes[9] ?? 0,
    checksum,
    // The sum over a correct header, checksum included, is 0xffff: its complement is 0.
    checksumValid: internetChecksum(bytes.subarray(0, headerLength)) === 0,
    src: formatIPv4Address(bytes, 12),
    dst: formatIPv4Address(bytes, 16),
    options: bytes.subarray(IPV4_HEADER_LENGTH, headerLength),
    payload: bytes.subarray(headerLength, Math.min(totalLength, bytes.length)),
  };
}

/** Whether the packet is a fragment (its payload is not a whole upper-layer message). */
export function isFragment(packet: Pick<IPv4Packet, 'moreFragments' | 'fragmentOffset'>): boolean {
  return packet.moreFragments || packet.fragmentOffset !== 0;
}
