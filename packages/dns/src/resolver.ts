import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, lengthPrefixed } from '@netkit/tcp';
import { resolveHost, socketTypeOf, UdpSocket, TimeoutError as UdpTimeoutError } from '@netkit/udp';
import { Rcode, RecordClass, RecordType, typeFromString, typeToString } from './constants.js';
import { DnsMalformedError } from './errors.js';
import { decode, encode } from './message.js';
import { systemResolvConf } from './resolv-conf.js';
import { DnsAbortedError, DnsServerError, DnsTimeoutError, rcodeName } from './resolver-errors.js';
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

interface Server {
  host: string;
  port: number;
  label: string;
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

/** What a datagram or TCP frame must match to be taken as the answer (RFC 5452 9.1). */
function matches(reply: Message, id: number, name: string, type: number, klass: number): boolean {
  if (!reply.qr || reply.id !== id) return false;
  const q = reply.questions[0];
  // Some servers send no question with FORMERR/NOTIMP; then the id (and source) must do.
  if (!q) return reply.questions.length === 0 && reply.rcode !== Rcode.NOERROR;
  return q.type === type && q.class === klass && q.name.toLowerCase() === name.toLowerCase();
}

/**
 * Sends one query and resolves with the first answer that matches it. Every query has a fresh
 * random id (crypto) and a fresh ephemeral UDP port; answers from another address or port, or
 * with another id or question, are dropped and counted. Retries and failover follow
 * resolv.conf: each round tries every server in turn.
 */
export async function query(
  name: string,
  type: string | number = 'A',
  options: QueryOptions = {},
): Promise<QueryResult> {
  const qname = normalizeName(name);
  const qtype = typeNumber(type);
  const klass = options.class ?? RecordClass.IN;
  const conf = options.servers ? undefined : systemResolvConf();
  const servers = (options.servers ?? conf!.servers).map(parseServer);
  if (servers.length === 0) throw new TypeError('servers must list at least one server');
  const timeout = options.timeout ?? (conf ? conf.timeout * 1000 : 5000);
  const rounds = (options.retries ?? (conf ? conf.attempts - 1 : 1)) + 1;
  const mode = options.tcp ?? 'auto';
  const signal = options.signal;
  let edns = options.edns ?? true;
  let lastError: Error | undefined;
  let ignored = 0;

  for (let round = 0; round < rounds; round++) {
    for (const server of servers) {
      if (signal?.aborted)
        throw new DnsAbortedError(`query ${qname} ${typeToString(qtype)}: aborted`, signal.reason);
      const build = (id: number) =>
        encode({
          id,
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
      try {
        let result =
          mode === 'always'
            ? await overTcp(server, build, qname, qtype, klass, timeout, signal)
            : await overUdp(server, build, qname, qtype, klass, timeout, signal);
        ignored += result.ignored;
        if (result.message.tc && mode === 'auto') {
          result = await overTcp(server, build, qname, qtype, klass, timeout, signal);
        }
        const { rcode, additionals } = result.message;
        // RFC 6891 7: a server that does not know EDNS answers FORMERR without OPT: ask again plainly.
        if (
          rcode === Rcode.FORMERR &&
          edns &&
          !additionals.some((r) => r.type === RecordType.OPT)
        ) {
          edns = false;
          lastError = new DnsServerError(`${server.label} answered FORMERR to EDNS`, rcode);
          let plain =
            mode === 'always'
              ? await overTcp(server, build, qname, qtype, klass, timeout, signal)
              : await overUdp(server, build, qname, qtype, klass, timeout, signal);
          if (plain.message.tc && mode === 'auto')
            plain = await overTcp(server, build, qname, qtype, klass, timeout, signal);
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
        return { ...result, ignored };
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

type Attempt = Omit<QueryResult, 'ignored'> & { ignored: number };

async function overUdp(
  server: Server,
  build: (id: number) => Uint8Array,
  name: string,
  type: number,
  klass: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const id = randomInt(0, 65_536);
  // Resolved once, so every datagram's source can be checked against one address.
  const address = await resolveHost(server.host);
  const socket = new UdpSocket({ type: socketTypeOf(address.family) });
  let ignored = 0;
  try {
    await socket.bind({ port: 0 });
    const target = { host: address.address, port: server.port };
    const started = performance.now();
    await socket.send(build(id), target);
    const deadline = started + timeout;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0)
        throw new DnsTimeoutError(`no answer from ${server.label} within ${timeout} ms`);
      let datagram: Awaited<ReturnType<UdpSocket['receive']>>;
      try {
        datagram = await socket.receive({ timeout: Math.ceil(left), signal });
      } catch (err) {
        if (err instanceof UdpTimeoutError)
          throw new DnsTimeoutError(`no answer from ${server.label} within ${timeout} ms`);
        if ((err as { code?: string }).code === 'ERR_NETKIT_ABORTED')
          throw new DnsAbortedError(`query ${name}: aborted`, signal?.reason);
        throw err;
      }
      if (datagram.port !== server.port || !sameAddress(datagram.address, address.address)) {
        ignored++;
        continue;
      }
      let message: Message;
      try {
        message = decode(datagram.data);
      } catch (err) {
        if (err instanceof DnsMalformedError) {
          ignored++;
          continue;
        }
        throw err;
      }
      if (!matches(message, id, name, type, klass)) {
        ignored++;
        continue;
      }
      return {
        message,
        server: server.label,
        transport: 'udp',
        rtt: performance.now() - started,
        size: datagram.size,
        ignored,
      };
    }
  } finally {
    await socket.close();
  }
}

/** Compares addresses, treating ::ffff:a.b.c.d as a.b.c.d. */
function sameAddress(a: string, b: string): boolean {
  const strip = (s: string) => (s.startsWith('::ffff:') ? s.slice(7) : s).toLowerCase();
  return strip(a) === strip(b);
}

async function overTcp(
  server: Server,
  build: (id: number) => Uint8Array,
  name: string,
  type: number,
  klass: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const id = randomInt(0, 65_536);
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
    await connection.sendFrame(TCP_CODEC, build(id));
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
