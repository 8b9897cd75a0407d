import { randomInt } from 'node:crypto';
import { checkInteger, toBuffer } from '@netkit/internal';
import { crc32 } from '../crc32.js';
import { MAX_UDP_PAYLOAD_IPV4 } from '../limits.js';
import type { Payload } from '../payload.js';
import { encodeFragmentHeader, FRAGMENT_HEADER_SIZE } from './header.js';

/** Default largest datagram a fragment fills: fits the IPv6 minimum MTU (1280) with headers to spare. */
export const DEFAULT_FRAGMENT_DATAGRAM_SIZE = 1200;

export interface FragmentOptions {
  /** Largest datagram payload, header included (default 1200, at most 65507). */
  maxDatagramSize?: number;
  /** The message id (u32); random by default, so concurrent senders rarely collide. */
  messageId?: number;
}

/** Splits a message into datagrams of at most maxDatagramSize bytes, each with a fragment header. */
export function fragmentMessage(message: Payload, options: FragmentOptions = {}): Buffer[] {
  const data = toBuffer(message, 'message');
  const size = checkInteger(
    'maxDatagramSize',
    options.maxDatagramSize ?? DEFAULT_FRAGMENT_DATAGRAM_SIZE,
    FRAGMENT_HEADER_SIZE + 1,
    MAX_UDP_PAYLOAD_IPV4,
  );
  const messageId = checkInteger(
    'messageId',
    options.messageId ?? randomInt(0, 2 ** 32 - 1),
    0,
    2 ** 32 - 1,
  );
  const chunk = size - FRAGMENT_HEADER_SIZE;
  const count = Math.max(1, Math.ceil(data.length / chunk));
  if (count > 0xffff || data.length > 0xffffffff) {
    throw new RangeError(
      `message of ${data.length} bytes needs ${count} fragments; at most 65535 fit (raise maxDatagramSize)`,
    );
  }
  const crc = crc32(data);
  const out: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * chunk;
    const part = data.subarray(offset, offset + chunk);
    const datagram = Buffer.allocUnsafe(FRAGMENT_HEADER_SIZE + part.length);
    encodeFragmentHeader({ messageId, index, count, length: data.length, offset, crc }, datagram);
    datagram.set(part, FRAGMENT_HEADER_SIZE);
    out.push(datagram);
  }
  return out;
}
