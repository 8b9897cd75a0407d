import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { AbortedError, type Family, type Payload, TimeoutError } from '@netkit/udp';
import { MulticastSocket, type MulticastTarget } from './socket.js';

export interface CollectOptions {
  /** Milliseconds to wait for replies after the send (default 1000). */
  timeout?: number;
  /** Stop as soon as this many replies came. */
  count?: number;
  /** TTL / hop limit of the datagram (default 1, as in the seed: the local link only). */
  ttl?: number;
  /** Whether receivers on this host get the datagram too (the kernel's default is on). */
  loopback?: boolean;
  /** The outgoing interface, by name or address. */
  interface?: string;
  /** Rejects with ERR_NETKIT_ABORTED when it fires. */
  signal?: AbortSignal;
  /** A socket to send from (not closed afterwards); by default a fresh one, closed at the end. */
  socket?: MulticastSocket;
  /** Called with each reply as it arrives. */
  onReply?: (reply: GroupReply) => void;
  /** Called with the bytes sent once the datagram is out, before any reply is awaited. */
  onSent?: (bytes: number) => void;
}

/** One answer to a datagram sent to a group. */
export interface GroupReply {
  /** Who answered. */
  address: string;
  port: number;
  family: Family;
  /** What they answered (a Buffer, which is a Uint8Array). */
  data: Buffer;
  /** Milliseconds from the send to this reply. */
  time: number;
}

export interface CollectResult {
  replies: GroupReply[];
  /** Why collecting stopped: the timeout passed, or `count` replies came. */
  reason: 'timeout' | 'count';
  /** Bytes sent. */
  sent: number;
}

/**
 * Sends `payload` to a group and collects the unicast replies that come back to the sending
 * socket until the timeout passes or `count` replies came (the seed's sender, which prints
 * "Timed out, no more responses"). Always settles: with the replies, or ERR_NETKIT_ABORTED.
 * Replies already passed to `onReply` stay yours when it rejects (Ctrl-C can still summarize).
 */
export async function collectReplies(
  target: MulticastTarget,
  payload: Payload,
  options: CollectOptions = {},
): Promise<CollectResult> {
  const timeout = checkTimeout('timeout', options.timeout ?? 1000);
  const count =
    options.count === undefined ? undefined : checkInteger('count', options.count, 1, 2 ** 31);
  const signal = checkSignal('signal', options.signal);
  checkInteger('port', target?.port, 1, 65_535);
  const socket =
    options.socket ??
    new MulticastSocket({
      ttl: options.ttl ?? 1,
      ...(options.loopback !== undefined && { loopback: options.loopback }),
      ...(options.interface !== undefined && { interface: options.interface }),
    });
  if (options.socket) {
    if (options.ttl !== undefined) socket.setTTL(options.ttl);
    if (options.loopback !== undefined) socket.setLoopback(options.loopback);
    if (options.interface !== undefined) socket.setInterface(options.interface);
  }
  const replies: GroupReply[] = [];
  try {
    if (signal?.aborted) throw new AbortedError('collectReplies: aborted', signal.reason);
    const sent = await socket.send(payload, target);
    options.onSent?.(sent);
    const start = performance.now();
    const deadline = start + timeout;
    for (;;) {
      if (count !== undefined && replies.length >= count) return { replies, reason: 'count', sent };
      const left = deadline - performance.now();
      if (left <= 0) return { replies, reason: 'timeout', sent };
      let d: Awaited<ReturnType<MulticastSocket['receive']>>;
      try {
        d = await socket.receive({ timeout: Math.ceil(left), signal });
      } catch (err) {
        if (err instanceof TimeoutError) return { replies, reason: 'timeout', sent };
        throw err;
      }
      const reply: GroupReply = {
        address: d.address,
        port: d.port,
        family: d.family,
        data: d.data,
        time: performance.now() - start,
      };
      replies.push(reply);
      options.onReply?.(reply);
    }
  } finally {
    if (!options.socket) await socket.close();
  }
}
