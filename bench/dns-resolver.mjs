// Resolver queries per second: netkit's query() (a fresh source port per query, the default),
// netkit's Resolver with a pool of source ports (sourcePorts { pool: 4, maxQueriesPerSocket:
// 100 }) and node:dns's Resolver (c-ares), all against one unbound on 127.0.0.1 answering from a
// generated local zone (auth-zone, no recursion), 100 queries in flight, taking turns in rounds
// in one client process; then dnsperf against the same server as the limit. unbound on CPU 0,
// the clients on CPU 1. See README.md, "DNS resolver".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { query } from '@netkit/dns';
import {
  haveCommand,
  killChildren,
  pinning,
  profileArgs,
  sleep,
  spawnNode,
  spawnPinned,
  stopChildren,
} from './lib/children.mjs';
import { freeServerPort } from './lib/server-port.mjs';
import { percentiles } from './lib/stats.mjs';
import { fmt, fmtInt, fmtPct, markdownTable } from './lib/table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLIENT = here('./lib/dns-resolver-client.mjs');

export const defaults = {
  names: 1000, // A records in the zone, asked in turn
  concurrency: 100, // queries in flight per side
  warmupMs: 1500, // per side, once
  rampMs: 300, // per window, before counting starts
  windowMs: 2500, // counted, per side per round
  rounds: 6,
  timeLimitMs: 60_000, // for the client's rounds
  dnsperfSeconds: 3,
};

/** The target of the issue that added this benchmark: netkit at least 1.5x node:dns. */
const TARGET_RATIO = 1.5;
const ZONE = 'bench.netkit.';

/** A zone with SOA, NS and `names` A records: hI -> 10.0.(I>>8).(I&255). */
function zoneText(names) {
  const lines = [
    `$ORIGIN ${ZONE}`,
    '$TTL 300',
    `@ IN SOA ns.${ZONE} hostmaster.${ZONE} 1 3600 600 86400 300`,
    '@ IN NS ns',
    'ns IN A 127.0.0.1',
  ];
  for (let i = 0; i < names; i++) lines.push(`h${i} IN A 10.0.${i >> 8}.${i & 255}`);
  return `${lines.join('\n')}\n`;
}

function unboundConf(dir, port) {
  return `server:
  interface: 127.0.0.1
  port: ${port}
  do-ip6: no
  do-daemonize: no
  chroot: ""
  username: ""
  pidfile: ""
  directory: "${dir}"
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  access-control: 127.0.0.0/8 allow
auth-zone:
  name: "${ZONE}"
  zonefile: "${path.join(dir, 'bench.zone')}"
  for-downstream: yes
  for-upstream: no
remote-control:
  control-enable: no
`;
}

/**
 * Starts unbound on CPU 0 and waits until it answers h0 (a netkit query, at most 50 tries over
 * about 5 s); tries another port when it exits (its port was taken meanwhile). Returns
 * { child, port }.
 */
async function startUnbound(dir, cpu, log) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freeServerPort();
    const conf = path.join(dir, 'unbound.conf');
    writeFileSync(conf, unboundConf(dir, port));
    const child = spawnPinned('unbound', ['-d', '-c', conf], { cpu, name: 'unbound' });
    for (let i = 0; i < 50 && child.exitCode === undefined; i++) {
      try {
        const { message } = await query(`h0.${ZONE}`, 'A', {
          servers: [`127.0.0.1:${port}`],
          timeout: 100,
          retries: 0,
        });
        if (message.rcode === 0 && message.answers[0]?.data === '10.0.0.0') return { child, port };
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    log(`  dns-resolver: unbound on port ${port} did not answer (attempt ${attempt}/3)`);
    await killChildren([child]);
  }
  throw new Error('unbound did not start (see its messages above)');
}

/** dnsperf against the server, pinned like the clients; its figures, or a reason it has none. */
async function runDnsperf(dir, port, o, cpu) {
  if (!haveCommand('dnsperf', ['-h'])) return { available: false };
  const file = path.join(dir, 'queries.txt');
  writeFileSync(
    file,
    `${Array.from({ length: o.names }, (_, i) => `h${i}.${ZONE} A`).join('\n')}\n`,
  );
  // Through sh, whose `times` then prints dnsperf's CPU time (user and system, as a child).
  const child = spawnPinned(
    'sh',
    [
      '-c',
      'dnsperf "$@" && times',
      'sh',
      '-s',
      '127.0.0.1',
      '-p',
      port,
      '-d',
      file,
      '-l',
      o.dnsperfSeconds,
      '-q',
      o.concurrency,
      '-t',
      2,
    ],
    { cpu, name: 'dnsperf' },
  );
  const out = await child.output(o.dnsperfSeconds * 1000 + 15_000);
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : Number.NaN;
  };
  // `times`: the shell's own user and system time, then its children's: "0m1.234s 0m0.056s".
  const times = [...out.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  const cpuMs = times
    ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000
    : Number.NaN;
  const completed = num(/Queries completed:\s+(\d+)/);
  return {
    available: true,
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyUs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1e6,
    lost: num(/Queries lost:\s+(\d+)/),
    completed,
    clientCpuUsPerQuery: (cpuMs * 1000) / completed,
    concurrency: o.concurrency,
    seconds: o.dnsperfSeconds,
  };
}

