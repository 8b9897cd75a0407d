// dig and kdig, clients no one here wrote, asking netkit's server for every name and type of the
// every-type zone over UDP and TCP: each reads back exactly the records the zone holds. And
// truncation as they see it: TC at their UDP size, then the whole answer over TCP.
import { skipUnless } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServer,
  type DnsServer,
  RecordType,
  type ResourceRecord,
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
  kdig,
  namesAndTypes,
  recordFields,
  sorted,
  zoneRecords,
} from './net.js';

const req = skipUnless(['dig', 'kdig']);

const MANY = 'many.test.netkit';
/** 60 A records: about 1 kB, over 512 but under 1232. */
const MANY_COUNT = 60;

/** kdig's header: ";; ->>HEADER<<- opcode: QUERY; status: NOERROR; ..." and ";; Flags: qr aa; ...". */
function kdigHeader(output: string): { status: string; flags: string[] } {
  const status = /status: (\w+)/.exec(output)?.[1];
  const flags = /;; Flags:([^;]*);/.exec(output)?.[1];
  if (status === undefined || flags === undefined) throw new Error(`no kdig header in:\n${output}`);
  return { status, flags: flags.trim().split(/\s+/).filter(Boolean).sort() };
}

/**
 * kdig's presentation differs from dig's (and recordToText's) in three ways only, all valid
 * text for the same data: base64 and hex fields are not split into words, an SVCB/HTTPS alpn
 * list is not quoted (`alpn=h3,h2` for `alpn="h3,h2"`, RFC 9460), and NSEC3's next hashed owner
 * is in lower case (base32hex is case-insensitive, RFC 4648 7). The expected line is written
 * kdig's way for the comparison.
 */
function kdigStyle(r: ResourceRecord): string[] {
  const fields = recordFields(recordToText(r));
  let rdata = rdataToText(r, { split: 0 });
  if (r.type === RecordType.SVCB || r.type === RecordType.HTTPS) {
    rdata = rdata.replace(/alpn="([^"\\]*)"/, 'alpn=$1');
  }
  if (r.type === RecordType.NSEC3) {
    const words = rdata.split(' ');
    words[4] = words[4]!.toLowerCase();
    rdata = words.join(' ');
  }
  return [...fields.slice(0, 4), rdata];
}

