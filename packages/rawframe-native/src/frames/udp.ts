// UDP (RFC 768) over IPv4 or IPv6 (RFC 8200 8.1): the checksum covers the pseudo-header.
import { bytesOption, intOption, view } from './bytes.js';
import { FrameInvalidError, need } from './errors.js';
import { ipBytes } from './ip-address.js';
import { IpProtocol } from './ipv4.js';
import { internetChecksum, pseudoHeaderSum } from './sum.js';

export const UDP_HEADER_LENGTH = 8;

/** The addresses of the IP packet carrying the datagram (both IPv4 or both IPv6). */
export interface IpEndpoints {
  src: string | Uint8Array;
  dst: string | Uint8Array;
}

export interface UdpInit {
  srcPort: number;
  dstPort: number;
  payload?: Uint8Array;
  /** IPv4 only: send checksum 0, "not computed" (RFC 768). IPv6 requires a checksum. */
  noChecksum?: boolean;
}

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  /** The length field: header plus payload. */
  length: number;
  checksum: number;
  /** False when the sender left the checksum out (0, IPv4 only). */
  checksumPresent: boolean;
  /** True when the checksum matches, or is absent on IPv4. A zero checksum on IPv6 is invalid. */
  checksumValid: boolean;
  payload: Uint8Array;
}

function addresses(ip: IpEndpoints): [Uint8Array, Uint8Array] {
  const src = ipBytes(ip.src, 'src');
  const dst = ipBytes(ip.dst, 'dst');
  if (src.length !== dst.length) throw new TypeError('src and dst must both be IPv4 or both IPv6');
  return [src, dst];
}

/** Builds a UDP datagram with its length and checksum filled in. */
export function buildUdp(init: UdpInit, ip: IpEndpoints): Uint8Array {
  const payload =
    init.payload === undefined ? new Uint8Array(0) : bytesOption(init.payload, 'payload');
  const [src, dst] = addresses(ip);
  const length = UDP_HEADER_LENGTH + payload.length;
  if (length > 0xffff)
    throw new RangeError(`payload of ${payload.length} bytes is over the UDP limit`);
  if (init.noChecksum && src.length === 16)
    throw new RangeError('noChecksum: IPv6 requires a UDP checksum');
  const out = new Uint8Array(length);
  const v = view(out);
  v.setUint16(0, intOption(init.srcPort, 'srcPort', 0, 0xffff));
  v.setUint16(2, intOption(init.dstPort, 'dstPort', 0, 0xffff));
  v.setUint16(4, length);
  out.set(payload, UDP_HEADER_LENGTH);
  if (!init.noChecksum) {
    const sum = internetChecksum(out, pseudoHeaderSum(src, dst, IpProtocol.UDP, length));
    // A computed 0 is sent as 0xffff: 0 means "no checksum" (RFC 768).
    v.setUint16(6, sum === 0 ? 0xffff : sum);
  }
  return out;
}

/** Parses a UDP datagram; the payload ends at the length field, a bad checksum is flagged. */
export function parseUdp(bytes: Uint8Array, ip: IpEndpoints): UdpDatagram {
  need(bytes, UDP_HEADER_LENGTH, 'UDP header');
  const v = view(bytes);
  const length = v.getUint16(4);
  if (length < UDP_HEADER_LENGTH) {
    throw new FrameInvalidError('UDP header', `length ${length} is shorter than the 8-byte header`);
  }
  need(bytes, length, 'UDP datagram');
  const [src, dst] = addresses(ip);
  const checksum = v.getUint16(6);
  const datagram = bytes.subarray(0, length);
  const present = checksum !== 0;
  const valid = present
    ? internetChecksum(datagram, pseudoHeaderSum(src, dst, IpProtocol.UDP, length)) === 0
    : src.length === 4;
  return {
    srcPort: v.getUint16(0),
    dstPort: v.getUint16(2),
    length,
    checksum,
    checksumPresent: present,
    checksumValid: valid,
    payload: bytes.subarray(UDP_HEADER_LENGTH, length),
  };
}
