/** The 12-octet header (RFC 1035 4.1.1, with AD and CD from RFC 4035 3.2). */
import { DnsMalformedError } from './errors.js';

/** The header as it is on the wire: 4-bit rcode, the four section counts. */
export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** The header's 4 bits only; EDNS may extend it (see Message.rcode). */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/*
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 */
export const QR = 0x8000;
export const AA = 0x0400;
export const TC = 0x0200;
export const RD = 0x0100;
export const RA = 0x0080;
export const Z = 0x0040;
export const AD = 0x0020;
export const CD = 0x0010;

/**
 * Reads just the header: the ID, flags and counts of a message too broken to decode whole (to
 * match a reply to its query, or answer FORMERR with the right ID).
 */
export function decodeHeader(bytes: Uint8Array): Header {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('decodeHeader(bytes): bytes must be a Uint8Array');
  if (bytes.length < 12) {
    throw new DnsMalformedError(`header needs 12 octets, the message has ${bytes.length}`, 0);
  }
  const flags = (bytes[2]! << 8) | bytes[3]!;
  return {
    id: (bytes[0]! << 8) | bytes[1]!,
    qr: (flags & QR) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & AA) !== 0,
    tc: (flags & TC) !== 0,
    rd: (flags & RD) !== 0,
    ra: (flags & RA) !== 0,
    z: (flags & Z) !== 0,
    ad: (flags & AD) !== 0,
    cd: (flags & CD) !== 0,
    rcode: flags & 0xf,
    qdcount: (bytes[4]! << 8) | bytes[5]!,
    ancount: (bytes[6]! << 8) | bytes[7]!,
    nscount: (bytes[8]! << 8) | bytes[9]!,
    arcount: (bytes[10]! << 8) | bytes[11]!,
  };
}