describe.skipIf(req.skip)(`dig and kdig asking netkit's server${req.note}`, () => {
  let server: DnsServer;
  const records = [...zoneRecords(), ...bigRRset(MANY, MANY_COUNT)];
  // child.test.netkit is a zone cut (NS below the apex): everything there but DS is a referral,
  // with no answer and AA=0 (checked against unbound in records-handler.test.ts).
  const referral = (name: string, type: number) =>
    name.toLowerCase() === 'child.test.netkit' && type !== RecordType.DS;
  const expectedFor = (name: string, type: number) =>
    referral(name, type)
      ? []
      : records.filter((r) => r.name.toLowerCase() === name.toLowerCase() && r.type === type);
  const flagsFor = (name: string, type: number) =>
    referral(name, type) ? ['qr', 'rd'] : ['aa', 'qr', 'rd'];
  const digAt = (args: string[]) =>
    dig(['-p', String(server.port), '@127.0.0.1', '+nocmd', '+noall', ...args]);
  const kdigAt = (args: string[]) =>
    kdig(['-p', String(server.port), '@127.0.0.1', '+noall', ...args]);

  beforeAll(async () => {
    server = await createServer({ records });
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    const tcp = transport === 'tcp' ? ['+tcp'] : [];

    it(`dig reads every name and type of the zone over ${transport.toUpperCase()}`, async () => {
      const pairs = namesAndTypes(zoneRecords());
      const mismatches: string[] = [];
      await Promise.all(
        pairs.map(async ({ name, type }) => {
          const text = await digAt([...tcp, '+comments', '+answer', name, typeToString(type)]);
          const ours = {
            status: 'NOERROR',
            flags: flagsFor(name, type),
            records: sorted(expectedFor(name, type).map((r) => recordFields(recordToText(r)))),
          };
          const theirs = { ...digHeader(text), records: sorted(digRecords(text)) };
          if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
            mismatches.push(
              `${name} ${typeToString(type)}:\n  zone ${JSON.stringify(ours)}\n  dig  ${JSON.stringify(theirs)}`,
            );
          }
        }),
      );
      expect(mismatches, mismatches.join('\n')).toEqual([]);
    });

    it(`kdig reads every name and type of the zone over ${transport.toUpperCase()}`, async () => {
      const pairs = namesAndTypes(zoneRecords());
      const mismatches: string[] = [];
      await Promise.all(
        pairs.map(async ({ name, type }) => {
          const text = await kdigAt([...tcp, '+header', '+answer', name, typeToString(type)]);
          const ours = {
            status: 'NOERROR',
            flags: flagsFor(name, type),
            records: sorted(expectedFor(name, type).map(kdigStyle)),
          };
          const theirs = { ...kdigHeader(text), records: sorted(digRecords(text)) };
          if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
            mismatches.push(
              `${name} ${typeToString(type)}:\n  zone ${JSON.stringify(ours)}\n  kdig ${JSON.stringify(theirs)}`,
            );
          }
        }),
      );
      expect(mismatches, mismatches.join('\n')).toEqual([]);
    });
  }

  it('dig +short prints exactly rdataToText of each record', async () => {
    const mismatches: string[] = [];
    await Promise.all(
      namesAndTypes(zoneRecords()).map(async ({ name, type }) => {
        const short = await digAt(['+short', name, typeToString(type)]);
        const ours = expectedFor(name, type)
          .map((r) => rdataToText(r))
          .sort();
        const theirs = digShort(short).sort();
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          mismatches.push(`${name} ${typeToString(type)}: ${JSON.stringify({ ours, theirs })}`);
        }
      }),
    );
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });

  it('NXDOMAIN and NODATA as dig sees them: status, AA, and the SOA in authority', async () => {
    const nx = await digAt(['+comments', '+authority', 'nope.test.netkit', 'A']);
    expect(digHeader(nx)).toEqual({ status: 'NXDOMAIN', flags: ['aa', 'qr', 'rd'] });
    expect(digRecords(nx).map((r) => r[3])).toEqual(['SOA']);
    const nodata = await digAt(['+comments', '+answer', '+authority', 'a.test.netkit', 'MX']);
    expect(digHeader(nodata)).toEqual({ status: 'NOERROR', flags: ['aa', 'qr', 'rd'] });
    expect(digRecords(nodata).map((r) => r[3])).toEqual(['SOA']);
  });

  // BUG (server.ts, recordsHandler): a name that owns no record but has names below it (an
  // "empty non-terminal", here _tcp.test.netkit above _sip._tcp.test.netkit) exists (RFC 8020,
  // RFC 4592 2.2.2): the answer must be NOERROR/NODATA, but the server says NXDOMAIN, which tells
  // resolvers (RFC 8020) that _sip._tcp.test.netkit does not exist either. unbound serving the
  // same zone answers NOERROR. Remove `.fails` once fixed.
  it('refers below the zone cut at child: no AA, the NS in AUTHORITY, glue in ADDITIONAL', async () => {
    const text = await digAt([
      '+comments',
      '+answer',
      '+authority',
      '+additional',
      '+noedns',
      'host.child.test.netkit',
      'A',
    ]);
    expect(digHeader(text)).toEqual({ status: 'NOERROR', flags: ['qr', 'rd'] });
    expect(digRecords(text).map((r) => `${r[0]} ${r[3]} ${r[4]}`)).toEqual([
      'child.test.netkit. NS ns1.test.netkit.',
      'ns1.test.netkit. A 192.0.2.1',
    ]);
  });

  it('answers NODATA, not NXDOMAIN, for an empty non-terminal', async () => {
    const text = await digAt(['+comments', '_tcp.test.netkit', 'A']);
    expect(digHeader(text).status).toBe('NOERROR');
  });

  describe('truncation', () => {
    it('dig +bufsize=512 +notcp +ignore sees TC and no records; without +ignore, all over TCP', async () => {
      const before = server.stats;
      const truncated = await digAt([
        '+comments',
        '+answer',
        '+bufsize=512',
        '+notcp',
        '+ignore',
        MANY,
        'A',
      ]);
      expect(digHeader(truncated).flags).toContain('tc');
      expect(digRecords(truncated)).toEqual([]);
      const retried = await dig([
        '-p',
        String(server.port),
        '@127.0.0.1',
        '+bufsize=512',
        '+notcp',
        MANY,
        'A',
      ]);
      expect(retried).toContain('Truncated, retrying in TCP mode');
      expect(digHeader(retried).flags).not.toContain('tc');
      expect(digRecords(retried)).toHaveLength(MANY_COUNT);
      expect(server.stats.truncated - before.truncated).toBe(2);
      expect(server.stats.tcpQueries - before.tcpQueries).toBe(1);
    });

    it('without EDNS, 512 bytes is the limit; with dig defaults (1232) it fits in UDP', async () => {
      const plain = await digAt(['+comments', '+noedns', '+notcp', '+ignore', MANY, 'A']);
      expect(digHeader(plain).flags).toContain('tc');
      const edns = await digAt(['+comments', '+answer', '+notcp', '+ignore', MANY, 'A']);
      expect(digHeader(edns).flags).not.toContain('tc');
      expect(digRecords(edns)).toHaveLength(MANY_COUNT);
    });

    it('kdig sees TC with +ignore, and gets everything over TCP without it', async () => {
      const truncated = await kdigAt([
        '+header',
        '+answer',
        '+bufsize=512',
        '+notcp',
        '+ignore',
        MANY,
        'A',
      ]);
      expect(kdigHeader(truncated).flags).toContain('tc');
      expect(digRecords(truncated)).toEqual([]);
      // kdig asks over UDP by default (+notcp would print the truncated answer too).
      const retried = await kdigAt(['+header', '+answer', '+bufsize=512', MANY, 'A']);
      expect(kdigHeader(retried).flags).not.toContain('tc');
      expect(digRecords(retried)).toHaveLength(MANY_COUNT);
    });
  });

  it('answers BADVERS to dig +edns=1 +noednsnegotiation', async () => {
    const text = await digAt(['+comments', '+edns=1', '+noednsnegotiation', 'a.test.netkit', 'A']);
    expect(digHeader(text).status).toBe('BADVERS');
  });
});
