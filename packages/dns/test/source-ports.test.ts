// Source ports as a netkit server sees them: a fresh port per query by default (also with many
// queries in flight), and a Resolver's pooled ports (sourcePorts) used for at most
// maxQueriesPerSocket queries each, ids unique per socket among queries in flight, and every
// query settling (answer, timeout, abort, close).
import { describe, expect, it } from 'vitest';
import {
  DnsAbortedError,
  DnsClosedError,
  DnsTimeoutError,
  type QueryContext,
  query,
  RecordType,
  Resolver,
  type ResourceRecord,
  recordsHandler,
} from '../src/index.js';
import { IN, rejectionOf, soa, useServers } from './net.js';

const start = useServers();

const ZONE = 'ports.test';
const RECORDS: ResourceRecord[] = [
  soa(ZONE),
  ...Array.from({ length: 50 }, (_, i) => ({
    name: `h${i}.${ZONE}`,
    type: RecordType.A,
    class: IN,
    ttl: 60,
    data: `192.0.2.${i}`,
  })),
];

/** A server of RECORDS that records each query's source port and id; `delay` ms before answering. */
async function recorder(delay = 0) {
  const seen: { port: number; id: number; name: string }[] = [];
  const answer = recordsHandler(RECORDS);
  const server = await start({
    handler: async (q, ctx: QueryContext) => {
      seen.push({ port: ctx.port, id: q.id, name: q.questions[0]!.name });
      if (delay) await new Promise((r) => setTimeout(r, delay));
      return answer(q, ctx);
    },
  });
  return { seen, server: `127.0.0.1:${server.port}` };
}

const countBy = <T>(xs: T[], key: (x: T) => string | number) => {
  const m = new Map<string | number, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

describe('a source port per query (the default)', () => {
  it('uses a distinct port for each of 60 queries in flight at once', async () => {
    const { seen, server } = await recorder(50);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        query(`h${i % 50}.${ZONE}`, 'A', { servers: [server], retries: 0 }),
      ),
    );
    results.forEach((r, i) => {
      expect(r.message.answers.map((a) => a.data)).toEqual([`192.0.2.${i % 50}`]);
    });
    expect(seen).toHaveLength(60);
    // All 60 sockets are open together, so the kernel cannot give one port twice.
    expect(new Set(seen.map((s) => s.port)).size).toBe(60);
  });

  it("does the same for a Resolver with sourcePorts 'per-query'", async () => {
    const { seen, server } = await recorder();
    await using resolver = new Resolver({
      servers: [server],
      retries: 0,
      sourcePorts: 'per-query',
    });
    for (let i = 0; i < 20; i++) await resolver.query(`h${i}.${ZONE}`);
    expect(seen).toHaveLength(20);
    // Sequential: a closed socket's port could in principle come back; 20 of ~28000 rarely do.
    expect(new Set(seen.map((s) => s.port)).size).toBeGreaterThanOrEqual(19);
    expect(resolver.stats.ports).toEqual([]);
  });
});

