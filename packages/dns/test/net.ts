// Helpers for the integration tests over real sockets: servers closed after each test, temp
// dirs removed, a real unbound on loopback, dig's output parsed, a raw UDP peer of the test.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeServerPort, type ManagedProcess, run, spawnProcess } from '@netkit/testkit';
import { afterAll, afterEach } from 'vitest';
import {
  createServer,
  type DnsServer,
  type DnsServerOptions,
  RecordClass,
  RecordType,
  type ResourceRecord,
} from '../src/index.js';
import { parseZone } from '../src/zone/index.js';

export const ZONE_FILE = fileURLToPath(new URL('./fixtures/every-type.zone', import.meta.url));
export const ORIGIN = 'test.netkit';
export const IN = RecordClass.IN;

/** The fixture's records, as parseZone reads them. */
export function zoneRecords(): ResourceRecord[] {
  return parseZone(readFileSync(ZONE_FILE, 'utf8'), { origin: ORIGIN, fileName: ZONE_FILE });
}

/** Every distinct (name, type) of the fixture, in file order. */
export function namesAndTypes(records = zoneRecords()): { name: string; type: number }[] {
  const seen = new Set<string>();
  const out: { name: string; type: number }[] = [];
  for (const r of records) {
    const key = `${r.name.toLowerCase()} ${r.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: r.name, type: r.type });
  }
  return out;
}

/** `count` A records on one name: an RRset too big for 512 (or 1232) bytes of UDP. */
export function bigRRset(name: string, count: number): ResourceRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    name,
    type: RecordType.A,
    class: IN,
    ttl: 300,
    data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  }));
}

/** An SOA for `origin`, so recordsHandler answers NXDOMAIN and NODATA there. */
export function soa(origin: string): ResourceRecord {
  return {
    name: origin,
    type: RecordType.SOA,
    class: IN,
    ttl: 3600,
    data: {
      mname: `ns1.${origin}`,
      rname: `hostmaster.${origin}`,
      serial: 1,
      refresh: 7200,
      retry: 900,
      expire: 1_209_600,
      minimum: 300,
    },
  };
}

/** Call once per file: `start(options)` is createServer, closed after each test. */
export function useServers(): (options: DnsServerOptions) => Promise<DnsServer> {
  const live: DnsServer[] = [];
  afterEach(async () => {
    await Promise.all(live.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const server = await createServer(options);
    live.push(server);
    return server;
  };
}

/** Call once per file: `socket()` is a node:dgram udp4 socket bound on loopback, closed after each test. */
export function useSockets(): (host?: string, port?: number) => Promise<Socket> {
  const live: Socket[] = [];
  afterEach(async () => {
    await Promise.all(
      live.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });
  return (host = '127.0.0.1', port = 0) =>
    new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        live.push(s);
        resolve(s);
      });
    });
}

/** Sends one datagram and waits until the kernel has taken it. */
export function sendTo(socket: Socket, data: Uint8Array, port: number, host = '127.0.0.1') {
  return new Promise<void>((resolve, reject) =>
    socket.send(data, port, host, (err) => (err ? reject(err) : resolve())),
  );
}

/** The next datagram on `socket`, or undefined after `ms`. */
export function nextDatagram(
  socket: Socket,
  ms: number,
): Promise<{ data: Buffer; port: number; address: string } | undefined> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, rinfo: { port: number; address: string }) => {
      clearTimeout(timer);
      resolve({ data, port: rinfo.port, address: rinfo.address });
    };
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(undefined);
    }, ms);
    socket.once('message', onMessage);
  });
}

/** Call once per file: `tempDir()` makes a folder, removed after all tests of the file. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netkit-dns-'));
    made.push(dir);
    return dir;
  };
}

export interface Unbound {
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A real unbound on 127.0.0.1:<free port>, in the foreground, answering authoritatively from
 * `zones` (auth-zone, for-downstream only) and REFUSED for any other name: it never recurses,
 * so no query leaves loopback. No remote control, no chroot, no user switch, no pid file.
 */
export async function startUnbound(
  dir: string,
  zones: { name: string; file: string }[],
): Promise<Unbound> {
  let lastError: unknown;
  // The free port may be taken between freeServerPort and unbound's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeServerPort();
    const config = [
      'server:',
      '  interface: 127.0.0.1',
      `  port: ${port}`,
      '  do-ip4: yes',
      '  do-ip6: no',
      '  do-udp: yes',
      '  do-tcp: yes',
      '  do-daemonize: no',
      '  chroot: ""',
      '  username: ""',
      '  pidfile: ""',
      `  directory: "${dir}"`,
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 1',
      '  num-threads: 1',
      '  so-reuseport: no',
      '  access-control: 127.0.0.0/8 allow',
      '  module-config: "iterator"',
      '  rrset-roundrobin: no',
      // Everything else is refused: unbound never starts recursing (no root hints fetched).
      '  local-zone: "." refuse',
      ...zones.map((z) => `  local-zone: "${z.name}." transparent`),
      'remote-control:',
      '  control-enable: no',
      ...zones.flatMap((z) => [
        'auth-zone:',
        `  name: "${z.name}."`,
        `  zonefile: "${z.file}"`,
        '  for-upstream: no',
        '  for-downstream: yes',
        '  fallback-enabled: no',
      ]),
      '',
    ].join('\n');
    const file = join(dir, `unbound-${attempt}.conf`);
    await writeFile(file, config);
    const p = spawnProcess('unbound', ['-d', '-c', file]);
    try {
      await p.waitFor(/start of service/, { stream: 'stderr', timeout: 10_000 });
      return { port, process: p, stop: async () => void (await p.stop('SIGTERM', 2000)) };
    } catch (err) {
      lastError = err;
      await p.stop('SIGKILL', 0);
    }
  }
  throw lastError;
}

/**
 * `dig`, bounded: 3 tries of 2 s, 10 s for the process. UDP may lose a datagram while the fuzz
 * tests load both CPUs; a real client retries, and the answer must still be right.
 */
export async function dig(args: string[]): Promise<string> {
  const result = await run('dig', ['+time=2', '+tries=3', ...args], { timeout: 10_000 });
  if (result.code !== 0)
    throw new Error(`dig ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `kdig` (bounded likewise: 3 tries of 2 s). */
export async function kdig(args: string[]): Promise<string> {
  const result = await run('kdig', ['+time=2', '+retry=2', ...args], { timeout: 10_000 });
  if (result.code !== 0)
    throw new Error(`kdig ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * A record line of dig or recordToText as [owner, ttl, class, type, rdata]: the first four fields
 * split on any run of blanks (dig pads with tabs, or a space after a long owner), the RDATA kept
 * as printed. Owners compared in lower case.
 */
export function recordFields(line: string): string[] {
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
  if (!m) throw new Error(`not a record line: ${JSON.stringify(line)}`);
  return [m[1]!.toLowerCase(), m[2]!, m[3]!, m[4]!, m[5]!.trim()];
}

/** The record lines of dig's output (comments and blank lines skipped), as recordFields. */
export function digRecords(output: string): string[][] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map(recordFields);
}

/**
 * The RDATA lines of `dig +short` output. When a try times out (the server's process is starved
 * while the fuzz tests load both CPUs) dig asks again and prints its own notes on stdout, even
 * with +short: ";; communications error to ...: timed out", then ";; Warning: ID mismatch ..."
 * when the late answer to the first try arrives. dig() allows those retries; no RDATA line
 * starts with ';' (rdataToText escapes it), so the notes are skipped as digRecords skips them.
 */
export function digShort(output: string): string[] {
  return output.split('\n').filter((l) => l !== '' && !l.startsWith(';'));
}

/** dig's header: status and flags (from +comments). */
export function digHeader(output: string): { status: string; flags: string[] } {
  const status = /status: (\w+)/.exec(output)?.[1];
  const flags = /;; flags:([^;]*);/.exec(output)?.[1];
  if (status === undefined || flags === undefined) throw new Error(`no dig header in:\n${output}`);
  return { status, flags: flags.trim().split(/\s+/).filter(Boolean).sort() };
}

/** Sorted copies, for comparing sections whatever the order of records in an RRset. */
export function sorted(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => a.join('\t').localeCompare(b.join('\t')));
}

/** Polls `condition` every 5 ms until it holds or `ms` passes. */
export async function waitUntil(condition: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** The rejection of `promise` (throws if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}
