// A whole frame decoded layer by layer: Ethernet, then ARP or IPv4/IPv6, then ICMP or UDP.
import { type ArpPacket, parseArp } from './arp.js';
import { FrameError } from './errors.js';
import { type EthernetFrame, EtherType, parseEthernet } from './ethernet.js';
import { type Icmpv4Message, parseIcmpv4 } from './icmpv4.js';
import { type Icmpv6Message, parseIcmpv6 } from './icmpv6.js';
import { type IPv4Packet, IpProtocol, isFragment, parseIPv4 } from './ipv4.js';
import { type IPv6Packet, parseIPv6 } from './ipv6.js';
import { parseUdp, type UdpDatagram } from './udp.js';

export interface DecodedFrame {
  /** Bytes in the frame as given (padding included). */
  length: number;
  ethernet: EthernetFrame;
  arp?: ArpPacket;
  ipv4?: IPv4Packet;
  ipv6?: IPv6Packet;
  icmpv4?: Icmpv4Message;
  icmpv6?: Icmpv6Message;
  udp?: UdpDatagram;
  /** With `lenient`: why an inner layer could not be decoded (the layers before it are there). */
  error?: FrameError;
}

export interface DecodeOptions {
  /**
   * Record an inner layer's error in `error` instead of throwing it (for captures, where a snap
   * length or a broken peer must not hide the layers that did parse). The Ethernet header
   * itself must still be whole.
   */
  lenient?: boolean;
}

function decodeInner(frame: DecodedFrame): void {
  const { ethertype, payload } = frame.ethernet;
  if (ethertype === EtherType.ARP) {
    frame.arp = parseArp(payload);
  } else if (ethertype === EtherType.IPv4) {
    const ip = parseIPv4(payload);
    frame.ipv4 = ip;
    if (isFragment(ip)) return;
    if (ip.protocol === IpProtocol.ICMP) frame.icmpv4 = parseIcmpv4(ip.payload);
    else if (ip.protocol === IpProtocol.UDP) frame.udp = parseUdp(ip.payload, ip);
  } else if (ethertype === EtherType.IPv6) {
    const ip = parseIPv6(payload);
    frame.ipv6 = ip;
    if (ip.nextHeader === IpProtocol.ICMPv6) frame.icmpv6 = parseIcmpv6(ip.payload, ip);
    else if (ip.nextHeader === IpProtocol.UDP) frame.udp = parseUdp(ip.payload, ip);
  }
}

/**
 * Decodes every layer netkit knows. Throws FrameTruncatedError / FrameInvalidError on bad input,
 * or with `lenient` records inner errors in `error`.
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): DecodedFrame {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('decodeFrame: bytes must be a Uint8Array');
  const frame: DecodedFrame = { length: bytes.length, ethernet: parseEthernet(bytes) };
  try {
    decodeInner(frame);
  } catch (err) {
    if (!options.lenient || !(err instanceof FrameError)) throw err;
    frame.error = err;
  }
  return frame;
}
