// The DNS server under bad input over real sockets: malformed datagrams and frames get FORMERR
// or are dropped, and the server keeps answering; EDNS versions it does not speak get BADVERS;
// answers too big for the client's UDP size go out truncated (TC).
import { connect, type Socket as TcpSocket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Message,
  type MessageInput,
  Opcode,
  query,
  Rcode,
  RecordType,
  type ResourceRecord,
} from '../src/index.js';
import { prng } from './helpers.js';
import {
  bigRRset,
  IN,
  nextDatagram,
  rejectionOf,
  sendTo,
  soa,
  useServers,
  useSockets,
  waitUntil,
} from './net.js';

const start = useServers();
const socket = useSockets();

const RECORDS: ResourceRecord[] = [
  soa('srv.test'),
  { name: 'www.srv.test', type: RecordType.A, class: IN, ttl: 60, data: '192.0.2.1' },
  { name: 'alias.srv.test', type: RecordType.CNAME, class: IN, ttl: 60, data: 'www.srv.test' },
  { name: 'loop1.srv.test', type: RecordType.CNAME, class: IN, ttl: 60, data: 'loop2.srv.test' },
  { name: 'loop2.srv.test', type: RecordType.CNAME, class: IN, ttl: 60, data: 'loop1.srv.test' },
  ...bigRRset('big.srv.test', 100),
];

const OPT = (version = 0, udpPayloadSize = 1232): ResourceRecord => ({
  name: '.',
  type: RecordType.OPT,
  data: { udpPayloadSize, version, dnssecOk: false, z: 0, options: [] },
});

function queryBytes(id: number, name = 'www.srv.test', extra: MessageInput = {}): Uint8Array {
  return encode({
    id,
    rd: true,
    questions: [{ name, type: RecordType.A, class: IN }],
    ...extra,
  });
}

