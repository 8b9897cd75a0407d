// netkit dns serve / query, run as a user runs them, cross-checked with dig and kdig: answers over
// UDP and TCP, truncation, dig-like output, --short as dig +short, exit codes.
import { createSocket, type Socket } from 'node:dgram';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseZone, RecordType, type ResourceRecord, rdataToText, typeToString } from '@netkit/dns';
import { type ManagedProcess, run, skipUnless } from '@netkit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { netkit, spawnNetkit, useProcesses, useTempDirs } from './netkit.js';

const FIXTURE = fileURLToPath(new URL('../../dns/test/fixtures/every-type.zone', import.meta.url));
const track = useProcesses();
const tempDir = useTempDirs();

/** What `netkit dns serve` prints on stderr once bound. */
const SERVING = /serving (\d+) records from (.+) on (\S+):(\d+) \(udp and tcp\)/;

interface DnsServe extends ManagedProcess {
  readonly port: number;
  readonly count: number;
}

/** `netkit dns serve --port 0 ...args`, once its serving line is out. */
async function startServe(args: string[]): Promise<DnsServe> {
  const p = spawnNetkit(['dns', 'serve', '--port', '0', ...args]);
  try {
    const m = await p.waitFor(SERVING, { stream: 'stderr', timeout: 10_000 });
    return Object.assign(p, { port: Number(m[4]), count: Number(m[1]) });
  } catch (e) {
    await p.stop('SIGKILL', 0);
    throw e;
  }
}

const MANY = 'many.test.netkit';
const MANY_COUNT = 60; // about 1 kB of answer: over 512 bytes, under 1232

/** The fixture plus one name with 60 A records, written to `dir`. */
async function bigZone(dir: string): Promise<string> {
  const file = join(dir, 'every-type-and-many.zone');
  const lines = Array.from({ length: MANY_COUNT }, (_, i) => `many IN A 10.0.0.${i}`);
  await writeFile(file, `${await readFile(FIXTURE, 'utf8')}\n${lines.join('\n')}\n`);
  return file;
}

const req = skipUnless(['dig', 'kdig']);

