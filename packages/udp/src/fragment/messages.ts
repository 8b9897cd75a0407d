import { type Endpoint, formatEndpoint } from '../address.js';
import { FragmentError } from '../errors.js';
import type { Payload } from '../payload.js';
import type { UdpSocket } from '../socket.js';
import { type FragmentOptions, fragmentMessage } from './fragmenter.js';
import { decodeFragmentHeader } from './header.js';
import { Reassembler, type ReassemblerOptions, type ReassemblerStats } from './reassembler.js';

export interface SentMessage {
  messageId: number;
  fragments: number;
}

/**
 * Sends a message of any size (up to 65535 fragments) as fragments, awaiting each send so a
 * large message honours the socket's backpressure.
 */
export async function sendMessage(
  socket: UdpSocket,
  message: Payload,
  target: Endpoint,
  options: FragmentOptions = {},
): Promise<SentMessage> {
  const fragments = fragmentMessage(message, options);
  for (const fragment of fragments) await socket.send(fragment, target);
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
        yield { data: message.data, address: datagram.address, port: datagram.port, messageId: message.messageId };
      }
    }
  } finally {
    reassembler.close();
    options.onStats?.(reassembler.stats);
  }
}
