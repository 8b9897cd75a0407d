// The frames of the seeds (work/shared/seeds), byte for byte as the Python sources write them.

/** Seed "raw sockets in Python": the Ethernet header, the IPv4 header and ICMP echo, hard-coded. */
export const SEED_ETHERNET_HEADER = Uint8Array.of(
  0x00,
  0x23,
  0x69,
  0x3a,
  0xf4,
  0x7d,
  0x90,
  0x2b,
  0x34,
  0x60,
  0xdc,
  0x2f,
  0x08,
  0x00,
);
export const SEED_IP_HEADER = Uint8Array.of(
  0x45,
  0x00,
  0x00,
  0x54,
  0x80,
  0xc6,
  0x40,
  0x00,
  0x40,
  0x01,
  0x36,
  0x8a, // checksum - change this!
  0xc0,
  0xa8,
  0x01,
  0x07,
  0xc0,
  0xa8,
  0x01,
  0x01,
);
export const SEED_ICMP_HEADER = Uint8Array.of(
  0x08,
  0x00,
  0xc2,
  0x4d, // checksum - change this!
  0x00,
  0x00,
  0x00,
  0x01,
  0xab,
  0x5c,
  0x8a,
  0x54,
  0x00,
  0x00,
  0x00,
  0x00,
);
export const SEED_ICMP_DATA = new Uint8Array(48);

/** The whole ping frame as the seed sends it. */
export const SEED_PING_FRAME = Uint8Array.from([
  ...SEED_ETHERNET_HEADER,
  ...SEED_IP_HEADER,
  ...SEED_ICMP_HEADER,
  ...SEED_ICMP_DATA,
]);

/** The seed's "Hello" frame: dst and src 01:02:03:04:05:06, ethertype 0x0801 (unpadded, 19 bytes). */
export const SEED_HELLO_FRAME = Uint8Array.from([
  1,
  2,
  3,
  4,
  5,
  6,
  1,
  2,
  3,
  4,
  5,
  6,
  0x08,
  0x01,
  ...Buffer.from('Hello'),
]);

/**
 * A reference one's complement sum written differently from the package's (BigInt words, one
 * fold at the end), to check checksums without trusting the code under test.
 */
export function referenceSum(bytes: Uint8Array): number {
  let sum = 0n;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += BigInt(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  }
  while (sum > 0xffffn) sum = (sum & 0xffffn) + (sum >> 16n);
  return Number(sum);
}