describe('pooled source ports (Resolver sourcePorts)', () => {
  it('rotates each socket after maxQueriesPerSocket queries', async () => {
    const { seen, server } = await recorder();
    await using resolver = new Resolver({
      servers: [server],
      retries: 0,
      sourcePorts: { pool: 2, maxQueriesPerSocket: 5 },
    });
    for (let i = 0; i < 40; i++) {
      const r = await resolver.query(`h${i}.${ZONE}`);
      expect(r.message.answers.map((a) => a.data)).toEqual([`192.0.2.${i}`]);
    }
    const perPort = countBy(seen, (s) => s.port);
    // 40 queries, 5 per port: exactly 8 ports, each used 5 times.
    expect([...perPort.values()]).toEqual(Array(8).fill(5));
    // At most `pool` sockets are open between queries.
    expect(resolver.stats.ports.length).toBeLessThanOrEqual(2);
    expect(resolver.stats.queries).toBe(40);
  });

  it('settles 300 queries in flight at once, with ids unique on each socket', async () => {
    const { seen, server } = await recorder(100);
    await using resolver = new Resolver({
      servers: [server],
      retries: 0,
      timeout: 5000,
      sourcePorts: { pool: 3, maxQueriesPerSocket: 50 },
    });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => resolver.query(`h${i % 50}.${ZONE}`)),
    );
    results.forEach((r, i) => {
      expect(r.message.answers.map((a) => a.data)).toEqual([`192.0.2.${i % 50}`]);
      expect(r.ignored).toBe(0);
    });
    expect(seen).toHaveLength(300);
    // All were in flight together (the server waits 100 ms): no (port, id) twice.
    expect(new Set(seen.map((s) => `${s.port}/${s.id}`)).size).toBe(300);
    const perPort = countBy(seen, (s) => s.port);
    expect(Math.max(...perPort.values())).toBeLessThanOrEqual(50);
    expect(perPort.size).toBe(6);
    expect(resolver.stats.strays).toBe(0);
  });

  it('times out and aborts like query(), and the pool keeps working after', async () => {
    const silent = await start({ handler: () => undefined });
    const { server } = await recorder();
    await using resolver = new Resolver({
      retries: 0,
      sourcePorts: { pool: 1, maxQueriesPerSocket: 1000 },
    });
    const t0 = performance.now();
    const timedOut = await rejectionOf(
      resolver.query(`h1.${ZONE}`, 'A', { servers: [`127.0.0.1:${silent.port}`], timeout: 200 }),
    );
    expect(timedOut).toBeInstanceOf(DnsTimeoutError);
    expect(performance.now() - t0).toBeLessThan(2000);

    const controller = new AbortController();
    const pending = resolver.query(`h2.${ZONE}`, 'A', {
      servers: [`127.0.0.1:${silent.port}`],
      timeout: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('enough')), 50);
    const aborted = await rejectionOf(pending);
    expect(aborted).toBeInstanceOf(DnsAbortedError);
    expect((aborted.cause as Error).message).toBe('enough');

    const ok = await resolver.query(`h3.${ZONE}`, 'A', { servers: [server] });
    expect(ok.message.answers.map((a) => a.data)).toEqual(['192.0.2.3']);
    // All three went through the one pooled socket.
    expect(resolver.stats.ports).toHaveLength(1);
  });

  it('lets queries in flight settle on close() and refuses new ones', async () => {
    const { server } = await recorder(100);
    const resolver = new Resolver({
      servers: [server],
      retries: 0,
      sourcePorts: { pool: 2, maxQueriesPerSocket: 10 },
    });
    const inFlight = resolver.query(`h4.${ZONE}`);
    await resolver.close();
    expect((await inFlight).message.answers.map((a) => a.data)).toEqual(['192.0.2.4']);
    const refused = await rejectionOf(resolver.query(`h5.${ZONE}`));
    expect(refused).toBeInstanceOf(DnsClosedError);
    expect(refused.code).toBe('ERR_DNS_RESOLVER_CLOSED');
    expect(resolver.stats.ports).toEqual([]);
  });

  it('validates sourcePorts and the other options up front', () => {
    const bad: [unknown, RegExp, typeof TypeError | typeof RangeError][] = [
      ['pooled', /sourcePorts must be/, TypeError],
      [{ pool: 0, maxQueriesPerSocket: 5 }, /sourcePorts\.pool/, RangeError],
      [{ pool: 1.5, maxQueriesPerSocket: 5 }, /sourcePorts\.pool/, RangeError],
      [{ pool: 2 }, /sourcePorts\.maxQueriesPerSocket/, RangeError],
      [{ pool: 2, maxQueriesPerSocket: 0 }, /sourcePorts\.maxQueriesPerSocket/, RangeError],
    ];
    for (const [sourcePorts, message, type] of bad) {
      expect(
        () => new Resolver({ sourcePorts: sourcePorts as never }),
        String(sourcePorts),
      ).toThrow(type);
      expect(() => new Resolver({ sourcePorts: sourcePorts as never })).toThrow(message);
    }
    expect(() => new Resolver({ servers: [] })).toThrow(/at least one server/);
    expect(() => new Resolver({ servers: ['1.2.3.4:99999'] })).toThrow(/bad DNS server/);
    expect(() => new Resolver({ timeout: 0 })).toThrow(RangeError);
    expect(() => new Resolver({ tcp: 'sometimes' as never })).toThrow(/tcp must be/);
  });
});