/** `dig` bounded: 3 tries of 2 s (UDP may lose a datagram on a loaded machine; clients retry). */
async function dig(port: number, args: string[]): Promise<string> {
  const r = await run('dig', ['-p', String(port), '@127.0.0.1', '+time=2', '+tries=3', ...args]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

/**
 * `dig +short` output without dig's own notes. When a try times out on a loaded machine, dig asks
 * again and prints, on stdout even with +short, ";; communications error to ...: timed out" (then
 * ";; Warning: ID mismatch ..." if the late answer comes in). dig() allows that retry, and no
 * RDATA line starts with ';' (a name escapes it), so only the notes go.
 */
const withoutDigNotes = (text: string) => text.replace(/^;.*\n/gm, '');

async function kdig(port: number, args: string[]): Promise<string> {
  const r = await run('kdig', ['-p', String(port), '@127.0.0.1', '+time=2', '+retry=2', ...args]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

const flagsOf = (text: string) =>
  (/;; [Ff]lags:([^;]*);/.exec(text)?.[1] ?? '').trim().split(/\s+/).sort();
const recordLines = (text: string) =>
  text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));

describe.skipIf(req.skip)(`netkit dns serve, asked by dig and kdig${req.note}`, () => {
  let server: DnsServe;
  let records: ResourceRecord[];

  beforeAll(async () => {
    const dir = await tempDir();
    const file = await bigZone(dir);
    records = parseZone(await readFile(file, 'utf8'), { fileName: file });
    server = await startServe(['--zone', file]);
  });
  afterAll(async () => {
    await server?.stop('SIGTERM', 2000);
  });

  it('says how many records it serves', () => {
    expect(server.count).toBe(records.length);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`answers every name and type of the zone over ${transport.toUpperCase()}, as dig +short reads them`, async () => {
      const pairs = [...new Map(records.map((r) => [`${r.name} ${r.type}`, r])).values()];
      const mismatches: string[] = [];
      await Promise.all(
        pairs.map(async ({ name, type }) => {
          const args = transport === 'tcp' ? ['+tcp'] : [];
          const short = withoutDigNotes(
            await dig(server.port, [...args, '+short', name, typeToString(type)]),
          );
          // child.test.netkit is a zone cut: everything there but DS is a referral, which
          // dig +short prints as nothing (as it does from unbound).
          const referral = name.toLowerCase() === 'child.test.netkit' && type !== RecordType.DS;
          const expected = referral
            ? []
            : records
                .filter((r) => r.name === name && r.type === type)
                .map((r) => rdataToText(r))
                .sort();
          const got = short.split('\n').filter(Boolean).sort();
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            mismatches.push(`${name} ${typeToString(type)}: ${JSON.stringify({ expected, got })}`);
          }
        }),
      );
      expect(mismatches, mismatches.join('\n')).toEqual([]);
    });
  }

  it('answers kdig over UDP and TCP alike', async () => {
    for (const [name, type] of [
      ['a.test.netkit', 'A'],
      ['mx.test.netkit', 'MX'],
      ['words.test.netkit', 'TXT'],
      ['test.netkit', 'SOA'],
      ['_sip._tcp.test.netkit', 'SRV'],
      ['naptr.test.netkit', 'NAPTR'],
    ] as const) {
      const expected = records
        .filter((r) => r.name === name && typeToString(r.type) === type)
        .map((r) => rdataToText(r));
      for (const tcp of [[], ['+tcp']]) {
        const short = await kdig(server.port, [...tcp, '+short', name, type]);
        expect(short.split('\n').filter(Boolean), `${name} ${type} ${tcp}`).toEqual(expected);
      }
    }
  });

  it('sets TC for dig +bufsize=512 +notcp +ignore; without +ignore dig gets it all over TCP', async () => {
    const truncated = await dig(server.port, [
      '+noall',
      '+comments',
      '+answer',
      '+bufsize=512',
      '+notcp',
      '+ignore',
      MANY,
      'A',
    ]);
    expect(flagsOf(truncated)).toContain('tc');
    expect(recordLines(truncated)).toEqual([]);
    const retried = await dig(server.port, ['+bufsize=512', '+notcp', MANY, 'A']);
    expect(retried).toContain('Truncated, retrying in TCP mode');
    expect(flagsOf(retried)).not.toContain('tc');
    expect(recordLines(retried)).toHaveLength(MANY_COUNT);
  });

  it('sets TC for kdig +bufsize=512 +notcp +ignore; kdig then gets it all over TCP', async () => {
    const truncated = await kdig(server.port, [
      '+noall',
      '+header',
      '+answer',
      '+bufsize=512',
      '+notcp',
      '+ignore',
      MANY,
      'A',
    ]);
    expect(flagsOf(truncated)).toContain('tc');
    expect(recordLines(truncated)).toEqual([]);
    const retried = await kdig(server.port, [
      '+noall',
      '+header',
      '+answer',
      '+bufsize=512',
      MANY,
      'A',
    ]);
    expect(flagsOf(retried)).not.toContain('tc');
    expect(recordLines(retried)).toHaveLength(MANY_COUNT);
  });

  describe('netkit dns query', () => {
    const q = (args: string[]) =>
      netkit([
        'dns',
        'query',
        ...args,
        '--server',
        `127.0.0.1:${server.port}`,
        '--timeout',
        '2000',
      ]);

    it('prints dig-like sections and exits 0', async () => {
      const r = await q(['mx.test.netkit', 'MX']);
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout;
      expect(out).toMatch(/^;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \d+$/m);
      expect(out).toMatch(
        /^;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1$/m,
      );
      expect(out).toMatch(/^; EDNS: version: 0, flags:; udp: 1232$/m);
      expect(out).toMatch(/^;; QUESTION SECTION:\n;+mx\.test\.netkit\.\s+IN\s+MX$/m);
      expect(out).toMatch(
        /^;; ANSWER SECTION:\nmx\.test\.netkit\.\t3600\tIN\tMX\t10 mail\.test\.netkit\.$/m,
      );
      expect(out).toMatch(/^;; Query time: \d+ msec$/m);
      expect(out).toContain(`;; SERVER: 127.0.0.1:${server.port} (UDP)`);
      expect(out).toMatch(/^;; MSG SIZE {2}rcvd: \d+$/m);
      // The same size dig reports for the same answer.
      const digged = await dig(server.port, ['mx.test.netkit', 'MX']);
      expect(/MSG SIZE {2}rcvd: (\d+)/.exec(out)?.[1]).toBe(
        /MSG SIZE {2}rcvd: (\d+)/.exec(digged)?.[1],
      );
    });

    it('prints the QUESTION line as dig does, with one semicolon', async () => {
      const r = await q(['mx.test.netkit', 'MX']);
      expect(r.stdout).toMatch(/^;; QUESTION SECTION:\n;mx\.test\.netkit\.\t\tIN\tMX$/m);
    });

    it('--short prints exactly what dig +short prints', async () => {
      const cases = [
        ['a.test.netkit', 'A'],
        ['aaaa.test.netkit', 'AAAA'],
        ['cname.test.netkit', 'A'], // a CNAME chain: the target then the address
        ['mx.test.netkit', 'MX'],
        ['words.test.netkit', 'TXT'],
        ['dkim._domainkey.test.netkit', 'TXT'],
        ['test.netkit', 'SOA'],
        ['caa.test.netkit', 'CAA'],
        ['https.test.netkit', 'HTTPS'],
        ['dnskey.test.netkit', 'DNSKEY'],
        ['generic.test.netkit', 'TYPE65280'],
        ['nope.test.netkit', 'A'], // NXDOMAIN: nothing
        [MANY, 'A'], // truncated, then over TCP
      ];
      const results = await Promise.all(
        cases.map(([name, type]) =>
          Promise.all([
            q([name!, type!, '--short']),
            dig(server.port, ['+short', name!, type!]).then(withoutDigNotes),
          ]),
        ),
      );
      results.forEach(([ours, theirs], i) => {
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout, cases[i]!.join(' ')).toBe(theirs);
      });
    });

    it('NXDOMAIN exits 0 and shows status: NXDOMAIN with the SOA', async () => {
      const r = await q(['nope.test.netkit', 'A']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/status: NXDOMAIN/);
      // RFC 2308 3: the SOA of a negative answer has TTL min(SOA TTL 3600, MINIMUM 300).
      expect(r.stdout).toMatch(/^;; AUTHORITY SECTION:\ntest\.netkit\.\t300\tIN\tSOA\t/m);
      expect(r.stdout).not.toContain('ANSWER SECTION');
    });

    it('--tcp asks over TCP', async () => {
      const r = await q(['a.test.netkit', '--tcp']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`;; SERVER: 127.0.0.1:${server.port} (TCP)`);
      expect(r.stdout).toMatch(/^a\.test\.netkit\.\t3600\tIN\tA\t192\.0\.2\.10$/m);
    });

    it('--json prints one object: server, transport, rtt, size and the message', async () => {
      const r = await q([MANY, 'A', '--json', '--udp-size', '512']);
      expect(r.code, r.stderr).toBe(0);
      const value = JSON.parse(r.stdout) as {
        server: string;
        transport: string;
        rtt: number;
        size: number;
        ignored: number;
        message: { rcode: string; tc: boolean; answers: { name: string; type: string }[] };
      };
      expect(value).toMatchObject({
        server: `127.0.0.1:${server.port}`,
        transport: 'tcp',
        ignored: 0,
        message: { rcode: 'NOERROR', tc: false },
      });
      expect(value.rtt).toBeGreaterThanOrEqual(0);
      expect(value.size).toBeGreaterThan(512);
      expect(value.message.answers).toHaveLength(MANY_COUNT);
      expect(value.message.answers[0]).toMatchObject({ name: MANY, type: 'A' });
    });

    it('--no-tcp returns the truncated answer, flag tc set', async () => {
      const r = await q([MANY, 'A', '--no-tcp', '--udp-size', '512']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^;; flags: qr aa tc rd; /m);
      expect(r.stdout).toContain('(UDP)');
    });
  });
});