/** A client socket that sends bytes to the server and reads what comes back (or nothing). */
async function client(port: number) {
  const s = await socket();
  return {
    send: (bytes: Uint8Array) => sendTo(s, bytes, port),
    /** The next reply, decoded; undefined if none within `ms`. */
    reply: async (ms = 1000): Promise<Message | undefined> => {
      const d = await nextDatagram(s, ms);
      return d && decode(d.data);
    },
    /** Sends a good query and expects its answer: the server is still serving. */
    stillServing: async () => {
      const id = Math.floor(Math.random() * 65_536);
      await sendTo(s, queryBytes(id), port);
      const d = await nextDatagram(s, 2000);
      expect(d, 'no answer to a good query').toBeDefined();
      const m = decode(d!.data);
      expect(m.id).toBe(id);
      expect(m.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    },
  };
}

const u16 = (n: number) => [(n >> 8) & 255, n & 255];

describe('malformed queries over UDP', () => {
  it('drops a datagram shorter than a header, and keeps answering', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    for (const bytes of [[], [1], [0x12, 0x34, 0x01, 0x00, 0x00]]) {
      await c.send(Uint8Array.from(bytes));
    }
    expect(await c.reply(200)).toBeUndefined();
    await c.stillServing();
    expect(server.stats.dropped).toBe(3);
  });

  it('answers FORMERR, echoing the id, to a header announcing a question that is not there', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    // id 0xbeef, RD, QDCOUNT 1, and nothing after the header.
    await c.send(Uint8Array.from([0xbe, 0xef, 0x01, 0x00, ...u16(1), 0, 0, 0, 0, 0, 0]));
    const reply = await c.reply();
    expect(reply).toMatchObject({ id: 0xbeef, qr: true, rcode: Rcode.FORMERR });
    // A question cut in the middle of its name.
    const cut = queryBytes(0x1234).subarray(0, 17);
    await c.send(cut);
    expect(await c.reply()).toMatchObject({ id: 0x1234, qr: true, rcode: Rcode.FORMERR });
    await c.stillServing();
    expect(server.stats.formerr).toBe(2);
  });

  it('never answers a response (QR set), well-formed or not: no loops', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    await c.send(
      encode({ id: 7, qr: true, questions: [{ name: 'www.srv.test', type: 1, class: IN }] }),
    );
    // A malformed response: QR set, a question announced but missing.
    await c.send(Uint8Array.from([0, 8, 0x80, 0, ...u16(1), 0, 0, 0, 0, 0, 0]));
    expect(await c.reply(200)).toBeUndefined();
    await c.stillServing();
    expect(server.stats.queries).toBe(3);
  });

  it('answers FORMERR to a query with two questions, and to one with none', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    const two = [
      { name: 'www.srv.test', type: RecordType.A, class: IN },
      { name: 'alias.srv.test', type: RecordType.A, class: IN },
    ];
    await c.send(encode({ id: 21, rd: true, questions: two }));
    const reply = await c.reply();
    expect(reply).toMatchObject({ id: 21, qr: true, rcode: Rcode.FORMERR, answers: [] });
    await c.send(encode({ id: 22, rd: true, questions: [] }));
    expect(await c.reply()).toMatchObject({ id: 22, qr: true, rcode: Rcode.FORMERR });
    await c.stillServing();
  });

  it('answers NOTIMP to an opcode other than QUERY', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    for (const opcode of [Opcode.IQUERY ?? 1, Opcode.STATUS ?? 2, Opcode.UPDATE ?? 5]) {
      await c.send(queryBytes(100 + opcode, 'www.srv.test', { opcode }));
      expect(await c.reply()).toMatchObject({
        id: 100 + opcode,
        qr: true,
        rcode: Rcode.NOTIMP,
        opcode,
      });
    }
    await c.stillServing();
  });

  it('answers BADVERS, with an OPT of version 0, to EDNS version 1 (RFC 6891 6.1.3)', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    await c.send(queryBytes(31, 'www.srv.test', { additionals: [OPT(1)] }));
    const reply = await c.reply();
    expect(reply?.rcode).toBe(Rcode.BADVERS);
    expect(reply?.answers).toEqual([]);
    const opt = reply?.additionals.find((r) => r.type === RecordType.OPT);
    expect(opt).toMatchObject({ data: { version: 0 } });
    await c.send(queryBytes(32, 'www.srv.test', { additionals: [OPT(0)] }));
    expect((await c.reply())?.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
  });

  it('survives 2000 random and mutated datagrams: every reply a response, and it keeps serving', async () => {
    const server = await start({ records: RECORDS });
    const s = await socket();
    const replies: Buffer[] = [];
    s.on('message', (data) => replies.push(data));
    const random = prng(0xd05);
    const good = queryBytes(0x4242, 'www.srv.test', { additionals: [OPT()] });
    const count = 2000;
    for (let i = 0; i < count; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: Math.floor(random() * 80) }, () =>
          Math.floor(random() * 256),
        );
      } else {
        // A good query with a few bytes changed, cut short or extended.
        bytes = Uint8Array.from(good);
        for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        if (random() < 0.3) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      }
      await sendTo(s, bytes, server.port);
      // Let the server keep up: loopback drops datagrams past the socket's receive buffer.
      if (i % 20 === 19) await waitUntil(() => server.stats.queries === i + 1, 2000);
    }
    const reached = await waitUntil(() => server.stats.queries === count, 2000);
    expect(reached, JSON.stringify(server.stats)).toBe(true);
    // Wait for the replies to stop coming.
    let seen = -1;
    for (let i = 0; i < 100 && seen !== replies.length; i++) {
      seen = replies.length;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const r of replies) {
      const m = decode(r);
      expect(m.qr).toBe(true);
    }
    const { stats } = server;
    expect(stats.formerr + stats.dropped).toBeGreaterThan(count / 4);
    expect(replies.length).toBeLessThanOrEqual(count - stats.dropped);
    const c = await client(server.port);
    await c.stillServing();
  });

  it('keeps answering after a handler that throws or rejects', async () => {
    const server = await start({
      handler: (q) => {
        const name = q.questions[0]!.name;
        if (name === 'throw.srv.test') throw new Error('handler bug');
        if (name === 'reject.srv.test') return Promise.reject(new Error('handler bug'));
        return { answers: [{ name, type: RecordType.A, class: IN, ttl: 1, data: '192.0.2.1' }] };
      },
    });
    const c = await client(server.port);
    await c.send(queryBytes(1, 'throw.srv.test'));
    await c.send(queryBytes(2, 'reject.srv.test'));
    // A failing handler is answered SERVFAIL, so the client need not wait for a timeout.
    const failed = [await c.reply(), await c.reply()];
    expect(failed.map((m) => [m?.id, m?.rcode]).sort()).toEqual([
      [1, Rcode.SERVFAIL],
      [2, Rcode.SERVFAIL],
    ]);
    await c.stillServing();
    // And over TCP.
    const ok = await query('fine.srv.test', 'A', {
      servers: [`127.0.0.1:${server.port}`],
      tcp: 'always',
      timeout: 2000,
      retries: 0,
    });
    expect(ok.message.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
  });
});

