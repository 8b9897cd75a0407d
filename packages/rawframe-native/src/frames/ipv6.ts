// IPv6 fixed header (RFC 8200 3). Extension headers stay in the payload, named by nextHeader.
import { bytesOption, intOption, view } from './bytes.js';
import { FrameInvalidError, need } from './errors.js';
import { formatIPv6Address, parseIPv6Address } from './ip-address.js';

export const IPV6_HEADER_LENGTH = 40;

export interface IPv6Init {
  src: string;
  dst: string;
  nextHeader: number;
  payload?: Uint8Array;
  /** Default 64. */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export interface IPv6Packet {
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
  /** The payload up to the payload length: trailing Ethernet padding is left out. */
  payload: Uint8Array;
}

/** Builds an IPv6 packet with the payload length filled in. */
export function buildIPv6(init: IPv6Init): Uint8Array {
  const payload =
    init.payload === undefined ? new Uint8Array(0) : bytesOption(init.payload, 'payload');
  if (payload.length > 0xffff) {
    throw new RangeError(
      `payload of ${payload.length} bytes is over the 65535-byte IPv6 payload length (jumbograms are not supported)`,
    );
  }
  const out = new Uint8Array(IPV6_HEADER_LENGTH + payload.length);
  const v = view(out);
  const tc = intOption(init.trafficClass ?? 0, 'trafficClass', 0, 255);
  const flow = intOption(init.flowLabel ?? 0, 'flowLabel', 0, 0xfffff);
  v.setUint32(0, ((6 << 28) | (tc << 20) | flow) >>> 0);
  v.setUint16(4, payload.length);
  out[6] = intOption(init.nextHeader, 'nextHeader', 0, 255);
  out[7] = intOption(init.hopLimit ?? 64, 'hopLimit', 0, 255);
  out.set(parseIPv6Address(init.src, 'src'), 8);
  out.set(parseIPv6Address(init.dst, 'dst'), 24);
  out.set(payload, IPV6_HEADER_LENGTH);
  return out;
}

/** Parses and validates an IPv6 fixed header. */
export function parseIPv6(bytes: Uint8Array): IPv6Packet {
  need(bytes, IPV6_HEADER_LENGTH, 'IPv6 header');
  const v = view(bytes);
  const first = v.getUint32(0);
  const version = first >>> 28;
  if (version !== 6) throw new FrameInvalidError('IPv6 header', `version is ${version}, not 6`);
  const payloadLength = v.getUint16(4);
  need(bytes, IPV6_HEADER_LENGTH + payloadLength, 'IPv6 packet');
  return {
    version: 6,
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    payloadLength,
    nextHeader: bytes[6] ?? 0,
    hopLimit: bytes[7] ?? 0,
    src: formatIPv6Address(bytes, 8),
    dst: formatIPv6Address(bytes, 24),
    payload: bytes.subarray(IPV6_HEADER_LENGTH, IPV6_HEADER_LENGTH + payloadLength),
  };
}
