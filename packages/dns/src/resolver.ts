import { isIP } from 'node:net';
import { connect, lengthPrefixed } from '@netkit/tcp';
import { resolveHost } from '@netkit/udp';
import { Rcode, RecordClass, RecordType, typeFromString, typeToString } from './constants.js';
import { decode, encode } from './message.js';
import { systemResolvConf } from './resolv-conf.js';
import {
  DnsAbortedError,
  DnsClosedError,
  DnsServerError,
  DnsTimeoutError,
  rcodeName,
} from './resolver-errors.js';
import {
  PerQueryPorts,
  PooledPorts,
  type Question,
  randomId,
  type SourcePorts,
  type UdpTarget,
  type UdpTransport,
} from './source-ports.js';
import type { Message, ResourceRecord } from './types.js';

export interface QueryOptions {
  /** Servers as "host", "host:port" or "[v6]:port" (default: /etc/resolv.conf's nameservers). */
  servers?: string[];
  /** Milliseconds to wait for one answer (default: resolv.conf's timeout, else 5000). */
  timeout?: number;
  /** Rounds over the servers after the first (default: resolv.conf's attempts - 1, else 1). */
  retries?: number;
  /** 'auto': UDP, TCP when the answer is truncated; 'always'; 'never' (default 'auto'). */
  tcp?: 'auto' | 'always' | 'never';
  /** Send an EDNS OPT record (default true). */
  edns?: boolean;
  /** The UDP payload size advertised with EDNS (default 1232, the DNS Flag Day 2020 value). */
  udpSize?: number;
  /** Ask for DNSSEC records (the DO bit). */
  dnssec?: boolean;
  /** Recursion desired (default true). */
  recursion?: boolean;
  /** Record class (default IN). */
  class?: number;
  signal?: AbortSignal;
}

export interface QueryResult {
  /** The accepted answer. NXDOMAIN and NODATA are results: check message.rcode and answers. */
  message: Message;
  /** The server that answered, "host:port". */
  server: string;
  transport: 'udp' | 'tcp';
  /** Milliseconds from the last send to the answer. */
  rtt: number;
  /** Bytes of the answer on the wire. */
  size: number;
  /** Datagrams dropped because their source, id or question did not match (spoofing or strays). */
  ignored: number;
}

/** Options a Resolver keeps for all its queries (each query() may override them). */
export interface ResolverOptions extends Omit<QueryOptions, 'signal'> {
  /**
   * UDP source ports. 'per-query' (the default): a new socket on a fresh random ephemeral port
   * for every query, closed after it, as RFC 5452 advises. `{ pool: N, maxQueriesPerSocket: M }`:
   * up to N sockets (per address family), each on its own random ephemeral port, each used for
   * M queries and then replaced; ids are unique per socket among queries in flight, and replies
   * are matched as strictly (source address and port, id, question). Faster (no socket per
   * query), but weaker against spoofing: an off-path attacker who learns a pooled port (it is
   * reused for M queries) only has to guess the 16-bit id, not the port as well. Keep M small.
   */
  sourcePorts?: SourcePorts;
}

interface Server {
  host: string;
  port: number;
  label: string;
}

/** A parsed server; `family` set when the host is an IP literal (then it is also the address). */
interface ParsedServer extends Server {
  family: 4 | 6 | undefined;
  address?: string;
}

const TCP_CODEC = lengthPrefixed({ prefixBytes: 2, maxFrameSize: 65_535 });

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353", "dns.example". */
export function parseServer(text: string): Server {
  let host = text;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (isIP(text) !== 6) {
    const colon = text.lastIndexOf(':');
    if (colon > 0) {
      host = text.slice(0, colon);
      port = Number(text.slice(colon + 1));
    }
  }
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TypeError(`bad DNS server ${JSON.stringify(text)}: use host, host:port or [v6]:port`);
  }
  return { host, port, label: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

function normalizeName(name: string): string {
  if (typeof name !== 'string' || name === '')
    throw new TypeError('name must be a non-empty string');
  return name.length > 1 && name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
}

function typeNumber(type: string | number): number {
  const n = typeof type === 'number' ? type : typeFromString(type.toUpperCase());
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new TypeError(
      `unknown record type ${JSON.stringify(type)} (use a mnemonic such as MX, or TYPE123)`,
    );
  }
  return n;
}

