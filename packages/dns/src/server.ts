import { createServer as createTcpServer, lengthPrefixed, type TcpServer } from '@netkit/tcp';
import { createServer as createUdpServer, type UdpServer } from '@netkit/udp';
import { Opcode, Rcode, RecordType } from './constants.js';
import { DnsMalformedError } from './errors.js';
import { decode, encode, encodingLength } from './message.js';
import { recordsHandler } from './records-handler.js';
import type { Message, MessageInput, OptRecord, ResourceRecord } from './types.js';

export { recordsHandler };

/** Where a query came from, for handlers. */
export interface QueryContext {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

/** What a handler answers: the sections and flags of the reply (id, question and QR are filled in). */
export type DnsAnswer = Pick<
  MessageInput,
  'answers' | 'authorities' | 'additionals' | 'rcode' | 'aa' | 'tc' | 'ra' | 'ad'
>;

/** Answers one query; undefined drops it (no reply, as a server that lost it). */
export type DnsHandler = (
  query: Message,
  context: QueryContext,
) => DnsAnswer | undefined | Promise<DnsAnswer | undefined>;

export interface DnsServerOptions {
  /** Address to bind (default '127.0.0.1'). */
  host?: string;
  /** Port for both UDP and TCP (default 0: a free one, the same for both). */
  port?: number;
  /** Records to answer from, authoritatively. */
  records?: ResourceRecord[];
  /** Or a handler deciding every answer (fault injection, dynamic answers). */
  handler?: DnsHandler;
  /** Serve TCP too (default true). */
  tcp?: boolean;
  /**
   * Speak EDNS (default true). false: behave as a server from before EDNS (RFC 6891 7): answer
   * FORMERR with no OPT to any query that has one, never add an OPT, 512 bytes over UDP.
   */
  edns?: boolean;
  signal?: AbortSignal;
}

export interface DnsServerStats {
  queries: number;
  tcpQueries: number;
  /** Answers sent truncated (TC) because they did not fit the client's UDP size. */
  truncated: number;
  /** Malformed queries answered FORMERR. */
  formerr: number;
  /** Datagrams dropped (not even a header, or a response). */
  dropped: number;
}

const TCP_CODEC = lengthPrefixed({ prefixBytes: 2, maxFrameSize: 65_535 });
/** RFC 1035 4.2.1: without EDNS a UDP answer is at most 512 bytes. */
const CLASSIC_UDP_SIZE = 512;
/** What this server advertises and uses at most over UDP (DNS Flag Day 2020). */
const SERVER_UDP_SIZE = 1232;

/** A DNS server over UDP and TCP: the embedded server of `netkit demo` and the tests' fault injector. */
export class DnsServer implements AsyncDisposable {
  readonly #udp: UdpServer;
  readonly #tcp: TcpServer | undefined;
  readonly #stats: DnsServerStats;

  /** Use createServer(). */
  constructor(udp: UdpServer, tcp: TcpServer | undefined, stats: DnsServerStats) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.#stats = stats;
  }

  get port(): number {
    return this.#udp.address().port;
  }

  address(): { address: string; port: number; family: string } {
    return this.#udp.address();
  }

