// Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html): a 24-byte global
// header, then a 16-byte record header before each frame. Written little-endian; read in either
// byte order, with microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FrameError } from './frames/errors.js';

export const LINKTYPE_ETHERNET = 1;
const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Largest record a reader accepts: a corrupt length must not make it allocate gigabytes. */
const MAX_RECORD = 256 * 1024;

/** Thrown by the pcap reader for a file that is not a classic pcap file or is cut short. */
export class PcapError extends FrameError {
  declare readonly code: 'ERR_PCAP_INVALID' | 'ERR_PCAP_TRUNCATED';
  constructor(code: 'ERR_PCAP_INVALID' | 'ERR_PCAP_TRUNCATED', message: string) {
    super(code, message);
  }
}

export interface PcapWriterOptions {
  /** Frames longer than this are cut, keeping their original length (default 65535). */
  snapLength?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Default 1 (LINKTYPE_ETHERNET). */
  linkType?: number;
}

export interface PcapRecordInit {
  /** Nanoseconds since the epoch (ReceivedFrame.timestamp); default now. */
  timestamp?: bigint;
  /** Length on the wire when `data` is already cut; default data.length. */
  originalLength?: number;
}

export interface PcapRecord {
  /** Nanoseconds since the epoch (microsecond files: a multiple of 1000). */
  timestamp: bigint;
  originalLength: number;
  data: Uint8Array;
}

export interface PcapFile {
  nanosecond: boolean;
  /** Whether the file was written big-endian. */
  bigEndian: boolean;
  version: { major: number; minor: number };
  snapLength: number;
  linkType: number;
  records: PcapRecord[];
}

function checkInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** The 24-byte global header. */
export function pcapHeader(options: PcapWriterOptions = {}): Uint8Array {
  const out = new Uint8Array(GLOBAL_HEADER);
  const v = new DataView(out.buffer);
  v.setUint32(0, options.nanosecond ? MAGIC_NANO : MAGIC_MICRO, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, checkInt(options.snapLength ?? 65535, 'snapLength', 1, 0x7fffffff), true);
  v.setUint32(20, checkInt(options.linkType ?? LINKTYPE_ETHERNET, 'linkType', 0, 0xffff), true);
  return out;
}

/** One record (header and data, cut to `snapLength`). */
export function pcapRecord(
  data: Uint8Array,
  init: PcapRecordInit = {},
  options: PcapWriterOptions = {},
): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  const snap = options.snapLength ?? 65535;
  const kept = Math.min(data.length, snap);
  const original = checkInt(
    init.originalLength ?? data.length,
    'originalLength',
    data.length,
    0xffffffff,
  );
  const ns = init.timestamp ?? BigInt(Date.now()) * 1_000_000n;
  if (typeof ns !== 'bigint' || ns < 0n)
    throw new TypeError('timestamp must be a non-negative bigint of nanoseconds');
  const out = new Uint8Array(RECORD_HEADER + kept);
  const v = new DataView(out.buffer);
  v.setUint32(0, Number(ns / 1_000_000_000n), true);
  v.setUint32(
    4,
    Number(options.nanosecond ? ns % 1_000_000_000n : (ns % 1_000_000_000n) / 1000n),
    true,
  );
  v.setUint32(8, kept, true);
  v.setUint32(12, original, true);
  out.set(data.subarray(0, kept), RECORD_HEADER);
  return out;
}

/** Streams frames to a pcap file. Writes wait when the file is behind (backpressure). */
export class PcapWriter implements AsyncDisposable {
  readonly path: string;
  /** Records written so far. */
  count = 0;
  readonly #options: PcapWriterOptions;
  readonly #stream: WriteStream;
  #closed = false;

  private constructor(path: string, stream: WriteStream, options: PcapWriterOptions) {
    this.path = path;
    this.#stream = stream;
    this.#options = options;
  }

  /** Creates (or truncates) `path` and writes the global header. */
  static async open(path: string, options: PcapWriterOptions = {}): Promise<PcapWriter> {
    const header = pcapHeader(options);
    const stream = createWriteStream(path);
    await Promise.race([
      once(stream, 'open'),
      once(stream, 'error').then(([err]) => {
        throw err;
      }),
    ]);
    const writer = new PcapWriter(path, stream, { ...options });
    stream.write(header);
    return writer;
  }

