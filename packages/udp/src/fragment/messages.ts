import { checkSignal } from '@netkit/internal';
import { type Endpoint, formatEndpoint } from '../address.js';
import { AbortedError, FragmentError } from '../errors.js';
import type { Payload } from '../payload.js';
import type { UdpSocket } from '../socket.js';
import { delay } from '../wait.js';
import { type FragmentOptions, fragmentMessage } from './fragmenter.js';
import { decodeFragmentHeader } from './header.js';
import { Reassembler, type ReassemblerOptions, type ReassemblerStats } from './reassembler.js';

export interface SentMessage {
  messageId: number;
  fragments: number;
}

export interface SendMessageOptions extends FragmentOptions {
  /**
   * Bytes per second to send at most. UDP has no flow control: a burst larger than the
   * receiver's socket buffer is dropped by its kernel, so pace large messages to other processes
   * (RFC 8085 3.1). Unlimited by default.
   */
  rate?: number;
  signal?: AbortSignal;
}

/**
 * Sends a message of any size (up to 65535 fragments) as fragments, awaiting each send so a
 * large message honours the socket's backpressure, and pacing to `rate` when given.
 */
export async function sendMessage(
  socket: UdpSocket,
  message: Payload,
  target: Endpoint,
  options: SendMessageOptions = {},
): Promise<SentMessage> {
  const { rate, signal: rawSignal, ...fragmentOptions } = options;
  const signal = checkSignal('signal', rawSignal);
  if (rate !== undefined && !(rate > 0))
    throw new RangeError(`rate must be > 0 bytes per second, got ${rate}`);
  const fragments = fragmentMessage(message, fragmentOptions);
  const started = performance.now();
  let sent = 0;
  for (const fragment of fragments) {
    if (signal?.aborted) throw new AbortedError('sendMessage: aborted', signal.reason);
    await socket.send(fragment, target);
    sent += fragment.length;
    if (rate !== undefined) {
      // Sleep only when ahead by more than the timer's granularity, so pacing stays cheap.
      const ahead = started + (sent / rate) * 1000 - performance.now();
      if (ahead > 2) await delay(ahead, signal);
    }
  }
  const first = fragments[0]!;
  return { messageId: decodeFragmentHeader(first).messageId, fragments: fragments.length };
}

export interface ReceivedMessage {
  data: Buffer;
  address: string;
  port: number;
  messageId: number;
}

export interface ReceiveMessagesOptions extends ReassemblerOptions {
  /** Receives the reassembler's counters once the iteration ends. */
  onStats?: (stats: ReassemblerStats) => void;
}

/**
 * Iterates over whole messages rebuilt from the socket's datagrams, until the socket closes.
 * Malformed datagrams are skipped (counted in stats.malformed); lost messages go to onLost.
 */
export async function* receiveMessages(
  socket: UdpSocket,
  options: ReceiveMessagesOptions = {},
): AsyncGenerator<ReceivedMessage, void, undefined> {
  const reassembler = new Reassembler(options);
  try {
    for await (const datagram of socket) {
      let message: ReturnType<Reassembler['push']>;
      try {
        message = reassembler.push(datagram.data, formatEndpoint(datagram.address, datagram.port));
      } catch (err) {
        if (err instanceof FragmentError) continue;
        throw err;
      }
      if (message) {
        yield {
          data: message.data,
          address: datagram.address,
          port: datagram.port,
          messageId: message.messageId,
        };
      }
    }
  } finally {
    reassembler.close();
    options.onStats?.(reassembler.stats);
  }
}