export async function measureResolver({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  if (!haveCommand('unbound', ['-V'])) {
    throw new Error('unbound is not installed (apt-get install unbound): dns-resolver needs it');
  }
  const pin = pinning();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netkit-bench-dns-'));
  let unbound;
  let client;
  try {
    writeFileSync(path.join(dir, 'bench.zone'), zoneText(o.names));
    const started = await startUnbound(dir, pin.serverCpu, log);
    unbound = started.child;
    const { port } = started;
    log(`  dns-resolver: unbound (pid ${unbound.pid}) answers on 127.0.0.1:${port}`);
    client = spawnNode(
      CLIENT,
      [
        port,
        o.names,
        o.concurrency,
        o.warmupMs,
        o.rampMs,
        o.windowMs,
        o.rounds,
        o.timeLimitMs,
        unbound.pid,
      ],
      { cpu: pin.loadCpu, nodeArgs: profileArgs('dns-resolver-client') },
    );
    await client.line('READY', 10_000);
    const res = await client.json('RESULT ', o.timeLimitMs + 60_000);
    await stopChildren([client]);
    const dnsperf = await runDnsperf(dir, port, o, pin.loadCpu);
    log(
      dnsperf.available
        ? `  dns-resolver: dnsperf ${fmtInt(dnsperf.qps)} q/s, average latency ${fmt(dnsperf.avgLatencyUs, 0)} µs, lost ${dnsperf.lost}`
        : '  dns-resolver: dnsperf not available here',
    );
    const [p10, p90] = percentiles(res.ratios, [10, 90]);
    const params = {
      names: o.names,
      concurrency: o.concurrency,
      warmupMs: o.warmupMs,
      rampMs: o.rampMs,
      windowMs: o.windowMs,
      rounds: o.rounds,
      roundsDone: res.roundsDone,
      pool: res.pool,
      server: 'unbound, auth-zone, 1 thread',
    };
    const anchor = 'node:dns Resolver (c-ares)';
    const perQuery = { name: 'dns-resolver', params, subject: 'netkit query()', anchor };
    const pooled = {
      name: 'dns-resolver-pooled',
      params,
      subject: `netkit Resolver, sourcePorts ${JSON.stringify(res.pool)}`,
      anchor,
    };
    const detail = {
      netkit: res.netkit,
      netkitPool: res.netkitPool,
      nodeDns: res.nodeDns,
      roundRatios: res.ratios,
      roundRatiosPool: res.ratiosPool,
      ratioP10: p10,
      ratioP90: p90,
      rounds: res.rounds,
      dnsperf,
      target: TARGET_RATIO,
    };
    const samples = (side) => ({ subject: side.samples, anchor: res.nodeDns.samples });
    const trio = (common, side, ratio, extra) => [
      {
        ...common,
        statistic: 'queries/s, median of rounds',
        subjectValue: side.qps,
        anchorValue: res.nodeDns.qps,
        ratio,
        unit: 'queries/s',
        better: 'higher',
        detail: extra,
      },
      {
        ...common,
        statistic: 'p50 latency',
        subjectValue: side.p50,
        anchorValue: res.nodeDns.p50,
        ratio: side.p50 / res.nodeDns.p50,
        unit: 'µs',
        better: 'lower',
        detail: { samples: samples(side) },
      },
      {
        ...common,
        statistic: 'p99 latency',
        subjectValue: side.p99,
        anchorValue: res.nodeDns.p99,
        ratio: side.p99 / res.nodeDns.p99,
        unit: 'µs',
        better: 'lower',
        detail: { samples: samples(side) },
      },
      {
        ...common,
        statistic: 'client CPU per query, median of rounds',
        subjectValue: side.clientCpuUsPerQuery,
        anchorValue: res.nodeDns.clientCpuUsPerQuery,
        ratio: side.clientCpuUsPerQuery / res.nodeDns.clientCpuUsPerQuery,
        unit: 'µs',
        better: 'lower',
        detail: {},
      },
    ];
    return [
      ...trio(perQuery, res.netkit, res.ratio, detail),
      ...trio(pooled, res.netkitPool, res.ratioPool, { roundRatios: res.ratiosPool }),
    ];
  } finally {
    await stopChildren([client]);
    await killChildren([unbound]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function resolverTable(results) {
  const [qps, p50, p99] = results;
  const d = qps.detail;
  const n = d.netkit;
  const pl = d.netkitPool;
  const a = d.nodeDns;
  const dp = d.dnsperf;
  const pool = qps.params.pool;
  const header = [
    `${qps.params.concurrency} in flight, ${qps.params.names} names`,
    'netkit query() (a port per query)',
    `netkit Resolver (pool ${pool.pool}, ${pool.maxQueriesPerSocket} queries a port)`,
    'node:dns Resolver (c-ares)',
    'dnsperf (the limit)',
    'per query / c-ares',
    'pooled / c-ares',
  ];
  const r3 = (f, digits = 3) => [fmt(f(n) / f(a), digits), fmt(f(pl) / f(a), digits)];
  const rows = [
    [
      'queries/s, median of rounds (higher is better)',
      fmtInt(n.qps),
      fmtInt(pl.qps),
      fmtInt(a.qps),
      dp.available ? fmtInt(dp.qps) : 'n/a',
      fmt(qps.ratio, 3),
      fmt(results[4].ratio, 3),
    ],
    [
      'p50 latency, µs (lower is better)',
      fmtInt(n.p50),
      fmtInt(pl.p50),
      fmtInt(a.p50),
      dp.available ? `${fmtInt(dp.avgLatencyUs)} (average)` : 'n/a',
      fmt(p50.ratio, 3),
      fmt(results[5].ratio, 3),
    ],
    [
      'p99 latency, µs (lower is better)',
      fmtInt(n.p99),
      fmtInt(pl.p99),
      fmtInt(a.p99),
      '',
      fmt(p99.ratio, 3),
      fmt(results[6].ratio, 3),
    ],
    [
      'client CPU per query, µs (lower is better)',
      fmt(n.clientCpuUsPerQuery, 1),
      fmt(pl.clientCpuUsPerQuery, 1),
      fmt(a.clientCpuUsPerQuery, 1),
      dp.available ? fmt(dp.clientCpuUsPerQuery, 1) : 'n/a',
      ...r3((x) => x.clientCpuUsPerQuery),
    ],
    [
      'client CPU / unbound CPU (share of a CPU)',
      `${fmtPct(n.clientCpuShare, 0)} / ${fmtPct(n.serverCpuShare, 0)}`,
      `${fmtPct(pl.clientCpuShare, 0)} / ${fmtPct(pl.serverCpuShare, 0)}`,
      `${fmtPct(a.clientCpuShare, 0)} / ${fmtPct(a.serverCpuShare, 0)}`,
      '',
      '',
      '',
    ],
  ];
  const table = markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
  const notes = [];
  const verdict = (r) => `${fmt(r, 2)}x, ${r >= TARGET_RATIO ? 'met' : 'NOT met'}`;
  notes.push(
    `Target: netkit ≥ ${TARGET_RATIO}x node:dns queries/s. A port per query (the default): ${verdict(qps.ratio)}; ` +
      `pooled ports: ${verdict(results[4].ratio)}.`,
  );
  notes.push(
    `Per-round ratios to node:dns, a port per query: ${d.roundRatios.map((x) => fmt(x, 2)).join(', ')}; ` +
      `pooled: ${d.roundRatiosPool.map((x) => fmt(x, 2)).join(', ')}.`,
  );
  notes.push(
    dp.available
      ? `Limit: dnsperf (${dp.concurrency} in flight, ${dp.seconds} s, pinned like the clients) against the same unbound: ` +
          `${fmtInt(dp.qps)} queries/s, average latency ${fmtInt(dp.avgLatencyUs)} µs, ${dp.lost} lost, ` +
          `${fmt(dp.clientCpuUsPerQuery, 1)} µs of its CPU per query.`
      : 'Limit: dnsperf not available here (apt-get install dnsperf).',
  );
  const sides = [n, pl, a];
  const each = (f) => sides.map(f).join(' / ');
  notes.push(
    `Answers (per query / pooled / node:dns): ${each((x) => fmtInt(x.samples))} timed; errors ${each((x) => x.errors)}` +
      `${sides.some((x) => Object.keys(x.errorKinds).length) ? ` (${each((x) => JSON.stringify(x.errorKinds))})` : ''}; ` +
      `wrong or missing address ${each((x) => x.wrong)}. ` +
      `Median idle during the windows: CPU 0 (unbound) ${each((x) => fmtPct(x.serverCpuIdle, 0))}, ` +
      `CPU 1 (client) ${each((x) => fmtPct(x.loadCpuIdle, 0))}.`,
  );
  if (Math.min(...sides.map((x) => x.clientCpuShare)) < 0.8) {
    notes.push(
      `The clients got only ${each((x) => fmtPct(x.clientCpuShare, 0))} of CPU 1: other load shared it, ` +
        'which pulls the queries/s ratios towards 1; the client CPU per query is the steadier figure.',
    );
  }
  return `${table}\n\n${notes.join('\n')}`;
}

export const benchmarks = [
  {
    name: 'dns-resolver',
    title:
      'DNS resolver queries/s, latency and client CPU: @netkit/dns query() (a port per query) and Resolver (pooled ports) vs node:dns Resolver (c-ares), 100 in flight, unbound on loopback; dnsperf as the limit',
    async run({ log }) {
      const results = await measureResolver({ log });
      return { results, table: resolverTable(results) };
    },
  },
];
