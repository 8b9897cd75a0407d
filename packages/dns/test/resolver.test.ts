// query() and the resolve* helpers against real servers on loopback: netkit's own server (with
// records or a fault-injecting handler) and small responders of the test over node:dgram and
// node:net for what that server will not do (answer FORMERR without OPT, like a pre-EDNS server).
import {
  createServer as createTcpServer,
  type Server as NetServer,
  type Socket as NetSocket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Message,
  type QueryOptions,
  query,
  Rcode,
  RecordType,
  type ResourceRecord,
  resolve4,
  resolve6,
  resolveCaa,
  resolveCname,
  resolveMx,
  resolveNs,
  resolvePtr,
  resolveSoa,
  resolveSrv,
  resolveTxt,
  reverseName,
} from '../src/index.js';
import {
  bigRRset,
  IN,
  rejectionOf,
  sendTo,
  soa,
  useServers,
  useSockets,
  zoneRecords,
} from './net.js';

const start = useServers();
const socket = useSockets();

const at = (port: number) => `127.0.0.1:${port}`;
const addresses = (m: Message) => m.answers.map((r) => r.data as string).sort();

const ZONE = 'res.test';
const A = (name: string, data: string): ResourceRecord => ({
  name,
  type: RecordType.A,
  class: IN,
  ttl: 60,
  data,
});
const RECORDS: ResourceRecord[] = [
  soa(ZONE),
  A(`www.${ZONE}`, '192.0.2.1'),
  ...bigRRset(`big.${ZONE}`, 100), // about 1.6 kB: over 1232
  ...bigRRset(`mid.${ZONE}`, 50), // about 850 bytes: over 512, under 1232
];

describe('TCP fallback', () => {
  const expected = (name: string, n: number) =>
    bigRRset(name, n)
      .map((r) => r.data as string)
      .sort();

  it('fetches an RRset too big for UDP over TCP, whole', async () => {
    const server = await start({ records: RECORDS });
    const result = await query(`big.${ZONE}`, 'A', { servers: [at(server.port)], retries: 0 });
    expect(result.transport).toBe('tcp');
    expect(result.message.tc).toBe(false);
    expect(addresses(result.message)).toEqual(expected(`big.${ZONE}`, 100));
    expect(result.size).toBeGreaterThan(1232);
    expect(server.stats).toMatchObject({ queries: 2, tcpQueries: 1, truncated: 1 });
  });

  it('with udpSize 512, or EDNS off, an answer over 512 bytes comes over TCP', async () => {
    const server = await start({ records: RECORDS });
    const servers = [at(server.port)];
    const fits = await query(`mid.${ZONE}`, 'A', { servers });
    expect(fits.transport).toBe('udp');
    expect(fits.size).toBeGreaterThan(512);
    for (const options of [{ udpSize: 512 }, { edns: false }] as QueryOptions[]) {
      const result = await query(`mid.${ZONE}`, 'A', { servers, ...options });
      expect(result.transport, JSON.stringify(options)).toBe('tcp');
      expect(addresses(result.message)).toEqual(expected(`mid.${ZONE}`, 50));
    }
    expect(server.stats.truncated).toBe(2);
  });

  it("with tcp: 'never', returns the truncated answer; with 'always', never uses UDP", async () => {
    const server = await start({ records: RECORDS });
    const servers = [at(server.port)];
    const truncated = await query(`big.${ZONE}`, 'A', { servers, tcp: 'never' });
    expect(truncated.transport).toBe('udp');
    expect(truncated.message.tc).toBe(true);
    expect(truncated.message.answers).toEqual([]);
    const always = await query(`www.${ZONE}`, 'A', { servers, tcp: 'always' });
    expect(always.transport).toBe('tcp');
    expect(addresses(always.message)).toEqual(['192.0.2.1']);
    expect(server.stats).toMatchObject({ queries: 2, tcpQueries: 1 });
  });
});

/**
 * A server from before EDNS (RFC 6891 7), on UDP and TCP of one port: FORMERR without OPT to a
 * query carrying OPT, 512 bytes at most over UDP (TC beyond), answers from `records`.
 */