/** What a TCP frame must match to be taken as the answer (RFC 5452 9.1). */
function matches(reply: Message, id: number, name: string, type: number, klass: number): boolean {
  if (!reply.qr || reply.id !== id) return false;
  const q = reply.questions[0];
  // Some servers send no question with FORMERR/NOTIMP; then the id (and source) must do.
  if (!q) return reply.questions.length === 0 && reply.rcode !== Rcode.NOERROR;
  return q.type === type && q.class === klass && q.name.toLowerCase() === name.toLowerCase();
}

// Parsed server strings, so a hot loop of queries parses each one once (bounded).
const parsed = new Map<string, ParsedServer>();

function parseServerCached(text: string): ParsedServer {
  let server = parsed.get(text);
  if (!server) {
    const { host, port, label } = parseServer(text);
    const literal = isIP(host);
    const family = literal === 4 ? 4 : literal === 6 ? 6 : undefined;
    server = { host, address: host, port, label, family };
    if (parsed.size >= 256) parsed.clear();
    parsed.set(text, server);
  }
  return server;
}

/** The server's address: IP literals as they are, names looked up (once per attempt). */
async function targetOf(server: ParsedServer): Promise<UdpTarget> {
  if (server.family) return server as UdpTarget;
  const { address, family } = await resolveHost(server.host);
  return { address, family: family === 'IPv6' ? 6 : 4, port: server.port, label: server.label };
}

/** Validates what a Resolver keeps; throws TypeError/RangeError naming the option. */
function checkOptions(options: ResolverOptions): void {
  if (options.servers !== undefined) {
    if (!Array.isArray(options.servers) || options.servers.some((s) => typeof s !== 'string'))
      throw new TypeError('servers must be an array of strings');
  }
  const positive = (key: 'timeout' | 'udpSize', min: number, max: number) => {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new RangeError(`${key} must be an integer from ${min} to ${max}, got ${v}`);
  };
  positive('timeout', 1, 2_147_483_647);
  positive('udpSize', 512, 65_535);
  if (
    options.retries !== undefined &&
    (!Number.isInteger(options.retries) || options.retries < 0 || options.retries > 100)
  )
    throw new RangeError(`retries must be an integer from 0 to 100, got ${options.retries}`);
  if (options.tcp !== undefined && !['auto', 'always', 'never'].includes(options.tcp))
    throw new TypeError(`tcp must be 'auto', 'always' or 'never', got ${String(options.tcp)}`);
}

function checkSourcePorts(value: unknown): SourcePorts {
  if (value === undefined || value === 'per-query') return 'per-query';
  const v = value as { pool?: unknown; maxQueriesPerSocket?: unknown };
  if (typeof value !== 'object' || value === null)
    throw new TypeError("sourcePorts must be 'per-query' or { pool: N, maxQueriesPerSocket: M }");
  if (!Number.isInteger(v.pool) || (v.pool as number) < 1 || (v.pool as number) > 256)
    throw new RangeError(
      `sourcePorts.pool must be an integer from 1 to 256, got ${String(v.pool)}`,
    );
  const max = v.maxQueriesPerSocket;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 1_000_000)
    throw new RangeError(
      `sourcePorts.maxQueriesPerSocket must be an integer from 1 to 1000000, got ${String(max)}`,
    );
  return { pool: v.pool as number, maxQueriesPerSocket: max as number };
}

/** One socket per query for query() and the resolve* helpers. */
const perQuery = new PerQueryPorts();

/**
 * Sends one query and resolves with the first answer that matches it. Every query has a fresh
 * random id (crypto) and a fresh ephemeral UDP port; answers from another address or port, or
 * with another id or question, are dropped and counted. Retries and failover follow
 * resolv.conf: each round tries every server in turn. (A Resolver can reuse a pool of ports.)
 */
export function query(
  name: string,
  type: string | number = 'A',
  options: QueryOptions = {},
): Promise<QueryResult> {
  return run(name, type, options, undefined, perQuery);
}

