// Client-list joins per second at 100 concurrent clients: netkit's createClientListServer()
// (plain protocol) in a child on CPU 0, a load generator on CPU 1 running 100 join loops with
// joinClientList() and names from a pool of 1000. No anchor: the figure alone. Then, for
// comparison, netkit's server and the seed's Python 3 server (packages/tcp/test/fixtures/
// client_list.py, a thread per connection) side by side with a small list. See README.md.
import { fileURLToPath } from 'node:url';
import {
  cpuTicks,
  cpuUse,
  haveCommand,
  killChildren,
  pinning,
  processCpuMs,
  profileArgs,
  sleep,
  spawnNode,
  spawnPinned,
  stopChildren,
  tcpExtCounters,
} from './lib/children.mjs';
import { max, median, min } from './lib/stats.mjs';
import { fmt, fmtInt, fmtPct, markdownTable } from './lib/table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const NETKIT_SERVER = here('./lib/client-list-server.mjs');
const LOADGEN = here('./lib/join-loadgen.mjs');
const PYTHON_SERVER = here('../packages/tcp/test/fixtures/client_list.py');

export const defaults = {
  concurrency: 100,
  pool: 1000, // names, so the list stays at most this long
  rounds: 3,
  warmupMs: 1500,
  measureMs: 4000,
  // The comparison with the seed's Python server: a small list, shorter rounds.
  comparePool: 20,
  compareRounds: 3,
  compareWarmupMs: 1000,
  compareMeasureMs: 3000,
};

async function startNetkitServer(tag) {
  const child = spawnNode(NETKIT_SERVER, [], {
    cpu: pinning().serverCpu,
    nodeArgs: profileArgs(tag),
  });
  const port = Number((await child.line('READY ', 10_000)).split(' ')[1]);
  return { child, port, tag };
}

async function startPythonServer() {
  const child = spawnPinned('python3', [PYTHON_SERVER, '--host', '127.0.0.1', '--port', '0'], {
    cpu: pinning().serverCpu,
    name: 'client_list.py',
  });
  const port = Number((await child.line('Listening on ', 10_000)).split(':').pop());
  return { child, port, tag: 'tcp-clients-python-server' };
}

/** One round: a fresh load generator per server, all started at the same instant. */
async function joinRound(servers, { concurrency, pool, warmupMs, measureMs, swap = false }) {
  const pin = pinning();
  const gens = [];
  const order = servers.map((_, i) => i);
  if (swap) order.reverse();
  try {
    for (const i of order) {
      gens[i] = spawnNode(LOADGEN, [servers[i].port, concurrency, pool, warmupMs, measureMs], {
        cpu: pin.loadCpu,
        nodeArgs: profileArgs(`${servers[i].tag}-loadgen`),
      });
    }
    await Promise.all(gens.map((g) => g.line('READY', 10_000)));
    const startAt = Date.now() + 100;
    for (const i of order) gens[i].proc.stdin.write(`START ${startAt}\n`);
    await sleep(Math.max(0, startAt + warmupMs - Date.now()));
    // processCpuMs, not cpuTimeMs: the Python server's threads end with their connection.
    const cpu0 = servers.map((s) => processCpuMs(s.child.pid));
    const ticks0 = cpuTicks();
    const net0 = tcpExtCounters();
    const t0 = performance.now();
    await sleep(Math.max(0, startAt + warmupMs + measureMs - Date.now()));
    const cpu1 = servers.map((s) => processCpuMs(s.child.pid));
    const ticks1 = cpuTicks();
    const elapsed = performance.now() - t0;
    const net1 = tcpExtCounters();
    const out = await Promise.all(gens.map((g) => g.json('RESULT ', 30_000)));
    return {
      // Machine-wide, but on this loopback benchmark they are the servers' listen queues.
      listenOverflows: counterDelta(net0, net1, 'ListenOverflows'),
      listenDrops: counterDelta(net0, net1, 'ListenDrops'),
      sides: out.map((res, i) => ({
        ...res,
        serverCpuShare: (cpu1[i] - cpu0[i]) / elapsed,
        serverCpuUsPerJoin: ((cpu1[i] - cpu0[i]) * 1000) / (res.perSecond * (elapsed / 1000)),
      })),
      serverCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.serverCpu) : undefined,
      loadCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.loadCpu) : undefined,
    };
  } finally {
    await stopChildren(gens, 3000);
  }
}

const counterDelta = (a, b, key) =>
  a?.[key] !== undefined && b?.[key] !== undefined ? b[key] - a[key] : undefined;

function describe(label, s) {
  const errors = Object.entries(s.errors)
    .map(([k, v]) => `${k} x${v}`)
    .join(', ');
  return (
    `${label} ${fmtInt(s.perSecond)} joins/s, p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms, ` +
    `list ${s.listSize}, server CPU ${fmt(s.serverCpuShare * 100, 0)}%, loadgen CPU ${fmt(s.cpuShare * 100, 0)}%` +
    `${errors ? `, errors: ${errors}` : ''}`
  );
}

