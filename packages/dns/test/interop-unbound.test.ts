// query() against a real unbound on loopback serving the every-type zone, cross-checked with
// dig: for every name and type of the zone, the same status, flags and records, line for line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skipUnless } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Message,
  type QueryOptions,
  query,
  RecordType,
  Resolver,
  rcodeToString,
  rdataToText,
  recordToText,
  typeToString,
} from '../src/index.js';
import {
  bigRRset,
  dig,
  digHeader,
  digRecords,
  digShort,
  namesAndTypes,
  recordFields,
  sorted,
  startUnbound,
  type Unbound,
  useTempDirs,
  ZONE_FILE,
} from './net.js';

const req = skipUnless(['unbound', 'dig']);
const tempDir = useTempDirs();

const BIG = 'big.netkit';
/** 50 A records: about 850 bytes, over 512 but under 1232. */
const BIG_COUNT = 50;

function flagsOf(m: Message): string[] {
  return (['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((f) => m[f]).sort();
}

/** Answer and authority sections as recordFields rows (OPT is in additionals, not compared). */
function sectionsOf(m: Message): string[][] {
  return [...m.answers, ...m.authorities].map((r) => recordFields(recordToText(r)));
}

describe.skipIf(req.skip)(`query() against unbound, checked with dig${req.note}`, () => {
  let unbound: Unbound;
  let server: string;
  const ask = (name: string, type: string | number, options: QueryOptions = {}) =>
    query(name, type, { servers: [server], timeout: 3000, retries: 0, ...options });
  const digAt = (args: string[]) =>
    dig(['-p', String(unbound.port), '@127.0.0.1', '+nocmd', '+noall', ...args]);

  beforeAll(async () => {
    const dir = await tempDir();
    // A second zone with one big RRset, for truncation and the TCP fallback.
    const big = join(dir, 'big.zone');
    await writeFile(
      big,
      [
        `$ORIGIN ${BIG}.`,
        '$TTL 300',
        '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300',
        '@ IN NS ns1',
        'ns1 IN A 192.0.2.1',
        ...bigRRset(`many.${BIG}`, BIG_COUNT).map((r) => `many IN A ${r.data as string}`),
        '',
      ].join('\n'),
    );
    unbound = await startUnbound(dir, [
      { name: 'test.netkit', file: ZONE_FILE },
      { name: BIG, file: big },
    ]);
    server = `127.0.0.1:${unbound.port}`;
  });
  afterAll(async () => {
    await unbound?.stop();
  });

  it('really serves the fixture (SOA at the apex, authoritative)', async () => {
    const { message, transport, server: from } = await ask('test.netkit', 'SOA');
    expect(from).toBe(server);
    expect(transport).toBe('udp');
    expect(message.aa).toBe(true);
    expect(message.answers.map((r) => recordToText(r))).toEqual([
      'test.netkit.\t3600\tIN\tSOA\tns1.test.netkit. hostmaster.test.netkit. 2025010101 7200 900 1209600 300',
    ]);
  });

  it('gives for every name and type of the zone what dig gives: status, flags, records', async () => {
    const pairs = namesAndTypes();
    expect(pairs.length).toBeGreaterThan(35);
    // Every RDATA type of the zone is asked for at least once.
    const types = new Set(pairs.map((p) => p.type));
    for (const t of ['A', 'AAAA', 'NS', 'CNAME', 'SOA', 'PTR', 'MX', 'TXT', 'HINFO', 'SRV']) {
      expect(types, t).toContain(RecordType[t as keyof typeof RecordType]);
    }
    for (const t of ['NAPTR', 'DNAME', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'TLSA']) {
      expect(types, t).toContain(RecordType[t as keyof typeof RecordType]);
    }
    for (const t of ['SSHFP', 'SVCB', 'HTTPS', 'CAA']) {
      expect(types, t).toContain(RecordType[t as keyof typeof RecordType]);
    }
    expect(types).toContain(65280);

    const mismatches: string[] = [];
    let withAnswers = 0;
    await Promise.all(
      pairs.map(async ({ name, type }) => {
        const typeText = typeToString(type);
        const [{ message }, text] = await Promise.all([
          ask(name, type),
          digAt(['+comments', '+answer', '+authority', name, typeText]),
        ]);
        const header = digHeader(text);
        const ours = {
          status: rcodeToString(message.rcode),
          flags: flagsOf(message),
          records: sorted(sectionsOf(message)),
        };
        const theirs = { ...header, records: sorted(digRecords(text)) };
        if (message.answers.length > 0) withAnswers++;
        try {
          expect(ours).toEqual(theirs);
        } catch {
          mismatches.push(
            `${name} ${typeText}:\n  netkit ${JSON.stringify(ours)}\n  dig    ${JSON.stringify(theirs)}`,
          );
        }
      }),
    );
    expect(mismatches, mismatches.join('\n')).toEqual([]);
    // Unbound answers NODATA for a query of type RRSIG and hides NSEC3 owner names (RFC 5155
    // 7.2.8), and a delegation is a referral: the rest are answers.
    expect(withAnswers).toBeGreaterThan(pairs.length - 6);
  });

  it("gives dig +short's RDATA lines (rdataToText) for every name and type", async () => {
    const mismatches: string[] = [];
    await Promise.all(
      namesAndTypes().map(async ({ name, type }) => {
        const [{ message }, short] = await Promise.all([
          ask(name, type),
          digAt(['+short', name, typeToString(type)]),
        ]);
        const ours = message.answers.map((r) => rdataToText(r)).sort();
        const theirs = digShort(short).sort();
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          mismatches.push(`${name} ${typeToString(type)}: ${JSON.stringify({ ours, theirs })}`);
        }
      }),
    );
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });

  it("gives dig +short's RDATA lines through a Resolver with pooled source ports, all in flight", async () => {
    await using resolver = new Resolver({
      servers: [server],
      timeout: 3000,
      retries: 1,
      sourcePorts: { pool: 2, maxQueriesPerSocket: 10 },
    });
    const pairs = namesAndTypes();
    const mismatches: string[] = [];
    await Promise.all(
      pairs.map(async ({ name, type }) => {
        const [{ message, ignored }, short] = await Promise.all([
          resolver.query(name, type),
          digAt(['+short', name, typeToString(type)]),
        ]);
        const ours = message.answers.map((r) => rdataToText(r)).sort();
        const theirs = digShort(short).sort();
        if (JSON.stringify(ours) !== JSON.stringify(theirs) || ignored !== 0) {
          mismatches.push(
            `${name} ${typeToString(type)}: ${JSON.stringify({ ours, theirs, ignored })}`,
          );
        }
      }),
    );
    expect(mismatches, mismatches.join('\n')).toEqual([]);
    expect(resolver.stats.queries).toBe(pairs.length);
    expect(resolver.stats.strays).toBe(0);
  });

  it('reads the signed A with its RRSIG when asked for DNSSEC (the DO bit), as dig +dnssec', async () => {
    const { message } = await ask('signed.test.netkit', 'A', { dnssec: true });
    const text = await digAt(['+dnssec', '+answer', 'signed.test.netkit', 'A']);
    expect(message.answers.map((r) => r.type).sort()).toEqual([RecordType.A, RecordType.RRSIG]);
    expect(sorted(message.answers.map((r) => recordFields(recordToText(r))))).toEqual(
      sorted(digRecords(text)),
    );
  });

  it('follows a CNAME and a DNAME as unbound synthesizes them, as dig reads them', async () => {
    for (const name of ['cname.test.netkit', 'x.dname.test.netkit']) {
      const { message } = await ask(name, 'A');
      const text = await digAt(['+answer', name, 'A']);
      expect(sorted(sectionsOf(message)), name).toEqual(sorted(digRecords(text)));
      expect(message.answers[0]?.type).toBe(
        name.startsWith('x.') ? RecordType.DNAME : RecordType.CNAME,
      );
    }
  });

  it('NXDOMAIN and NODATA are results, with the SOA in authority', async () => {
    const nx = await ask('nope.test.netkit', 'A');
    expect(rcodeToString(nx.message.rcode)).toBe('NXDOMAIN');
    expect(nx.message.authorities.map((r) => r.type)).toEqual([RecordType.SOA]);
    const nodata = await ask('a.test.netkit', 'MX');
    expect(rcodeToString(nodata.message.rcode)).toBe('NOERROR');
    expect(nodata.message.answers).toEqual([]);
    expect(nodata.message.authorities.map((r) => r.type)).toEqual([RecordType.SOA]);
  });

  describe('a big RRset', () => {
    const name = `many.${BIG}`;
    const expected = bigRRset(name, BIG_COUNT)
      .map((r) => r.data as string)
      .sort();
    const addresses = (m: Message) => m.answers.map((r) => r.data as string).sort();

    it('fits in UDP at the default EDNS size (1232)', async () => {
      const result = await ask(name, 'A');
      expect(result.transport).toBe('udp');
      expect(result.size).toBeGreaterThan(512);
      expect(addresses(result.message)).toEqual(expected);
    });

    it('arrives whole over TCP when the UDP answer is truncated at 512 bytes', async () => {
      const result = await ask(name, 'A', { udpSize: 512 });
      expect(result.transport).toBe('tcp');
      expect(result.message.tc).toBe(false);
      expect(addresses(result.message)).toEqual(expected);
      const plain = await ask(name, 'A', { edns: false });
      expect(plain.transport).toBe('tcp');
      expect(addresses(plain.message)).toEqual(expected);
    });

    it("with tcp: 'never', returns the truncated answer (TC) as it came", async () => {
      const result = await ask(name, 'A', { udpSize: 512, tcp: 'never' });
      expect(result.transport).toBe('udp');
      expect(result.message.tc).toBe(true);
      expect(result.size).toBeLessThanOrEqual(512);
    });

    it("with tcp: 'always', asks over TCP from the start, as dig +tcp", async () => {
      const result = await ask(name, 'A', { tcp: 'always' });
      expect(result.transport).toBe('tcp');
      const text = await digAt(['+tcp', '+answer', name, 'A']);
      expect(sorted(sectionsOf(result.message))).toEqual(sorted(digRecords(text)));
    });
  });
});