  /** Appends one frame; pass a ReceivedFrame as `init` to keep its timestamp and original length. */
  async write(data: Uint8Array, init: PcapRecordInit = {}): Promise<void> {
    if (this.#closed)
      throw new PcapError('ERR_PCAP_INVALID', `writing ${this.path}: the writer is closed`);
    const record = pcapRecord(data, init, this.#options);
    this.count++;
    if (!this.#stream.write(record)) await once(this.#stream, 'drain');
  }

  /** Flushes and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve, reject) => {
      this.#stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Parses a whole classic pcap file held in memory. */
export function parsePcap(bytes: Uint8Array): PcapFile {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length < GLOBAL_HEADER) {
    throw new PcapError(
      'ERR_PCAP_TRUNCATED',
      `not a pcap file: ${bytes.length} bytes, the header alone is 24`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = v.getUint32(0, true);
  const magicBE = v.getUint32(0, false);
  let little: boolean;
  let nanosecond: boolean;
  if (magicLE === MAGIC_MICRO || magicLE === MAGIC_NANO) {
    little = true;
    nanosecond = magicLE === MAGIC_NANO;
  } else if (magicBE === MAGIC_MICRO || magicBE === MAGIC_NANO) {
    little = false;
    nanosecond = magicBE === MAGIC_NANO;
  } else if (magicLE === PCAPNG_MAGIC) {
    throw new PcapError(
      'ERR_PCAP_INVALID',
      'this is a pcapng file, not classic pcap (convert it with `editcap -F pcap IN OUT`, or capture with `tshark -F pcap`)',
    );
  } else {
    throw new PcapError(
      'ERR_PCAP_INVALID',
      `not a pcap file: magic 0x${magicBE.toString(16).padStart(8, '0')}`,
    );
  }
  const major = v.getUint16(4, little);
  const minor = v.getUint16(6, little);
  if (major !== 2)
    throw new PcapError('ERR_PCAP_INVALID', `unsupported pcap version ${major}.${minor}`);
  const snapLength = v.getUint32(16, little);
  // The top bits of the link-type word may carry the FCS length (pcap-savefile(5)).
  const linkType = v.getUint32(20, little) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let offset = GLOBAL_HEADER;
  while (offset < bytes.length) {
    if (bytes.length - offset < RECORD_HEADER) {
      throw new PcapError(
        'ERR_PCAP_TRUNCATED',
        `record ${records.length + 1} at byte ${offset}: header cut short`,
      );
    }
    const seconds = v.getUint32(offset, little);
    const fraction = v.getUint32(offset + 4, little);
    const included = v.getUint32(offset + 8, little);
    const original = v.getUint32(offset + 12, little);
    if (fraction >= (nanosecond ? 1_000_000_000 : 1_000_000)) {
      throw new PcapError(
        'ERR_PCAP_INVALID',
        `record ${records.length + 1} at byte ${offset}: sub-second field ${fraction} out of range`,
      );
    }
    if (included > MAX_RECORD || included > Math.max(snapLength, 65535)) {
      throw new PcapError(
        'ERR_PCAP_INVALID',
        `record ${records.length + 1} at byte ${offset}: length ${included} is over the snap length ${snapLength}`,
      );
    }
    const start = offset + RECORD_HEADER;
    if (bytes.length - start < included) {
      throw new PcapError(
        'ERR_PCAP_TRUNCATED',
        `record ${records.length + 1} at byte ${offset}: needs ${included} bytes, ${bytes.length - start} left`,
      );
    }
    records.push({
      timestamp: BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * (nanosecond ? 1n : 1000n),
      originalLength: original,
      data: bytes.subarray(start, start + included),
    });
    offset = start + included;
  }
  return {
    nanosecond,
    bigEndian: !little,
    version: { major, minor },
    snapLength,
    linkType,
    records,
  };
}

/** Reads and parses a classic pcap file. */
export async function readPcapFile(path: string): Promise<PcapFile> {
  return parsePcap(await readFile(path));
}
