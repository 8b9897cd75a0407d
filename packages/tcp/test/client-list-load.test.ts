// Load: 2,000 clients join the client-list server at once (plain protocol). Each gets the whole
// list as complete, valid JSON holding its own entry; the last lists are over 100 KB, which the
// seed's single recv(1024) would have cut.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isCI, run, skipUnless } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { type ClientListServerOptions, createClientListServer } from '../src/index.js';
import { closeAfterEach, waitUntil } from './helpers.js';

const open = closeAfterEach();
const joinMany = fileURLToPath(new URL('./fixtures/join-many.mjs', import.meta.url));

const CLIENTS = 2000;

/** The soft limit on open files of this process (Node.js raises it to the hard limit at start). */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s+/)[3];
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** The backlog of the socket listening on 127.0.0.1:port, as the kernel applies it (ss Send-Q). */
async function listenBacklog(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-ltnH', `( sport = :${port} )`], { check: true });
  // State Recv-Q Send-Q Local Peer: for a listener, Send-Q is its backlog.
  return Number(stdout.trim().split(/\s+/)[2]);
}

interface Summary {
  count: number;
  ok: number;
  failures: string[];
  maxSize: number;
  minSize: number;
  maxEntries: number;
  ms: number;
}

// In CI a missing requirement fails the run (skipUnless throws) instead of skipping.
const req = skipUnless(['ss']);
const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
if (somaxconn < CLIENTS && isCI()) {
  throw new Error(`net.core.somaxconn is ${somaxconn}: the load test needs at least ${CLIENTS}`);
}
const skip = req.skip || somaxconn < CLIENTS;
const note =
  req.note ||
  (somaxconn < CLIENTS ? ` (skipped: net.core.somaxconn ${somaxconn} < ${CLIENTS})` : '');

describe.skipIf(skip)(`client-list under load${note}`, () => {
  it(`serves ${CLIENTS} clients joining at once, each with a complete list`, async () => {
    // The server holds one socket per client here, the clients theirs in a child process.
    expect(openFileLimit(), 'open files allowed to this process').toBeGreaterThan(CLIENTS + 500);
    // The kernel queues connections not yet accepted up to the listen backlog (capped by
    // net.core.somaxconn). A burst beyond it overflows into SYN cookies, some of which fail and
    // reset the client (TcpExtSyncookiesFailed): the backlog must hold the whole burst.
    const options: ClientListServerOptions & { backlog?: number } = {
      maxConnections: CLIENTS + 100,
      backlog: 4096,
      idleTimeout: 30_000,
    };
    const server = open.server(await createClientListServer(options));
    expect(
      await listenBacklog(server.port),
      "the listening socket's backlog",
    ).toBeGreaterThanOrEqual(CLIENTS);
    // Two child processes of 1000 clients each, started together: the clients' JSON parsing
    // (2,000 lists of up to 128 KB) then uses both CPUs.
    const half = CLIENTS / 2;
    const outputs = await Promise.all(
      ['load-a', 'load-b'].map((prefix) =>
        run(
          'bash',
          [
            '-c',
            // Raise the descriptor limit where allowed (root); Node.js raises soft to hard anyway.
            'ulimit -n 65536 2>/dev/null || true; exec "$0" "$@"',
            process.execPath,
            joinMany,
            String(server.port),
            String(half),
            prefix,
            '25000',
          ],
          { timeout: 40_000, check: true },
        ),
      ),
    );
    const summaries = outputs.map((o) => JSON.parse(o.stdout.trim()) as Summary);
    for (const summary of summaries) {
      expect(summary.failures).toEqual([]);
      expect(summary.ok).toBe(half);
    }
    // The last clients got the whole list: every entry, over 100 KB of JSON.
    expect(Math.max(...summaries.map((s) => s.maxEntries))).toBe(CLIENTS);
    expect(Math.max(...summaries.map((s) => s.maxSize))).toBeGreaterThan(100_000);

    expect(Object.keys(server.clients())).toHaveLength(CLIENTS);
    expect(await waitUntil(() => server.stats.active === 0, 5000)).toBe(true);
    expect(server.stats).toMatchObject({
      accepted: CLIENTS,
      completed: CLIENTS,
      refused: 0,
      errors: 0,
      idleTimeouts: 0,
    });
  }, 60_000);
});
