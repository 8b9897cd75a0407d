// ARP for IPv4 over Ethernet (RFC 826).
import { intOption, view } from './bytes.js';
import { FrameInvalidError, need } from './errors.js';
import { formatIPv4Address, parseIPv4Address } from './ip-address.js';
import { formatMac, macBytes } from './mac.js';

export const ARP_LENGTH = 28;
export const ArpOperation = { Request: 1, Reply: 2 } as const;

export interface ArpInit {
  /** 1 request (default), 2 reply. */
  operation?: number;
  senderMac: string | Uint8Array;
  senderIp: string;
  /** Unknown in a request: 00:00:00:00:00:00 (the default). */
  targetMac?: string | Uint8Array;
  targetIp: string;
}

export interface ArpPacket {
  operation: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** Builds the 28-byte ARP packet (the Ethernet payload; ethertype 0x0806). */
export function buildArp(init: ArpInit): Uint8Array {
  const out = new Uint8Array(ARP_LENGTH);
  const v = view(out);
  v.setUint16(0, 1); // hardware type: Ethernet
  v.setUint16(2, 0x0800); // protocol type: IPv4
  out[4] = 6;
  out[5] = 4;
  v.setUint16(6, intOption(init.operation ?? ArpOperation.Request, 'operation', 1, 0xffff));
  out.set(macBytes(init.senderMac, 'senderMac'), 8);
  out.set(parseIPv4Address(init.senderIp, 'senderIp'), 14);
  out.set(macBytes(init.targetMac ?? new Uint8Array(6), 'targetMac'), 18);
  out.set(parseIPv4Address(init.targetIp, 'targetIp'), 24);
  return out;
}

/** Parses an ARP packet; only IPv4 over Ethernet is accepted. Trailing padding is ignored. */
export function parseArp(bytes: Uint8Array): ArpPacket {
  need(bytes, 8, 'ARP header');
  const v = view(bytes);
  const htype = v.getUint16(0);
  const ptype = v.getUint16(2);
  if (htype !== 1 || ptype !== 0x0800 || bytes[4] !== 6 || bytes[5] !== 4) {
    throw new FrameInvalidError(
      'ARP packet',
      `hardware type ${htype}, protocol 0x${ptype.toString(16).padStart(4, '0')}, lengths ${bytes[4]}/${bytes[5]}: only IPv4 over Ethernet (1, 0x0800, 6/4) is supported`,
    );
  }
  need(bytes, ARP_LENGTH, 'ARP packet');
  return {
    operation: v.getUint16(6),
    senderMac: formatMac(bytes, 8),
    senderIp: formatIPv4Address(bytes, 14),
    targetMac: formatMac(bytes, 18),
    targetIp: formatIPv4Address(bytes, 24),
  };
}
