import { checkInteger, checkTimeout } from '@netkit/internal';
import { crc32 } from '../crc32.js';
import { decodeFragmentHeader, FRAGMENT_HEADER_SIZE, type FragmentHeader } from './header.js';

export type LostReason =
  /** Fragments were still missing when the timeout passed. */
  | 'timeout'
  /** Dropped to keep buffered bytes or pending messages under their caps. */
  | 'memory'
  /** Fragments disagreed with each other, or the CRC-32 of the whole did not match. */
  | 'corrupt'
  /** The header announced a message larger than maxMessageSize. */
  | 'too-large'
  /** The reassembler was closed first. */
  | 'closed';

export interface LostMessage {
  messageId: number;
  /** The source key given to push(), e.g. "127.0.0.1:5000". */
  source: string;
  reason: LostReason;
  /** Distinct fragments that had arrived, out of count. */
  received: number;
  count: number;
  length: number;
}

export interface CompleteMessage {
  messageId: number;
  source: string;
  data: Buffer;
}

export interface ReassemblerOptions {
  /** Milliseconds a message may stay incomplete after its first fragment (default 5000). */
  timeout?: number;
  /** Bytes held across all incomplete messages (default 64 MiB); the oldest is dropped beyond it. */
  maxBufferedBytes?: number;
  /** Largest message accepted (default 16 MiB, at most maxBufferedBytes). */
  maxMessageSize?: number;
  /** Incomplete messages held at once (default 1024); the oldest is dropped beyond it. */
  maxPendingMessages?: number;
  /** Called for every message that will not be delivered, with why. */
  onLost?: (lost: LostMessage) => void;
}

export interface ReassemblerStats {
  delivered: number;
  lost: number;
  /** Fragments seen again (already held, or of a message already delivered or lost). */
  duplicates: number;
  /** Datagrams whose header was malformed. */
  malformed: number;
  /** Bytes held now, and the most ever held. */
  bufferedBytes: number;
  peakBufferedBytes: number;
  pending: number;
}

interface Pending {
  key: string;
  source: string;
  header: FragmentHeader;
  parts: Map<number, { offset: number; data: Buffer }>;
  bytes: number;
  deadline: number;
}

/** Memory charged per fragment beyond its bytes (map entry, objects), so tiny fragments count too. */
const FRAGMENT_OVERHEAD = 96;
/** How many finished (delivered or lost) message keys are remembered to recognize late duplicates. */
const FINISHED_MEMORY = 8192;

/**
 * Rebuilds messages from fragments that may arrive lost, duplicated or reordered. A message is
 * delivered byte-identical (checked with its CRC-32) or reported lost through onLost; memory stays
 * under maxBufferedBytes whatever arrives.
 */
export class Reassembler {
  readonly #timeout: number;
  readonly #maxBufferedBytes: number;
  readonly #maxMessageSize: number;
  readonly #maxPending: number;
  readonly #onLost: ((lost: LostMessage) => void) | undefined;
  readonly #pending = new Map<string, Pending>();
  /** Keys of delivered or lost messages, oldest first, so late duplicates are recognized. */
  readonly #finished = new Set<string>();
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #stats = { delivered: 0, lost: 0, duplicates: 0, malformed: 0, peakBufferedBytes: 0 };