/** A TCP connection exchanging length-prefixed DNS messages (RFC 1035 4.2.2). */
async function tcpClient(port: number) {
  const s: TcpSocket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('TCP connect timed out')), 2000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    s.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let closed = false;
  s.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const len = buffered.readUInt16BE(0);
      frames.push(buffered.subarray(2, 2 + len));
      buffered = buffered.subarray(2 + len);
    }
  });
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => {});
  return {
    write: (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) => s.write(bytes, (e) => (e ? reject(e) : resolve()))),
    frame: (bytes: Uint8Array) => Buffer.concat([Buffer.from(u16(bytes.length)), bytes]),
    /** The replies received so far, once `n` are in (or after `ms`). */
    replies: async (n: number, ms = 2000): Promise<Message[]> => {
      await waitUntil(() => frames.length >= n || closed, ms);
      return frames.map((f) => decode(f));
    },
    closed: () => closed,
    close: () => s.destroy(),
  };
}

describe('over TCP', () => {
  it('answers queries pipelined on one connection in turn (RFC 7766 6.2.1)', async () => {
    const server = await start({ records: RECORDS });
    const t = await tcpClient(server.port);
    try {
      const names = ['www.srv.test', 'alias.srv.test', 'nope.srv.test'];
      await t.write(Buffer.concat(names.map((n, i) => t.frame(queryBytes(i + 1, n)))));
      const replies = await t.replies(3);
      expect(replies.map((m) => [m.id, m.rcode, m.answers.length])).toEqual([
        [1, Rcode.NOERROR, 1],
        [2, Rcode.NOERROR, 2],
        [3, Rcode.NXDOMAIN, 0],
      ]);
      expect(server.stats.tcpQueries).toBe(3);
    } finally {
      t.close();
    }
  });

  it('answers FORMERR to a malformed frame and keeps the connection serving', async () => {
    const server = await start({ records: RECORDS });
    const t = await tcpClient(server.port);
    try {
      await t.write(
        t.frame(Uint8Array.from([0xab, 0xcd, 0x01, 0x00, ...u16(1), 0, 0, 0, 0, 0, 0])),
      );
      await t.write(t.frame(queryBytes(9)));
      const replies = await t.replies(2);
      expect(replies.map((m) => [m.id, m.rcode])).toEqual([
        [0xabcd, Rcode.FORMERR],
        [9, Rcode.NOERROR],
      ]);
    } finally {
      t.close();
    }
  });

  it('sends a big RRset whole over TCP, never truncated', async () => {
    const server = await start({ records: RECORDS });
    const t = await tcpClient(server.port);
    try {
      await t.write(t.frame(queryBytes(5, 'big.srv.test')));
      const [reply] = await t.replies(1);
      expect(reply?.tc).toBe(false);
      expect(reply?.answers).toHaveLength(100);
    } finally {
      t.close();
    }
  });

  it('survives a connection closed in the middle of a frame', async () => {
    const server = await start({ records: RECORDS });
    const t = await tcpClient(server.port);
    await t.write(Buffer.from(t.frame(queryBytes(1)).subarray(0, 9)));
    t.close();
    const c = await client(server.port);
    await c.stillServing();
  });
});