describe('netkit dns query without a server that answers', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('exits 3 when the server is silent', async () => {
    const silent = createSocket('udp4');
    sockets.push(silent);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const { port } = silent.address();
    const started = performance.now();
    const r = await netkit([
      'dns',
      'query',
      'a.test.netkit',
      '--server',
      `127.0.0.1:${port}`,
      '--timeout',
      '200',
      '--retries',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`no answer from 127.0.0.1:${port}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });
});

describe('netkit dns usage errors', () => {
  it.each([
    ['missing NAME', ['dns', 'query'], /missing NAME/],
    [
      'an unknown type',
      ['dns', 'query', 'x.test', 'BOGUS', '--server', '127.0.0.1:9'],
      /unknown record type "BOGUS"/,
    ],
    ['--tcp with --no-tcp', ['dns', 'query', 'x.test', '--tcp', '--no-tcp'], /--tcp and --no-tcp/],
    ['a bad --server', ['dns', 'query', 'x.test', '--server', '127.0.0.1:99999'], /bad DNS server/],
    ['serve without --zone', ['dns', 'serve', '--port', '0'], /--zone is required/],
  ])('%s exits 2 with the usage line', async (_what, args, message) => {
    const r = await netkit(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^usage: netkit dns (query|serve)/m);
  });

  it('serve with a bad zone file exits 1, naming file:line in one line', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.zone');
    await writeFile(
      file,
      '$ORIGIN bad.test.\n$TTL 60\n@ IN SOA ns1 host 1 2 3 4 5\nwww IN A 999.1.1.1\n',
    );
    const r = await netkit(['dns', 'serve', '--zone', file, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^netkit: dns serve: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: .*999\\.1\\.1\\.1`,
      ),
    );
  });

  it('serve with a missing zone file exits 1', async () => {
    const dir = await tempDir();
    const r = await netkit(['dns', 'serve', '--zone', join(dir, 'none.zone'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('netkit dns serve lifecycle', () => {
  it('exits 0 on SIGTERM and prints its counters', async () => {
    const dir = await tempDir();
    const file = join(dir, 'every-type.zone');
    await copyFile(FIXTURE, file);
    const server = track(await startServe(['--zone', file]));
    const r = await netkit([
      'dns',
      'query',
      'a.test.netkit',
      '--server',
      `127.0.0.1:${server.port}`,
      '--short',
    ]);
    expect(r.stdout).toBe('192.0.2.10\n');
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/queries 1 \(tcp 0\), truncated 0, formerr 0, dropped 0/);
  });

  it('logs each query on stdout, as its help says', async () => {
    const dir = await tempDir();
    const file = join(dir, 'every-type.zone');
    await copyFile(FIXTURE, file);
    const server = track(await startServe(['--zone', file]));
    await netkit(['dns', 'query', 'a.test.netkit', '--server', `127.0.0.1:${server.port}`]);
    await server.stop('SIGTERM');
    expect(server.stdout()).toContain('a.test.netkit');
  });
});
