// Forged answers racing the real one (RFC 5452): query() is pointed at a proxy of the test that
// forwards each query to a real netkit server (which answers ~80 ms later), but first fires
// forgeries at the resolver's source port: wrong id, wrong question, not a response, garbage,
// and perfect copies sent from another port or another address. Only the real answer is taken;
// every forgery that reached the socket is counted in `ignored`.
import type { Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Message,
  type MessageInput,
  query,
  RecordType,
  Resolver,
  type ResourceRecord,
  recordsHandler,
} from '../src/index.js';
import { prng } from './helpers.js';
import { IN, sendTo, soa, useServers, useSockets } from './net.js';

const start = useServers();
const socket = useSockets();

const NAME = 'www.spoof.test';
const REAL = '192.0.2.1';
const FORGED = '203.0.113.66';
const RECORDS: ResourceRecord[] = [
  soa('spoof.test'),
  { name: NAME, type: RecordType.A, class: IN, ttl: 60, data: REAL },
];

/** The forger's answer to `q`: looks right, points elsewhere. */
function forged(q: Message, change: MessageInput = {}): Uint8Array {
  const question = q.questions[0]!;
  return encode({
    id: q.id,
    qr: true,
    aa: true,
    rd: q.rd,
    questions: [question],
    answers: [{ name: question.name, type: RecordType.A, class: IN, ttl: 86_400, data: FORGED }],
    ...change,
  });
}

type Forgery = { what: string; from: Socket; bytes: Uint8Array };

/** Every forgery of the first test: wrong id, question, flags, bytes, source port and address. */
const otherAddresses = new WeakMap<Socket, Promise<Socket>>();

async function everyForgery(q: Message, p: Socket, otherPort: Socket, random: () => number) {
  // The right address and port, but from another address of loopback: 127.0.0.2 (one per proxy).
  let other = otherAddresses.get(p);
  if (!other) {
    other = socket('127.0.0.2', p.address().port);
    otherAddresses.set(p, other);
  }
  const otherAddress = await other;
  const question = q.questions[0]!;
  const forgeries: Forgery[] = [
    { what: 'wrong id', from: p, bytes: forged(q, { id: (q.id + 1) & 0xffff }) },
    {
      what: 'wrong name',
      from: p,
      bytes: forged(q, { questions: [{ ...question, name: `evil.${question.name}` }] }),
    },
    {
      what: 'wrong type',
      from: p,
      bytes: forged(q, { questions: [{ ...question, type: RecordType.AAAA }] }),
    },
    {
      what: 'wrong class',
      from: p,
      bytes: forged(q, { questions: [{ ...question, class: 3 /* CH */ }] }),
    },
    { what: 'not a response (QR=0)', from: p, bytes: forged(q, { qr: false }) },
    { what: 'no question, NOERROR', from: p, bytes: forged(q, { questions: [] }) },
    {
      what: 'garbage',
      from: p,
      bytes: Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256)),
    },
    { what: 'cut header', from: p, bytes: forged(q).subarray(0, 7) },
    { what: 'cut record', from: p, bytes: forged(q).subarray(0, forged(q).length - 3) },
    { what: 'wrong source port', from: otherPort, bytes: forged(q) },
    { what: 'wrong source address', from: otherAddress, bytes: forged(q) },
  ];
  return forgeries;
}

/**
 * A proxy in front of a real server, delayed: for each query from a client it first sends what
 * `forgeries` makes (to the client's address and port), then forwards the query and relays the
 * real answer back.
 */
async function spoofingProxy(forgeries: (q: Message, proxy: Socket) => Promise<Forgery[]>) {
  const real = await start({
    handler: async (q, ctx) => {
      await new Promise((r) => setTimeout(r, 80));
      return recordsHandler(RECORDS)(q, ctx);
    },
  });
  const proxy = await socket();
  const sent: string[] = [];
  const clients = new Map<number, { port: number; address: string }>();
  proxy.on('message', async (data, rinfo) => {
    if (rinfo.port === real.port) {
      const client = clients.get(data.readUInt16BE(0));
      if (client) await sendTo(proxy, data, client.port, client.address);
      return;
    }
    const q = decode(data);
    clients.set(q.id, rinfo);
    for (const f of await forgeries(q, proxy)) {
      await sendTo(f.from, f.bytes, rinfo.port, rinfo.address);
      sent.push(f.what);
    }
    await sendTo(proxy, data, real.port);
  });
  return { server: `127.0.0.1:${proxy.address().port}`, sent, real };
}