async function preEdnsServer(records: ResourceRecord[]) {
  const udp = await socket();
  const port = udp.address().port;
  const seen: { transport: string; edns: boolean }[] = [];
  const answer = (bytes: Uint8Array, transport: 'udp' | 'tcp'): Uint8Array => {
    const q = decode(bytes);
    const edns = q.additionals.some((r) => r.type === RecordType.OPT);
    seen.push({ transport, edns });
    const base = { id: q.id, qr: true, rd: q.rd, questions: q.questions };
    if (edns) return encode({ ...base, rcode: Rcode.FORMERR });
    const name = q.questions[0]!.name.toLowerCase();
    const answers = records.filter((r) => r.name === name && r.type === q.questions[0]!.type);
    const full = encode({ ...base, aa: true, answers });
    return transport === 'udp' && full.length > 512
      ? encode({ ...base, aa: true, tc: true })
      : full;
  };
  udp.on('message', (data, rinfo) => {
    void sendTo(udp, answer(data, 'udp'), rinfo.port, rinfo.address);
  });
  const tcp = createTcpServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    let buffered = Buffer.alloc(0);
    conn.on('error', () => {});
    conn.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const frame = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + frame.length);
        const reply = answer(frame, 'tcp');
        const prefix = Buffer.from([reply.length >> 8, reply.length & 255]);
        conn.write(Buffer.concat([prefix, reply]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => resolve());
  });
  netServers.push(tcp);
  return { port, seen };
}