  get stats(): DnsServerStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    await Promise.all([
      this.#udp.close({ timeout: 1000 }),
      this.#tcp?.close({ drainTimeout: 1000 }),
    ]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The reply to one query's bytes, or undefined to stay silent. */
async function respond(
  bytes: Uint8Array,
  context: QueryContext,
  handler: DnsHandler,
  stats: DnsServerStats,
  edns: boolean,
): Promise<Uint8Array | undefined> {
  if (bytes.length < 12) {
    stats.dropped++;
    return undefined;
  }
  let query: Message;
  try {
    query = decode(bytes);
  } catch (err) {
    if (!(err instanceof DnsMalformedError)) throw err;
    // A malformed response is dropped (never answer a response); a malformed query gets
    // FORMERR, echoing the id from the header we could read (RFC 1035 4.1.1).
    if ((bytes[2]! & 0x80) !== 0) {
      stats.dropped++;
      return undefined;
    }
    stats.formerr++;
    return encode({ id: (bytes[0]! << 8) | bytes[1]!, qr: true, rcode: Rcode.FORMERR });
  }
  if (query.qr) {
    stats.dropped++; // a response sent to a server: never answer it (no loops)
    return undefined;
  }
  const opt = query.additionals.find((r): r is OptRecord => r.type === RecordType.OPT);
  const base = {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    rd: query.rd,
    cd: query.cd,
    questions: query.questions,
  };
  if (opt && !edns) {
    // An OPT record is an unknown type in the additional section to such a server.
    stats.formerr++;
    return encode({ ...base, rcode: Rcode.FORMERR });
  }
  const replyOpt = opt ? [serverOpt()] : [];
  if (query.opcode !== Opcode.QUERY)
    return encode({ ...base, rcode: Rcode.NOTIMP, additionals: replyOpt });
  if (query.questions.length !== 1)
    return encode({ ...base, rcode: Rcode.FORMERR, additionals: replyOpt });
  // RFC 6891 6.1.3: only EDNS version 0 is spoken here.
  if (opt && opt.data.version > 0)
    return encode({ ...base, rcode: Rcode.BADVERS, additionals: replyOpt });
  let answer: DnsAnswer | undefined;
  try {
    answer = await handler(query, context);
  } catch {
    // A failing handler must not leave the client waiting for a timeout.
    return encode({ ...base, rcode: Rcode.SERVFAIL, additionals: replyOpt });
  }
  if (!answer) return undefined;
  const reply: MessageInput = {
    ...base,
    ...answer,
    additionals: [...(answer.additionals ?? []), ...replyOpt],
  };
  if (context.transport === 'udp') {
    const limit = opt
      ? Math.min(Math.max(opt.data.udpPayloadSize, CLASSIC_UDP_SIZE), SERVER_UDP_SIZE)
      : CLASSIC_UDP_SIZE;
    if (encodingLength(reply) > limit) {
      // RFC 2181 9: too big for UDP: send the header and question with TC, the client asks over TCP.
      stats.truncated++;
      return encode({
        ...base,
        ...answer,
        tc: true,
        answers: [],
        authorities: [],
        additionals: replyOpt,
      });
    }
  }
  return encode(reply);
}

function serverOpt(): OptRecord {
  return {
    name: '.',
    type: RecordType.OPT,
    data: { udpPayloadSize: SERVER_UDP_SIZE, version: 0, dnssecOk: false, z: 0, options: [] },
  };
}

/** Starts a DNS server on UDP and TCP (same port) answering from records or a handler. */
export async function createServer(options: DnsServerOptions): Promise<DnsServer> {
  const handler =
    options.handler ?? (options.records ? recordsHandler(options.records) : undefined);
  if (!handler) throw new TypeError('createServer needs records or a handler');
  if (options.edns !== undefined && typeof options.edns !== 'boolean')
    throw new TypeError(`edns must be a boolean, got ${String(options.edns)}`);
  // With port 0 the UDP port is free but the same TCP port may not be: pick again (bounded).
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenBoth(handler, options);
    } catch (err) {
      const retry =
        (options.port ?? 0) === 0 &&
        (err as { code?: string }).code === 'EADDRINUSE' &&
        attempt < 20;
      if (!retry) throw err;
    }
  }
}

async function listenBoth(handler: DnsHandler, options: DnsServerOptions): Promise<DnsServer> {
  const stats: DnsServerStats = { queries: 0, tcpQueries: 0, truncated: 0, formerr: 0, dropped: 0 };
  const host = options.host ?? '127.0.0.1';
  const edns = options.edns ?? true;
  const udp = await createUdpServer(
    (datagram) => {
      stats.queries++;
      return respond(
        datagram.data,
        { transport: 'udp', address: datagram.address, port: datagram.port },
        handler,
        stats,
        edns,
      );
    },
    // Bursts of queries arrive faster than one turn drains them: a 1 MiB buffer drops fewer.
    {
      host,
      port: options.port ?? 0,
      recvBufferSize: 2 ** 20,
      ...(options.signal && { signal: options.signal }),
    },
  );
  let tcp: TcpServer | undefined;
  if (options.tcp ?? true) {
    try {
      tcp = await createTcpServer(
        async (connection) => {
          const context: QueryContext = {
            transport: 'tcp',
            address: connection.remoteAddress ?? '',
            port: connection.remotePort ?? 0,
          };
          // RFC 7766 6.2.1: several queries may come on one connection, answered in turn.
          for await (const frame of connection.frames(TCP_CODEC)) {
            stats.queries++;
            stats.tcpQueries++;
            const reply = await respond(frame, context, handler, stats, edns);
            if (reply) await connection.sendFrame(TCP_CODEC, reply);
          }
        },
        {
          host,
          port: udp.address().port,
          idleTimeout: 10_000,
          ...(options.signal && { signal: options.signal }),
        },
      );
    } catch (err) {
      await udp.close();
      throw err;
    }
  }
  return new DnsServer(udp, tcp, stats);
}
