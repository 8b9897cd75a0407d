// The frame codecs, re-exported by the package's index.
export {
  ARP_LENGTH,
  type ArpInit,
  ArpOperation,
  type ArpPacket,
  buildArp,
  parseArp,
} from './arp.js';
export { type DecodedFrame, type DecodeOptions, decodeFrame } from './decode.js';
export { FrameError, FrameInvalidError, FrameTruncatedError } from './errors.js';
export {
  buildEthernet,
  ETHERNET_HEADER_LENGTH,
  type EthernetFrame,
  type EthernetInit,
  EtherType,
  MIN_FRAME_LENGTH,
  parseEthernet,
  type VlanTag,
} from './ethernet.js';
export {
  buildIcmpv4,
  buildIcmpv4Echo,
  buildIcmpv4TimeExceeded,
  buildIcmpv4Unreachable,
  type EchoInit,
  ICMP_HEADER_LENGTH,
  type Icmpv4Init,
  type Icmpv4Message,
  Icmpv4Type,
  parseIcmpv4,
} from './icmpv4.js';
export {
  buildIcmpv6,
  buildIcmpv6Echo,
  type Icmpv6Init,
  type Icmpv6Message,
  Icmpv6Type,
  type Ipv6Endpoints,
  parseIcmpv6,
} from './icmpv6.js';
export {
  formatIPv4Address,
  formatIPv6Address,
  parseIPv4Address,
  parseIPv6Address,
} from './ip-address.js';
export {
  buildIPv4,
  IPV4_HEADER_LENGTH,
  type IPv4Init,
  type IPv4Packet,
  IpProtocol,
  isFragment,
  type ParseIPv4Options,
  parseIPv4,
} from './ipv4.js';
export {
  buildIPv6,
  IPV6_HEADER_LENGTH,
  type IPv6Init,
  type IPv6Packet,
  parseIPv6,
} from './ipv6.js';
export { BROADCAST_MAC, formatMac, isMac, parseMac } from './mac.js';
export { type SummaryOptions, summarizeFrame } from './summary.js';
export {
  buildUdp,
  type IpEndpoints,
  parseUdp,
  UDP_HEADER_LENGTH,
  type UdpDatagram,
  type UdpInit,
} from './udp.js';
