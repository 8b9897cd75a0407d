// Internet checksum (RFC 1071), incremental update (RFC 1624), pseudo-header sums and CRC-32.
// This file holds the JS paths; the native addon takes over for large buffers (see the dispatch
// added with the addon), because a native call costs more than summing a 20-byte header.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { addon } from './addon.js';

/**
 * Folds a 32-bit-or-wider running sum to 16 bits (end-around carry).
 */
function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/**
 * One's complement sum of `bytes` as big-endian 16-bit words, added to `initial`, folded to 16 bits
 * but not complemented. Chain calls to sum data in pieces (each piece but the last must be even).
 */
export function onesComplementSumJs(bytes: Uint8Array, initial = 0): number {
  // High and low bytes summed apart (two adds per word instead of shift, or, add), two words per
  // iteration; (hi << 8) + lo is the same sum. Exact in doubles for any buffer under 2^44 bytes.
  let hi = 0;
  let lo = 0;
  const n = bytes.length;
  const even = n & ~1;
  let i = 0;
  for (; i + 3 < even; i += 4) {
    hi += bytes[i]! + bytes[i + 2]!;
    lo += bytes[i + 1]! + bytes[i + 3]!;
  }
  if (i < even) {
    hi += bytes[i]!;
    lo += bytes[i + 1]!;
  }
  if (n & 1) hi += bytes[n - 1]!;
  return fold(initial + hi * 256 + lo);
}

/** RFC 1071 Internet checksum of `bytes` (plus an `initial` partial sum), in the JS loop. */
export function internetChecksumJs(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSumJs(bytes, initial) & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// Public API: the JS loop for short buffers, the native addon above the measured crossover.

/**
 * Below this many bytes the JS loop is faster than a call into the addon. Measured on Node 20.20,
 * x86-64 (2 shared vCPUs), calls/s in millions, JS loop vs addon: 64 B 8.7 vs 3.0, 128 B 4.5 vs
 * 3.5, 192 B 2.3 vs 2.5, 256 B 3.2 vs 4.2, 1024 B 0.63 vs 2.7; so the addon from 256 B (the margin
 * covers the noise). bench/rawframe-checksum.mjs has the figures at 20 B to 64 KiB.
 */
export const CROSSOVER_SUM = 256;
/**
 * CRC-32, same machine, calls/s in millions, JS table / addon slice-by-8 / zlib.crc32: 20 B
 * 14.5/-/11.6, 32 B 5.0/2.4/4.1, 64 B -/3.8/4.4, 1500 B -/1.25/1.28, 64 KiB -/0.044/0.041. The addon
 * never clearly beats zlib.crc32 (SIMD folding), so the public crc32 uses the JS table below 48 B
 * and zlib.crc32 from there; the addon's crc32 stays for tests and callers of the raw binding.
 */
export const CROSSOVER_CRC_ZLIB = 48;

function checkBytes(bytes: unknown, name = 'bytes'): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw Object.assign(new TypeError(`${name} must be a Uint8Array or Buffer`), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
}

function checkWord(name: string, value: unknown, max = 0xffff): number {
  if (typeof value !== 'number') {
    throw Object.assign(new TypeError(`${name} must be a number`), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw Object.assign(new RangeError(`${name} must be an integer from 0 to ${max}`), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
  return value;
}

/**
 * One's complement sum of `bytes` as big-endian 16-bit words plus `initial` (a partial sum, e.g.
 * from pseudoHeaderSum), folded to 16 bits and NOT complemented. Chainable: pass the result as
 * `initial` of the next piece (every piece but the last must have an even length).
 */
export function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  checkBytes(bytes);
  if (initial !== 0) checkWord('initial', initial, 0xffffffff);
  if (bytes.length < CROSSOVER_SUM) return onesComplementSumJs(bytes, initial);
  return addon().onesComplementSum(bytes, initial);
}

/** RFC 1071 Internet checksum (complemented, 0..0xffff) of `bytes` plus an `initial` partial sum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  // Most calls are 20-byte IPv4 headers: this path is onesComplementSumJs written out in this
  // one function, with no call left, because at 20 B a call and a fold loop cost ~15%.
  // 256 is CROSSOVER_SUM, written out: a module binding costs a load and a hole check per call.
  if (bytes instanceof Uint8Array && initial === 0 && bytes.length < 256) {
    let hi = 0;
    let lo = 0;
    const n = bytes.length;
    const even = n & ~1;
    let i = 0;
    // Four words an iteration from 48 B (measured 1.07x the plain loop at 64 B, 1.25x at 200 B);
    // below that the setup costs more than it saves.
    if (n >= 48) {
      for (; i + 7 < n; i += 8) {
        hi += bytes[i]! + bytes[i + 2]! + bytes[i + 4]! + bytes[i + 6]!;
        lo += bytes[i + 1]! + bytes[i + 3]! + bytes[i + 5]! + bytes[i + 7]!;
      }
    }
    for (; i + 3 < even; i += 4) {
      hi += bytes[i]! + bytes[i + 2]!;
      lo += bytes[i + 1]! + bytes[i + 3]!;
    }
    if (i < even) {
      hi += bytes[i]!;
      lo += bytes[i + 1]!;
    }
    if (n & 1) hi += bytes[n - 1]!;
    let sum = hi * 256 + lo; // < 2^24 here: two folds suffice
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }
  return ~onesComplementSum(bytes, initial) & 0xffff;
}

/**
 * RFC 1624 eqn. 3 incremental update: the new checksum after one 16-bit word of the covered data
 * changes from `oldWord` to `newWord`, without summing the data again: HC' = ~(~HC + ~m + m').
 */
export function updateChecksum(oldChecksum: number, oldWord: number, newWord: number): number {
  checkWord('oldChecksum', oldChecksum);
  checkWord('oldWord', oldWord);
  checkWord('newWord', newWord);
  return ~fold((~oldChecksum & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}

/**
 * The UDP/TCP/ICMPv6 pseudo-header sum: 4-byte addresses give the IPv4 one (RFC 768/793), 16-byte
 * addresses the IPv6 one (RFC 8200 8.1). Pass the result as `initial` when summing the segment.
 */
export function pseudoHeaderSum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): number {
  checkBytes(src, 'src');
  checkBytes(dst, 'dst');
  if (!((src.length === 4 && dst.length === 4) || (src.length === 16 && dst.length === 16))) {
    throw Object.assign(
      new RangeError('src and dst must both be 4 bytes (IPv4) or both 16 bytes (IPv6)'),
      { code: 'ERR_OUT_OF_RANGE' },
    );
  }
  checkWord('protocol', protocol, 0xff);
  checkWord('length', length, src.length === 4 ? 0xffff : 0xffffffff);
  const sum = onesComplementSumJs(src, onesComplementSumJs(dst, 0));
  // IPv6 carries a 32-bit length; its high word adds zero for anything under 64 KiB.
  return fold(sum + protocol + (length & 0xffff) + Math.floor(length / 0x10000));
}

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable) return crcTable;
  crcTable = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crcTable[i] = c >>> 0;
  }
  return crcTable;
}

/** CRC-32 (IEEE 802.3, as zlib.crc32) in a JS table loop; for short buffers. */
export function crc32Js(bytes: Uint8Array, initial = 0): number {
  const t = table();
  let c = ~initial;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 (IEEE 802.3: the Ethernet FCS, as zlib.crc32), continuing from `initial`. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  checkBytes(bytes);
  if (initial !== 0) checkWord('initial', initial, 0xffffffff);
  if (bytes.length < CROSSOVER_CRC_ZLIB) return crc32Js(bytes, initial);
  return zlibCrc32(bytes, initial);
}