const idleText = (r) =>
  `${r.serverCpu ? ` (CPU idle ${fmtPct(r.serverCpu.idle, 0)} / ${fmtPct(r.loadCpu.idle, 0)})` : ''}` +
  `; listen queue overflows ${r.listenOverflows ?? 'n/a'}, drops ${r.listenDrops ?? 'n/a'}`;
const sumOf = (rounds, key) =>
  rounds.every((r) => r[key] !== undefined) ? rounds.reduce((a, r) => a + r[key], 0) : undefined;

function summary(rounds, i) {
  const pick = (f) => median(rounds.map((r) => f(r.sides[i])));
  return {
    perSecond: pick((s) => s.perSecond),
    p50: pick((s) => s.p50),
    p99: pick((s) => s.p99),
    listSize: max(rounds.map((r) => r.sides[i].listSize)),
    errors: rounds.reduce((a, r) => a + r.sides[i].errorsInWindow, 0),
    errorKinds: rounds.map((r) => r.sides[i].errors),
    serverCpuShare: pick((s) => s.serverCpuShare),
    serverCpuUsPerJoin: pick((s) => s.serverCpuUsPerJoin),
    loadgenCpuShare: pick((s) => s.cpuShare),
    serverCpuIdle: median(rounds.map((r) => r.serverCpu?.idle ?? Number.NaN)),
    loadCpuIdle: median(rounds.map((r) => r.loadCpu?.idle ?? Number.NaN)),
  };
}