  constructor(options: ReassemblerOptions = {}) {
    this.#timeout = checkTimeout('timeout', options.timeout ?? 5000);
    this.#maxBufferedBytes = checkInteger(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? 64 * 2 ** 20,
      1,
      2 ** 40,
    );
    this.#maxMessageSize = checkInteger(
      'maxMessageSize',
      options.maxMessageSize ?? 16 * 2 ** 20,
      0,
      2 ** 32 - 1,
    );
    if (this.#maxMessageSize > this.#maxBufferedBytes) {
      throw new RangeError(
        `maxMessageSize (${this.#maxMessageSize}) must not exceed maxBufferedBytes (${this.#maxBufferedBytes})`,
      );
    }
    this.#maxPending = checkInteger(
      'maxPendingMessages',
      options.maxPendingMessages ?? 1024,
      1,
      2 ** 24,
    );
    this.#onLost = options.onLost;
  }

  get stats(): ReassemblerStats {
    return { ...this.#stats, bufferedBytes: this.#buffered, pending: this.#pending.size };
  }

  /**
   * Takes one datagram from `source`. Returns the message when this fragment completes it.
   * Throws FragmentError for a malformed header (counted); the reassembler stays usable.
   */
  push(datagram: Uint8Array, source: string, now = performance.now()): CompleteMessage | undefined {
    if (this.#closed) return undefined;
    let header: FragmentHeader;
    try {
      header = decodeFragmentHeader(datagram);
    } catch (err) {
      this.#stats.malformed++;
      throw err;
    }
    this.#expire(now);
    const key = `${source}#${header.messageId}`;
    if (this.#finished.has(key)) {
      this.#stats.duplicates++;
      return undefined;
    }
    const body = Buffer.from(
      datagram.buffer,
      datagram.byteOffset + FRAGMENT_HEADER_SIZE,
      datagram.length - FRAGMENT_HEADER_SIZE,
    );
    if (header.length > this.#maxMessageSize) {
      this.#lose({ key, source, header, parts: new Map(), bytes: 0, deadline: 0 }, 'too-large');
      return undefined;
    }
    if (header.count === 1) return this.#complete(key, source, header, [{ offset: 0, data: body }]);

    let entry = this.#pending.get(key);
    if (!entry) {
      if (this.#pending.size >= this.#maxPending) this.#evictOldest();
      entry = { key, source, header, parts: new Map(), bytes: 0, deadline: now + this.#timeout };
      this.#pending.set(key, entry);
      this.#startTimer();
    } else if (!sameMessage(entry.header, header)) {
      this.#lose(entry, 'corrupt');
      return undefined;
    }
    const seen = entry.parts.get(header.index);
    if (seen) {
      if (seen.offset !== header.offset || seen.data.length !== body.length)
        this.#lose(entry, 'corrupt');
      else this.#stats.duplicates++;
      return undefined;
    }
    const cost = body.length + FRAGMENT_OVERHEAD;
    while (this.#buffered + cost > this.#maxBufferedBytes) {
      const oldest = this.#pending.values().next().value as Pending;
      this.#lose(oldest, 'memory');
      if (oldest === entry) return undefined;
    }
    // Copy: a fragment's Buffer may be a view into a larger one the caller reuses.
    entry.parts.set(header.index, { offset: header.offset, data: Buffer.from(body) });
    entry.bytes += cost;
    this.#buffered += cost;
    if (this.#buffered > this.#stats.peakBufferedBytes)
      this.#stats.peakBufferedBytes = this.#buffered;
    if (entry.parts.size < header.count) return undefined;
    this.#forget(entry);
    return this.#complete(key, source, header, [...entry.parts.values()]);
  }

  #complete(
    key: string,
    source: string,
    header: FragmentHeader,
    parts: { offset: number; data: Buffer }[],
  ): CompleteMessage | undefined {
    parts.sort((a, b) => a.offset - b.offset);
    const data = Buffer.allocUnsafe(header.length);
    let at = 0;
    for (const part of parts) {
      if (part.offset !== at) break; // a gap or an overlap: the fragments do not tile the message
      part.data.copy(data, at);
      at += part.data.length;
    }
    if (at !== header.length || crc32(data) !== header.crc) {
      this.#lose(
        { key, source, header, parts: new Map(parts.map((p, i) => [i, p])), bytes: 0, deadline: 0 },
        'corrupt',
      );
      return undefined;
    }
    this.#remember(key);
    this.#stats.delivered++;
    return { messageId: header.messageId, source, data };
  }

  #lose(entry: Pending, reason: LostReason): void {
    if (this.#pending.get(entry.key) === entry) this.#forget(entry);
    this.#remember(entry.key);
    this.#stats.lost++;
    const { messageId, count, length } = entry.header;
    this.#onLost?.({
      messageId,
      source: entry.source,
      reason,
      received: entry.parts.size,
      count,
      length,
    });
  }

  #forget(entry: Pending): void {
    this.#pending.delete(entry.key);
    this.#buffered -= entry.bytes;
    if (this.#pending.size === 0) this.#stopTimer();
  }

  #remember(key: string): void {
    // Remembered by count, not time: a duplicate may arrive long after its message finished.
    this.#finished.add(key);
    if (this.#finished.size > FINISHED_MEMORY) {
      this.#finished.delete(this.#finished.values().next().value as string);
    }
  }

  #evictOldest(): void {
    const oldest = this.#pending.values().next().value as Pending | undefined;
    if (oldest) this.#lose(oldest, 'memory');
  }

  /** Reports every message past its deadline as lost ('timeout'); runs on a timer and on push. */
  #expire(now = performance.now()): void {
    // Map order is insertion order and every deadline is first-fragment + timeout: oldest first.
    for (const entry of this.#pending.values()) {
      if (entry.deadline > now) break;
      this.#lose(entry, 'timeout');
    }
  }

  #startTimer(): void {
    if (this.#timer) return;
    const every = Math.max(10, Math.min(1000, this.#timeout / 4));
    this.#timer = setInterval(() => this.#expire(), every);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reports every incomplete message as lost ('closed') and stops the timer. */
  close(): void {
    if (this.#closed) return;
    for (const entry of [...this.#pending.values()]) this.#lose(entry, 'closed');
    this.#closed = true;
    this.#stopTimer();
  }
}

function sameMessage(a: FragmentHeader, b: FragmentHeader): boolean {
  return a.count === b.count && a.length === b.length && a.crc === b.crc;
}