const netServers: NetServer[] = [];
const connections = new Set<NetSocket>();
afterEach(async () => {
  for (const c of connections) c.destroy();
  connections.clear();
  await Promise.all(
    netServers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

describe('EDNS fallback and failover', () => {
  it('asks again without EDNS when a server answers FORMERR without OPT', async () => {
    const legacy = await preEdnsServer([A(`www.${ZONE}`, '192.0.2.7')]);
    const result = await query(`www.${ZONE}`, 'A', { servers: [at(legacy.port)], retries: 0 });
    expect(result.message.rcode).toBe(Rcode.NOERROR);
    expect(addresses(result.message)).toEqual(['192.0.2.7']);
    expect(result.message.additionals).toEqual([]);
    expect(legacy.seen).toEqual([
      { transport: 'udp', edns: true },
      { transport: 'udp', edns: false },
    ]);
  });

  it('after the EDNS fallback, still fetches a truncated answer over TCP', async () => {
    const legacy = await preEdnsServer(bigRRset(`mid.${ZONE}`, 50));
    const result = await query(`mid.${ZONE}`, 'A', { servers: [at(legacy.port)], retries: 0 });
    expect(result.message.tc).toBe(false);
    expect(result.transport).toBe('tcp');
    expect(result.message.answers).toHaveLength(50);
  });

  it("takes the second server's answer when the first answers SERVFAIL (or REFUSED)", async () => {
    for (const rcode of [Rcode.SERVFAIL, Rcode.REFUSED]) {
      const failing = await start({ handler: () => ({ rcode }) });
      const good = await start({ records: RECORDS });
      const result = await query(`www.${ZONE}`, 'A', {
        servers: [at(failing.port), at(good.port)],
        retries: 0,
      });
      expect(result.server).toBe(at(good.port));
      expect(addresses(result.message)).toEqual(['192.0.2.1']);
      expect(failing.stats.queries).toBe(1);
    }
  });

  it('throws ERR_DNS_SERVER_FAILURE with the rcode when every server fails', async () => {
    const a = await start({ handler: () => ({ rcode: Rcode.SERVFAIL }) });
    const b = await start({ handler: () => ({ rcode: Rcode.REFUSED }) });
    const err = (await rejectionOf(
      query(`www.${ZONE}`, 'A', { servers: [at(a.port), at(b.port)], retries: 1 }),
    )) as Error & { code?: string; rcode?: number };
    expect(err.code).toBe('ERR_DNS_SERVER_FAILURE');
    expect(err.rcode).toBe(Rcode.REFUSED);
    // Two rounds over both servers.
    expect([a.stats.queries, b.stats.queries]).toEqual([2, 2]);
  });

  it('throws ERR_NETKIT_TIMEOUT when every server is silent, after timeout x rounds x servers', async () => {
    const a = await start({ handler: () => undefined });
    const b = await start({ handler: () => undefined });
    const timeout = 100;
    const started = performance.now();
    const err = await rejectionOf(
      query(`www.${ZONE}`, 'A', { servers: [at(a.port), at(b.port)], timeout, retries: 1 }),
    );
    const elapsed = performance.now() - started;
    expect(err.code).toBe('ERR_NETKIT_TIMEOUT');
    expect(err.name).toBe('DnsTimeoutError');
    expect(err.message).toContain(at(a.port));
    expect(elapsed).toBeGreaterThanOrEqual(timeout * 2 * 2 - 5);
    expect([a.stats.queries, b.stats.queries]).toEqual([2, 2]);
  });

  it('moves on from a silent server to one that answers', async () => {
    const silent = await start({ handler: () => undefined });
    const good = await start({ records: RECORDS });
    const result = await query(`www.${ZONE}`, 'A', {
      servers: [at(silent.port), at(good.port)],
      timeout: 100,
      retries: 0,
    });
    expect(result.server).toBe(at(good.port));
  });
});

describe('AbortSignal', () => {
  it('rejects with ERR_NETKIT_ABORTED while waiting over UDP, at once', async () => {
    const silent = await start({ handler: () => undefined });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const err = await rejectionOf(
      query(`www.${ZONE}`, 'A', {
        servers: [at(silent.port)],
        timeout: 5000,
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    expect(err.name).toBe('DnsAbortedError');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects with ERR_NETKIT_ABORTED when already aborted, sending nothing', async () => {
    const server = await start({ records: RECORDS });
    const err = await rejectionOf(
      query(`www.${ZONE}`, 'A', { servers: [at(server.port)], signal: AbortSignal.abort() }),
    );
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    expect(server.stats.queries).toBe(0);
  });

  it('rejects with ERR_NETKIT_ABORTED while waiting for a TCP answer, at once', async () => {
    const silent = await start({ handler: () => undefined });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    const err = await rejectionOf(
      query(`www.${ZONE}`, 'A', {
        servers: [at(silent.port)],
        tcp: 'always',
        timeout: 600,
        retries: 0,
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe('ERR_NETKIT_ABORTED');
    expect(performance.now() - started).toBeLessThan(400);
  });
});

describe('NXDOMAIN and NODATA', () => {
  it('query() returns them as results: rcode 3, or NOERROR with no answers', async () => {
    const server = await start({ records: RECORDS });
    const servers = [at(server.port)];
    const nx = await query(`nope.${ZONE}`, 'A', { servers });
    expect(nx.message.rcode).toBe(Rcode.NXDOMAIN);
    expect(nx.message.answers).toEqual([]);
    expect(nx.message.authorities.map((r) => r.type)).toEqual([RecordType.SOA]);
    const nodata = await query(`www.${ZONE}`, 'AAAA', { servers });
    expect(nodata.message.rcode).toBe(Rcode.NOERROR);
    expect(nodata.message.answers).toEqual([]);
  });

  it('resolve4 throws ERR_DNS_NXDOMAIN and ERR_DNS_NODATA', async () => {
    const server = await start({ records: RECORDS });
    const options = { servers: [at(server.port)] };
    const nx = await rejectionOf(resolve4(`nope.${ZONE}`, options));
    expect(nx.code).toBe('ERR_DNS_NXDOMAIN');
    expect(nx.name).toBe('DnsNotFoundError');
    const nodata = await rejectionOf(resolve6(`www.${ZONE}`, options));
    expect(nodata.code).toBe('ERR_DNS_NODATA');
    expect(nodata.name).toBe('DnsNoDataError');
    expect(nodata.message).toContain('AAAA');
  });
});

describe('the resolve* helpers on the every-type zone', () => {
  it('give typed results with TTLs, following CNAMEs', async () => {
    const server = await start({ records: zoneRecords() });
    const o = { servers: [at(server.port)], retries: 0 };
    expect(await resolve4('a.test.netkit', o)).toEqual([{ address: '192.0.2.10', ttl: 3600 }]);
    expect(await resolve4('cname.test.netkit', o)).toEqual([{ address: '192.0.2.10', ttl: 3600 }]);
    expect(await resolve6('aaaa.test.netkit', o)).toEqual([{ address: '2001:db8::10', ttl: 3600 }]);
    expect(await resolveCname('cname.test.netkit', o)).toEqual([
      { target: 'a.test.netkit', ttl: 300 },
    ]);
    expect(await resolveMx('mx.test.netkit', o)).toEqual([
      { preference: 10, exchange: 'mail.test.netkit', ttl: 3600 },
    ]);
    expect(await resolveNs('test.netkit', o)).toEqual([{ host: 'ns1.test.netkit', ttl: 3600 }]);
    expect(await resolvePtr('ptr.test.netkit', o)).toEqual([{ host: 'a.test.netkit', ttl: 3600 }]);
    expect(await resolveSrv('_sip._tcp.test.netkit', o)).toEqual([
      { priority: 10, weight: 60, port: 5060, target: 'sip.test.netkit', ttl: 3600 },
    ]);
    expect(await resolveSoa('test.netkit', o)).toMatchObject({
      mname: 'ns1.test.netkit',
      serial: 2025010101,
      minimum: 300,
      ttl: 3600,
    });
    const words = await resolveTxt('words.test.netkit', o);
    expect(words).toEqual([
      {
        strings: ['hello', 'world', 'with "quotes" and a ; semicolon'],
        text: 'helloworldwith "quotes" and a ; semicolon',
        ttl: 3600,
      },
    ]);
    const dkim = await resolveTxt('dkim._domainkey.test.netkit', o);
    // Over 255 octets: two character-strings, joined in `text`.
    expect(dkim[0]?.strings).toHaveLength(2);
    expect(dkim[0]?.text.length).toBeGreaterThan(255);
    expect(dkim[0]?.text.startsWith('v=DKIM1; k=rsa; p=MIIB')).toBe(true);
    expect(
      (await resolveCaa('caa.test.netkit', o)).map((c) => `${c.tag} ${c.value}`).sort(),
    ).toEqual(['iodef mailto:security@test.netkit', 'issue letsencrypt.org']);
  });

  it('reverseName gives in-addr.arpa and ip6.arpa names for PTR lookups', async () => {
    const records = [
      soa('arpa'),
      { ...A('', ''), name: reverseName('192.0.2.10'), type: RecordType.PTR, data: 'a.test' },
      { ...A('', ''), name: reverseName('2001:db8::10'), type: RecordType.PTR, data: 'aaaa.test' },
    ] as ResourceRecord[];
    expect(reverseName('192.0.2.10')).toBe('10.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::10')).toBe(
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    const server = await start({ records });
    const o = { servers: [at(server.port)] };
    expect(await resolvePtr(reverseName('192.0.2.10'), o)).toEqual([{ host: 'a.test', ttl: 60 }]);
    expect(await resolvePtr(reverseName('2001:db8::10'), o)).toEqual([
      { host: 'aaaa.test', ttl: 60 },
    ]);
  });
});

describe('many queries in flight', () => {
  it('500 concurrent queries each get their own answer', async () => {
    const n = 500;
    const records = [
      soa(ZONE),
      ...Array.from({ length: n }, (_, i) => A(`h${i}.${ZONE}`, `10.1.${i >> 8}.${i & 255}`)),
    ];
    const server = await start({ records });
    const servers = [at(server.port)];
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        // A burst of 500 overflows the server socket's default receive buffer (212992 bytes holds
        // about 270 small datagrams): the queries the kernel dropped are asked again.
        query(`h${i}.${ZONE}`, 'A', { servers, timeout: 500, retries: 4 }),
      ),
    );
    const wrong = results.flatMap((r, i) => {
      if (r.status === 'rejected') return [`h${i}: ${String(r.reason)}`];
      const got = addresses(r.value.message);
      return got.join() === `10.1.${i >> 8}.${i & 255}` ? [] : [`h${i}: ${got.join()}`];
    });
    expect(wrong, wrong.slice(0, 10).join('\n')).toEqual([]);
    // Every query had its own socket and id: nothing crossed over.
    expect(results.every((r) => r.status === 'fulfilled' && r.value.ignored === 0)).toBe(true);
    expect(server.stats.queries).toBeGreaterThanOrEqual(n);
  });
});
