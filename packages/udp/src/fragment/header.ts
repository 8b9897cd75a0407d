import { FragmentError } from '../errors.js';

/**
 * netkit fragment header, 24 bytes, big-endian, before each fragment's bytes:
 *
 *   0  magic "NK" (0x4e 0x4b)    2  version (1)      3  flags (0, reserved)
 *   4  message id (u32)          8  index (u16)     10  count (u16)
 *  12  message length (u32)     16  offset of this fragment's bytes in the message (u32)
 *  20  CRC-32 of the whole message (u32), checked after reassembly
 */
export const FRAGMENT_HEADER_SIZE = 24;
export const FRAGMENT_MAGIC = 0x4e4b;
export const FRAGMENT_VERSION = 1;

export interface FragmentHeader {
  messageId: number;
  index: number;
  count: number;
  /** Length of the whole message. */
  length: number;
  /** Where this fragment's bytes go in the message. */
  offset: number;
  /** CRC-32 of the whole message. */
  crc: number;
}

export function encodeFragmentHeader(h: FragmentHeader, target: Uint8Array, at = 0): void {
  const view = new DataView(target.buffer, target.byteOffset + at, FRAGMENT_HEADER_SIZE);
  view.setUint16(0, FRAGMENT_MAGIC);
  view.setUint8(2, FRAGMENT_VERSION);
  view.setUint8(3, 0);
  view.setUint32(4, h.messageId);
  view.setUint16(8, h.index);
  view.setUint16(10, h.count);
  view.setUint32(12, h.length);
  view.setUint32(16, h.offset);
  view.setUint32(20, h.crc);
}

/** Reads and checks a fragment's header; throws FragmentError (ERR_UDP_FRAGMENT_MALFORMED). */
export function decodeFragmentHeader(datagram: Uint8Array): FragmentHeader {
  if (datagram.length < FRAGMENT_HEADER_SIZE) {
    throw new FragmentError(
      `fragment of ${datagram.length} bytes is shorter than its ${FRAGMENT_HEADER_SIZE}-byte header`,
    );
  }
  const view = new DataView(datagram.buffer, datagram.byteOffset, FRAGMENT_HEADER_SIZE);
  if (view.getUint16(0) !== FRAGMENT_MAGIC)
    throw new FragmentError('not a netkit fragment (bad magic)');
  const version = view.getUint8(2);
  if (version !== FRAGMENT_VERSION)
    throw new FragmentError(`unsupported fragment version ${version}`);
  if (view.getUint8(3) !== 0) throw new FragmentError('reserved fragment flags are set');
  const header: FragmentHeader = {
    messageId: view.getUint32(4),
    index: view.getUint16(8),
    count: view.getUint16(10),
    length: view.getUint32(12),
    offset: view.getUint32(16),
    crc: view.getUint32(20),
  };
  const size = datagram.length - FRAGMENT_HEADER_SIZE;
  if (header.count === 0) throw new FragmentError('fragment count is 0');
  if (header.index >= header.count) {
    throw new FragmentError(
      `fragment index ${header.index} is not below its count ${header.count}`,
    );
  }
  if (header.offset + size > header.length) {
    throw new FragmentError(
      `fragment bytes ${header.offset}..${header.offset + size} run past the message length ${header.length}`,
    );
  }
  if (size === 0 && header.length !== 0)
    throw new FragmentError('empty fragment of a non-empty message');
  if (header.count > Math.max(1, header.length)) {
    throw new FragmentError(`${header.count} fragments cannot carry ${header.length} bytes`);
  }
  return header;
}
