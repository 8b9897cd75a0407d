/**
 * @packageDocumentation
 * `@netkit/rawframe-native`: raw Ethernet frames for Node.js on Linux.
 */

// ARP resolution, ping and capture over packet sockets.
export {
  arpReplyFrom,
  type ResolvedMac,
  type ResolveMacOptions,
  resolveMac,
} from './arp-resolve.js';
// AF_PACKET sockets (native addon), interface facts, BPF filters, checksums and errors.
export { type BpfInstruction, filters } from './bpf.js';
export {
  Capture,
  type CapturedFrame,
  type CaptureFilter,
  type CaptureOptions,
  capture,
  captureFilter,
} from './capture.js';
export {
  crc32,
  internetChecksum,
  onesComplementSum,
  pseudoHeaderSum,
  updateChecksum,
} from './checksum.js';
export {
  AbortedError,
  AddonLoadError,
  RawFrameError,
  RawFrameSystemError,
  SocketClosedError,
  TimeoutError,
} from './errors.js';
// Frame codecs (Ethernet, 802.1Q, ARP, IPv4, IPv6, ICMP, UDP), decoding and one-line summaries.
export * from './frames/index.js';
export { type InterfaceAddress, type InterfaceInfo, interfaceInfo } from './interfaces.js';
export {
  openPacketSocket,
  PacketSocket,
  type PacketSocketOptions,
  type PacketSocketStats,
  type PacketType,
  type ReceivedFrame,
  type ReceiveOptions,
} from './packet-socket.js';
// Classic pcap files: writer and reader.
export {
  LINKTYPE_ETHERNET,
  PcapError,
  type PcapFile,
  type PcapRecord,
  type PcapRecordInit,
  PcapWriter,
  type PcapWriterOptions,
  parsePcap,
  pcapHeader,
  pcapRecord,
  readPcapFile,
} from './pcap.js';
export { type PingOptions, type PingReply, PingSession, type PingSummary, ping } from './ping.js';
export { NoIPv4AddressError } from './source-address.js';