describe('truncation over UDP', () => {
  it('sends TC with no records when the answer does not fit the EDNS size, and counts it', async () => {
    const server = await start({ records: RECORDS });
    const c = await client(server.port);
    await c.send(queryBytes(1, 'big.srv.test', { additionals: [OPT(0, 1232)] }));
    const reply = await c.reply();
    expect(reply).toMatchObject({ id: 1, tc: true, aa: true, answers: [] });
    expect(reply?.questions).toEqual([{ name: 'big.srv.test', type: RecordType.A, class: IN }]);
    expect(server.stats.truncated).toBe(1);
  });

  it('uses 512 bytes without EDNS, and never less than 512 with it', async () => {
    const records = [soa('srv.test'), ...bigRRset('mid.srv.test', 25)]; // about 450 bytes
    const server = await start({ records });
    const c = await client(server.port);
    await c.send(encode({ id: 2, questions: [{ name: 'mid.srv.test', type: 1, class: IN }] }));
    expect((await c.reply())?.answers).toHaveLength(25);
    // An EDNS size under 512 is taken as 512 (RFC 6891 6.2.5).
    await c.send(queryBytes(3, 'mid.srv.test', { additionals: [OPT(0, 100)] }));
    const small = await c.reply();
    expect(small?.tc).toBe(false);
    expect(small?.answers).toHaveLength(25);
    expect(server.stats.truncated).toBe(0);
  });
});

describe('recordsHandler', () => {
  const ask = (port: number, name: string, type: string) =>
    query(name, type, { servers: [`127.0.0.1:${port}`], timeout: 2000, retries: 0 });

  it('answers authoritatively: CNAME chains, NXDOMAIN and NODATA with the SOA', async () => {
    const server = await start({ records: RECORDS });
    const alias = await ask(server.port, 'ALIAS.srv.test', 'A');
    expect(alias.message.aa).toBe(true);
    expect(alias.message.answers.map((r) => [r.type, r.data])).toEqual([
      [RecordType.CNAME, 'www.srv.test'],
      [RecordType.A, '192.0.2.1'],
    ]);
    // The question comes back as asked (case kept: RFC 4343, and the resolver's 0x20 check).
    expect(alias.message.questions[0]?.name).toBe('ALIAS.srv.test');
    const nx = await ask(server.port, 'nope.srv.test', 'A');
    expect(nx.message.rcode).toBe(Rcode.NXDOMAIN);
    expect(nx.message.authorities.map((r) => r.type)).toEqual([RecordType.SOA]);
    const nodata = await ask(server.port, 'www.srv.test', 'MX');
    expect(nodata.message.rcode).toBe(Rcode.NOERROR);
    expect(nodata.message.answers).toEqual([]);
    expect(nodata.message.authorities.map((r) => r.type)).toEqual([RecordType.SOA]);
  });

  it('stops a CNAME loop, and refuses names outside its zones', async () => {
    const server = await start({ records: RECORDS });
    const loop = await ask(server.port, 'loop1.srv.test', 'A');
    expect(loop.message.answers.length).toBeGreaterThan(0);
    expect(loop.message.answers.length).toBeLessThanOrEqual(8);
    const err = await rejectionOf(ask(server.port, 'www.elsewhere.test', 'A'));
    expect(err.code).toBe('ERR_DNS_SERVER_FAILURE');
    expect(err.message).toContain('REFUSED');
  });
});
