import { createServer as createTcpServer, lengthPrefixed, type TcpServer } from '@netkit/tcp';
import { createServer as createUdpServer, type UdpServer } from '@netkit/udp';
import { Opcode, Rcode, RecordType } from './constants.js';
import { DnsMalformedError } from './errors.js';
import { decode, encode, encodingLength } from './message.js';
import type { Message, MessageInput, OptRecord, ResourceRecord } from './types.js';

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

/** Answers authoritatively from a set of records: exact names, CNAME chains, NXDOMAIN and NODATA with the SOA. */
export function recordsHandler(records: ResourceRecord[]): DnsHandler {
  const byName = new Map<string, ResourceRecord[]>();
  const apexes: { name: string; soa: ResourceRecord }[] = [];
  for (const record of records) {
    const key = record.name.toLowerCase();
    const list = byName.get(key);
    if (list) list.push(record);
    else byName.set(key, [record]);
    if (record.type === RecordType.SOA) apexes.push({ name: key, soa: record });
  }
  // Names with no records but names below them (empty non-terminals, like _tcp.example.)
  // exist: NODATA, not NXDOMAIN (RFC 8020 would otherwise deny everything below them).
  const nonTerminals = new Set<string>();
  for (const owner of byName.keys()) {
    for (let at = owner.indexOf('.'); at !== -1; at = owner.indexOf('.', at + 1)) {
      const parent = owner.slice(at + 1);
      if (!byName.has(parent)) nonTerminals.add(parent);
    }
  }
  const zoneOf = (name: string) =>
    apexes
      .filter((z) => name === z.name || name.endsWith(`.${z.name}`) || z.name === '.')
      .sort((a, b) => b.name.length - a.name.length)[0];

  return (query) => {
    const q = query.questions[0]!;
    const answers: ResourceRecord[] = [];
    let name = q.name.toLowerCase();
    // Follow CNAMEs inside the data, at most 8 links (a loop in the zone must not hang).
    for (let hop = 0; hop < 8; hop++) {
      const here = byName.get(name);
      const zone = zoneOf(name);
      if (!here) {
        if (!zone) return answers.length ? { aa: true, answers } : { rcode: Rcode.REFUSED };
        if (nonTerminals.has(name)) return { aa: true, answers, authorities: [zone.soa] };
        return {
          aa: true,
          rcode: answers.length ? Rcode.NOERROR : Rcode.NXDOMAIN,
          answers,
          authorities: [zone.soa],
        };
      }
      const matching = here.filter((r) => r.type === q.type || q.type === 255 /* ANY */);
      if (matching.length) return { aa: true, answers: [...answers, ...matching] };
      const cname = here.find((r) => r.type === RecordType.CNAME);
      if (!cname || q.type === RecordType.CNAME)
        return { aa: true, answers, authorities: zone ? [zone.soa] : [] };
      answers.push(cname);
      name = (cname.data as string).toLowerCase();
    }
    return { aa: true, answers };
  };
}

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
  const udp = await createUdpServer(
    (datagram) => {
      stats.queries++;
      return respond(
        datagram.data,
        { transport: 'udp', address: datagram.address, port: datagram.port },
        handler,
        stats,
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
            const reply = await respond(frame, context, handler, stats);
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