/**
 * A stub resolver that keeps its options, parses its servers once and, when asked, reuses a
 * small pool of UDP sockets (see ResolverOptions.sourcePorts). close() when done.
 */
export class Resolver implements AsyncDisposable {
  readonly #options: ResolverOptions;
  readonly #servers: ParsedServer[] | undefined;
  readonly #udp: PerQueryPorts | PooledPorts;
  #closed = false;
  #queries = 0;

  constructor(options: ResolverOptions = {}) {
    checkOptions(options);
    const sourcePorts = checkSourcePorts(options.sourcePorts);
    this.#options = { ...options };
    this.#servers = options.servers?.map(parseServerCached);
    if (this.#servers?.length === 0) throw new TypeError('servers must list at least one server');
    this.#udp =
      sourcePorts === 'per-query'
        ? new PerQueryPorts()
        : new PooledPorts(sourcePorts.pool, sourcePorts.maxQueriesPerSocket);
  }

  /** query() with this resolver's options, overridden by `options`. */
  query(
    name: string,
    type: string | number = 'A',
    options: QueryOptions = {},
  ): Promise<QueryResult> {
    if (this.#closed) return Promise.reject(new DnsClosedError());
    this.#queries++;
    const merged = { ...this.#options, ...options };
    return run(name, type, merged, options.servers ? undefined : this.#servers, this.#udp);
  }

  /** Queries asked, datagrams that matched no query in flight, and the pool's open ports. */
  get stats(): { queries: number; strays: number; ports: number[] } {
    return {
      queries: this.#queries,
      strays: this.#udp.strays,
      ports: this.#udp instanceof PooledPorts ? this.#udp.ports : [],
    };
  }

  /** No new queries; queries in flight still settle, then the pool's sockets close. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#udp.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function run(
  name: string,
  type: string | number,
  options: QueryOptions,
  serverList: ParsedServer[] | undefined,
  udp: UdpTransport,
): Promise<QueryResult> {
  const qname = normalizeName(name);
  const qtype = typeNumber(type);
  const klass = options.class ?? RecordClass.IN;
  const conf = serverList || options.servers ? undefined : systemResolvConf();
  const servers = serverList ?? (options.servers ?? conf!.servers).map(parseServerCached);
  if (servers.length === 0) throw new TypeError('servers must list at least one server');
  const timeout = options.timeout ?? (conf ? conf.timeout * 1000 : 5000);
  const rounds = (options.retries ?? (conf ? conf.attempts - 1 : 1)) + 1;
  const mode = options.tcp ?? 'auto';
  const signal = options.signal;
  const question: Question = { name: qname.toLowerCase(), type: qtype, klass };
  let edns = options.edns ?? true;
  let lastError: Error | undefined;
  let ignored = 0;
  // Encoded once; each attempt writes its own id into the first two bytes.
  const build = () =>
    encode({
      id: 0,
      rd: options.recursion ?? true,
      questions: [{ name: qname, type: qtype, class: klass }],
      additionals: edns
        ? [
            {
              name: '.',
              type: RecordType.OPT,
              data: {
                udpPayloadSize: options.udpSize ?? 1232,
                version: 0,
                dnssecOk: options.dnssec ?? false,
                z: 0,
                options: [],
              },
            },
          ]
        : [],
    });
  let bytes = build();
  const attempt = (server: ParsedServer, over: 'udp' | 'tcp'): Promise<Attempt> =>
    over === 'tcp'
      ? overTcp(server, bytes, qname, qtype, klass, timeout, signal)
      : server.family
        ? udp.exchange(bytes, question, server as UdpTarget, timeout, signal)
        : targetOf(server).then((t) => udp.exchange(bytes, question, t, timeout, signal));

  for (let round = 0; round < rounds; round++) {
    for (const server of servers) {
      if (signal?.aborted)
        throw new DnsAbortedError(`query ${qname} ${typeToString(qtype)}: aborted`, signal.reason);
      try {
        let result = await attempt(server, mode === 'always' ? 'tcp' : 'udp');
        ignored += result.ignored;
        if (result.message.tc && mode === 'auto') result = await attempt(server, 'tcp');
        const { rcode, additionals } = result.message;
        // RFC 6891 7: a server that does not know EDNS answers FORMERR without OPT: ask again plainly.
        if (
          rcode === Rcode.FORMERR &&
          edns &&
          !additionals.some((r) => r.type === RecordType.OPT)
        ) {
          edns = false;
          bytes = build();
          lastError = new DnsServerError(`${server.label} answered FORMERR to EDNS`, rcode);
          let plain = await attempt(server, mode === 'always' ? 'tcp' : 'udp');
          if (plain.message.tc && mode === 'auto') plain = await attempt(server, 'tcp');
          if (
            plain.message.rcode !== Rcode.SERVFAIL &&
            plain.message.rcode !== Rcode.REFUSED &&
            plain.message.rcode !== Rcode.FORMERR
          ) {
            return { ...plain, ignored: ignored + plain.ignored };
          }
          continue;
        }
        if (
          rcode === Rcode.SERVFAIL ||
          rcode === Rcode.REFUSED ||
          rcode === Rcode.NOTIMP ||
          rcode === Rcode.FORMERR
        ) {
          lastError = new DnsServerError(
            `${server.label} answered ${rcodeName(rcode)} for ${qname} ${typeToString(qtype)}`,
            rcode,
          );
          continue; // next server
        }
        result.ignored = ignored;
        return result;
      } catch (err) {
        if (err instanceof DnsAbortedError) throw err;
        lastError = err as Error;
      }
    }
  }
  if (lastError instanceof DnsTimeoutError || lastError === undefined) {
    throw new DnsTimeoutError(
      `query ${qname} ${typeToString(qtype)}: no answer from ${servers.map((s) => s.label).join(', ')} after ${rounds} round${rounds === 1 ? '' : 's'} of ${timeout} ms`,
    );
  }
  if (lastError instanceof DnsServerError) throw lastError;
  throw new DnsServerError(
    `query ${qname} ${typeToString(qtype)}: ${lastError.message}`,
    undefined,
    { cause: lastError },
  );
}

type Attempt = QueryResult;

async function overTcp(
  server: Server,
  bytes: Uint8Array,
  name: string,
  type: number,
  klass: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const id = randomId();
  const started = performance.now();
  let connection: Awaited<ReturnType<typeof connect>>;
  try {
    connection = await connect({
      host: server.host,
      port: server.port,
      timeout,
      noDelay: true,
      ...(signal && { signal }),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_NETKIT_TIMEOUT')
      throw new DnsTimeoutError(`no TCP connection to ${server.label} within ${timeout} ms`);
    if (code === 'ERR_NETKIT_ABORTED')
      throw new DnsAbortedError(`query ${name}: aborted`, signal?.reason);
    throw err;
  }
  const timer = setTimeout(
    () =>
      connection.destroy(
        new DnsTimeoutError(`no answer from ${server.label} over TCP within ${timeout} ms`),
      ),
    timeout,
  );
  const onAbort = () =>
    connection.destroy(new DnsAbortedError(`query ${name}: aborted`, signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    bytes[0] = id >> 8;
    bytes[1] = id & 0xff;
    await connection.sendFrame(TCP_CODEC, bytes);
    for await (const frame of connection.frames(TCP_CODEC)) {
      const message = decode(frame);
      if (!matches(message, id, name, type, klass))
        throw new DnsServerError(`${server.label} answered another question over TCP`);
      return {
        message,
        server: server.label,
        transport: 'tcp',
        rtt: performance.now() - started,
        size: frame.length,
        ignored: 0,
      };
    }
    throw new DnsServerError(`${server.label} closed the TCP connection without answering`);
  } catch (err) {
    const reason = connection.closeReason;
    throw reason instanceof DnsTimeoutError || reason instanceof DnsAbortedError ? reason : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    connection.destroy();
  }
}

/** The records of `type` in the answer section (CNAMEs followed by the server are skipped). */
export function answersOfType(message: Message, type: number): ResourceRecord[] {
  return message.answers.filter((r) => r.type === type);
}
