// Frames and namespaces for the packet-socket tests (independent of the frame codecs on purpose).
import { readdirSync } from 'node:fs';

/** An experimental EtherType (IEEE 802 local experimental 1): nothing else on the link uses it. */
export const TEST_ETHERTYPE = 0x88b5;

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replaceAll(':', ''), 'hex');
}

/** A 60-byte Ethernet II frame `src -> dst` with `ethertype` and `payload` (zero padded). */
export function frame(
  dst: string,
  src: string,
  payload = 'hello',
  ethertype = TEST_ETHERTYPE,
  size = 60,
): Buffer {
  const f = Buffer.alloc(Math.max(size, 14 + Buffer.byteLength(payload)));
  macBytes(dst).copy(f, 0);
  macBytes(src).copy(f, 6);
  f.writeUInt16BE(ethertype, 12);
  f.write(payload, 14);
  return f;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