export async function measureClients({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const results = [];
  const params = { concurrency: o.concurrency, protocol: 'plain' };

  // 1. The figure: netkit alone, 1000 names.
  let netkit;
  const rounds = [];
  try {
    netkit = await startNetkitServer('tcp-clients-netkit-server');
    for (let r = 0; r < o.rounds; r++) {
      const round = await joinRound([netkit], {
        concurrency: o.concurrency,
        pool: o.pool,
        warmupMs: o.warmupMs,
        measureMs: o.measureMs,
      });
      rounds.push(round);
      log(
        `  tcp-clients ${r + 1}/${o.rounds}: ${describe('netkit', round.sides[0])}${idleText(round)}`,
      );
    }
  } finally {
    await stopChildren([netkit?.child]);
  }
  const s = summary(rounds, 0);
  const common = {
    name: 'tcp-clients',
    subject: 'netkit createClientListServer()',
    anchor: null,
    anchorValue: null,
    ratio: null,
    params: {
      ...params,
      pool: o.pool,
      rounds: o.rounds,
      warmupMs: o.warmupMs,
      measureMs: o.measureMs,
    },
  };
  const detail = {
    ...s,
    listenOverflows: sumOf(rounds, 'listenOverflows'),
    perRound: rounds.map((r) => r.sides[0]),
    rounds,
  };
  results.push(
    {
      ...common,
      statistic: 'joins/s, median of rounds',
      subjectValue: s.perSecond,
      unit: 'joins/s',
      better: 'higher',
      detail,
    },
    {
      ...common,
      statistic: 'p50 join latency',
      subjectValue: s.p50,
      unit: 'ms',
      better: 'lower',
      detail: { perRound: rounds.map((r) => r.sides[0].p50) },
    },
    {
      ...common,
      statistic: 'p99 join latency',
      subjectValue: s.p99,
      unit: 'ms',
      better: 'lower',
      detail: { perRound: rounds.map((r) => r.sides[0].p99) },
    },
  );

  // 2. The comparison: netkit and the seed's Python server side by side, a small list.
  if (!haveCommand('python3')) {
    log('  python3 not found: the comparison with the seed server is skipped');
    return { results, note: 'python3 not found: the comparison with the seed server was skipped.' };
  }
  let servers = [];
  const cmp = [];
  try {
    servers = [
      await startNetkitServer('tcp-clients-netkit-server-vs-python'),
      await startPythonServer(),
    ];
    for (let r = 0; r < o.compareRounds; r++) {
      const round = await joinRound(servers, {
        concurrency: o.concurrency,
        pool: o.comparePool,
        warmupMs: o.compareWarmupMs,
        measureMs: o.compareMeasureMs,
        swap: r % 2 === 1,
      });
      round.ratio = round.sides[0].perSecond / round.sides[1].perSecond;
      cmp.push(round);
      log(
        `  tcp-clients vs Python ${r + 1}/${o.compareRounds}: ${describe('netkit', round.sides[0])}; ` +
          `${describe('client_list.py', round.sides[1])}; ratio ${fmt(round.ratio, 2)}${idleText(round)}`,
      );
    }
  } finally {
    // netkit's server exits when its stdin closes (so that a --cpu-prof profile is written);
    // the Python one does not.
    await Promise.all([stopChildren([servers[0]?.child]), killChildren([servers[1]?.child])]);
  }
  const ratios = cmp.map((r) => r.ratio);
  const a = summary(cmp, 0);
  const b = summary(cmp, 1);
  results.push({
    name: 'tcp-clients-vs-python',
    statistic: 'joins/s side by side, median of rounds',
    params: {
      ...params,
      pool: o.comparePool,
      rounds: o.compareRounds,
      warmupMs: o.compareWarmupMs,
      measureMs: o.compareMeasureMs,
    },
    subject: 'netkit createClientListServer()',
    anchor: "seed's client_list.py (Python 3)",
    subjectValue: a.perSecond,
    anchorValue: b.perSecond,
    ratio: median(ratios),
    unit: 'joins/s',
    better: 'higher',
    detail: {
      perRoundRatios: ratios,
      ratioMin: min(ratios),
      ratioMax: max(ratios),
      subject: a,
      anchor: b,
      listenOverflows: sumOf(cmp, 'listenOverflows'),
      listenDrops: sumOf(cmp, 'listenDrops'),
      rounds: cmp,
    },
  });
  return { results };
}

/** @param {{ results: any[], note?: string }} out */
export function clientsTable({ results, note }) {
  const header = [
    'server',
    'clients',
    'names',
    'joins/s',
    'p50 latency (ms)',
    'p99 latency (ms)',
    'list size',
    'failed joins',
    'server CPU',
    'server CPU µs/join',
    'load generator CPU',
    `CPU ${pinning().serverCpu ?? '-'} / ${pinning().loadCpu ?? '-'} idle`,
  ];
  const main = results[0];
  const rows = [
    [
      `netkit createClientListServer(), alone, median of ${main.params.rounds} rounds`,
      main.params.concurrency,
      main.params.pool,
      fmtInt(main.subjectValue),
      fmt(main.detail.p50, 1),
      fmt(main.detail.p99, 1),
      main.detail.listSize,
      main.detail.errors,
      fmtPct(main.detail.serverCpuShare, 0),
      fmt(main.detail.serverCpuUsPerJoin, 0),
      fmtPct(main.detail.loadgenCpuShare, 0),
      `${fmtPct(main.detail.serverCpuIdle, 0)} / ${fmtPct(main.detail.loadCpuIdle, 0)}`,
    ],
  ];
  const cmp = results.find((r) => r.name === 'tcp-clients-vs-python');
  if (cmp) {
    for (const [label, s] of [
      ['netkit createClientListServer()', cmp.detail.subject],
      ["seed's client_list.py (Python 3, a thread per connection, listen(5))", cmp.detail.anchor],
    ]) {
      rows.push([
        `${label}, side by side, median of ${cmp.params.rounds} rounds`,
        cmp.params.concurrency,
        cmp.params.pool,
        fmtInt(s.perSecond),
        fmt(s.p50, 1),
        fmt(s.p99, 1),
        s.listSize,
        s.errors,
        fmtPct(s.serverCpuShare, 0),
        fmt(s.serverCpuUsPerJoin, 0),
        fmtPct(s.loadgenCpuShare, 0),
        `${fmtPct(s.serverCpuIdle, 0)} / ${fmtPct(s.loadCpuIdle, 0)}`,
      ]);
    }
  }
  const table = markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
  const notes = [
    'Each join is a new connection: joinClientList() sends the name and FIN, the server answers with the whole list as JSON; latency is from the call until the list is parsed. No anchor for the first row: the figure alone.',
  ];
  const d = main.detail;
  if (d.loadgenCpuShare > 0.8 && d.serverCpuShare < 0.6) {
    notes.push(
      `The load generator, not the server, is the limit here: it used ${fmtPct(d.loadgenCpuShare, 0)} of a CPU ` +
        `(every join parses the whole list of ${d.listSize} entries), the server ${fmtPct(d.serverCpuShare, 0)}. ` +
        `At ${fmt(d.serverCpuUsPerJoin, 0)} µs of CPU per join the server alone would manage about ` +
        `${fmtInt(1e6 / d.serverCpuUsPerJoin)} joins/s on one CPU.`,
    );
  }
  if (cmp) {
    const overflows = cmp.detail.listenOverflows;
    notes.push(
      `netkit / Python side by side: ${fmt(cmp.ratio, 2)} (per round ${cmp.detail.perRoundRatios.map((x) => fmt(x, 2)).join(', ')}). ` +
        `The Python server accepts with listen(5) and starts a thread per connection; the kernel counted ${overflows ?? 'n/a'} ` +
        `listen-queue overflows during these rounds (netkit listens with a backlog of 511): a client whose handshake ` +
        `is dropped retries after about 1 s, which is what the Python server's p99 shows.`,
    );
  }
  if (note) notes.push(note);
  return `${table}\n\n${notes.join('\n')}`;
}

export const benchmarks = [
  {
    name: 'tcp-clients',
    title:
      'TCP client-list joins/s at 100 concurrent clients: createClientListServer() with joinClientList() clients (and the seed Python server for comparison)',
    async run({ log }) {
      const out = await measureClients({ log });
      return { results: out.results, table: clientsTable(out) };
    },
  },
];