describe('forged answers', () => {
  it('takes only the real answer and counts every forgery that reached its socket', async () => {
    const random = prng(5452);
    const otherPort = await socket();
    const proxy = await spoofingProxy((q, p) => everyForgery(q, p, otherPort, random));
    const result = await query(NAME, 'A', { servers: [proxy.server], timeout: 2000, retries: 0 });
    expect(result.message.answers.map((r) => r.data)).toEqual([REAL]);
    expect(result.server).toBe(proxy.server);
    expect(proxy.sent).toHaveLength(11);
    expect(result.ignored).toBe(proxy.sent.length);
    expect(proxy.real.stats.queries).toBe(1);
  });

  it('takes the real answer after a flood of 100 guesses at the id', async () => {
    const proxy = await spoofingProxy(async (q, p) =>
      Array.from({ length: 100 }, (_, i) => ({
        what: `id guess ${i}`,
        from: p,
        bytes: forged(q, { id: (q.id + 1 + i * 643) & 0xffff }),
      })),
    );
    const result = await query(NAME, 'A', { servers: [proxy.server], timeout: 2000, retries: 0 });
    expect(result.message.answers.map((r) => r.data)).toEqual([REAL]);
    expect(result.ignored).toBe(100);
  });

  it('accepts the real answer whatever the case of the question it echoes (RFC 4343)', async () => {
    const proxy = await spoofingProxy(async () => []);
    const result = await query('WwW.SpOoF.TeSt', 'A', { servers: [proxy.server], retries: 0 });
    expect(result.message.answers.map((r) => r.data)).toEqual([REAL]);
    expect(result.ignored).toBe(0);
  });

  it('asks every query from a fresh source port with a fresh random id', async () => {
    const seen: { id: number; port: number }[] = [];
    const recorder = await start({
      handler: (q, ctx) => {
        seen.push({ id: q.id, port: ctx.port });
        return recordsHandler(RECORDS)(q, ctx);
      },
    });
    for (let i = 0; i < 40; i++) {
      await query(NAME, 'A', { servers: [`127.0.0.1:${recorder.port}`], retries: 0 });
    }
    expect(seen).toHaveLength(40);
    // Distinct with overwhelming probability (40 draws from 65536 ids, from ~28000 ports).
    expect(new Set(seen.map((s) => s.id)).size).toBeGreaterThanOrEqual(38);
    expect(new Set(seen.map((s) => s.port)).size).toBeGreaterThanOrEqual(38);
    // Not a counter: consecutive ids are not one apart.
    const steps = seen.slice(1).filter((s, i) => s.id === ((seen[i]!.id + 1) & 0xffff)).length;
    expect(steps).toBeLessThan(3);
  });
});

describe('forged answers, pooled source ports (Resolver sourcePorts)', () => {
  const POOL = { pool: 2, maxQueriesPerSocket: 3 };

  it('takes only the real answers, query after query, as sockets rotate', async () => {
    const random = prng(6891);
    const otherPort = await socket();
    const proxy = await spoofingProxy((q, p) => everyForgery(q, p, otherPort, random));
    await using resolver = new Resolver({
      servers: [proxy.server],
      timeout: 2000,
      retries: 0,
      sourcePorts: POOL,
    });
    let ignored = 0;
    for (let i = 0; i < 8; i++) {
      const result = await resolver.query(i % 2 ? NAME : NAME.toUpperCase(), 'A');
      expect(result.message.answers.map((r) => r.data)).toEqual([REAL]);
      ignored += result.ignored;
    }
    expect(proxy.sent).toHaveLength(8 * 11);
    // A forgery with an id no query is waiting for (wrong id, garbage, a cut header) is counted
    // by the resolver as a stray; the others by the query they tried to answer.
    expect(ignored + resolver.stats.strays).toBe(proxy.sent.length);
    expect(ignored).toBeGreaterThanOrEqual(8 * 7);
    expect(proxy.real.stats.queries).toBe(8);
  });

  it('takes the real answers after 50 guesses at each id, three queries in flight on one socket', async () => {
    const proxy = await spoofingProxy(async (q, p) =>
      // 150 forgeries in all: what a socket's default receive buffer holds (about 250 small ones).
      Array.from({ length: 50 }, (_, i) => ({
        what: `id guess ${i}`,
        from: p,
        bytes: forged(q, { id: (q.id + 1 + i * 643) & 0xffff }),
      })),
    );
    await using resolver = new Resolver({
      servers: [proxy.server],
      timeout: 3000,
      retries: 0,
      sourcePorts: { pool: 1, maxQueriesPerSocket: 100 },
    });
    // Three queries share one socket: a guess may hit another query's id, and then it must fail
    // that query's question check (each asks for another type).
    const types = ['A', 'AAAA', 'MX'];
    const results = await Promise.all(types.map((t) => resolver.query(NAME, t)));
    expect(results[0]!.message.answers.map((r) => r.data)).toEqual([REAL]);
    for (const r of results.slice(1)) expect(r.message.answers).toEqual([]);
    const ignored = results.reduce((n, r) => n + r.ignored, 0);
    expect(ignored + resolver.stats.strays).toBe(150);
    expect(new Set(resolver.stats.ports).size).toBe(1);
  });
});
