// Echo throughput: datagrams per second through netkit's createEchoServer() against a bare
// node:dgram echo server, both running at once on the same CPU, each saturated by its own load
// generator on the other CPU (see README.md, "Method").
import { fileURLToPath } from 'node:url';
import {
  cpuTicks,
  cpuTimeMs,
  cpuUse,
  killChildren,
  pinning,
  profileArgs,
  sleep,
  spawnNode,
  stopChildren,
} from './lib/children.mjs';
import { max, median, min } from './lib/stats.mjs';
import { fmt, fmtInt, fmtPct, markdownTable } from './lib/table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SERVER = here('./lib/echo-server.mjs');
const LOADGEN = here('./lib/loadgen.mjs');

export const defaults = {
  sizes: [64, 1400],
  rounds: 5,
  window: 128,
  warmupMs: 1000,
  measureMs: 3000,
};

/**
 * Runs `rounds` rounds per payload size of two echo servers side by side. `sides` names the two
 * servers: [subject, anchor], each { label, kind: 'netkit' | 'bare' }.
 */
export async function compareEchoServers({ name, sides, log = (_line) => {}, ...options }) {
  const o = { ...defaults, ...options };
  const pin = pinning();
  const results = [];
  for (const [sizeIndex, size] of o.sizes.entries()) {
    const servers = [];
    const rounds = [];
    try {
      // The servers' spawn order alternates with the payload size, for the same reason as in oneRound.
      for (const i of sizeIndex % 2 ? [1, 0] : [0, 1]) {
        servers[i] = spawnNode(SERVER, [sides[i].kind], {
          cpu: pin.serverCpu,
          nodeArgs: profileArgs(`${name}-${size}B-${sides[i].label.replace(/[^\w.-]+/g, '_')}`),
        });
      }
      const ports = await Promise.all(
        servers.map(async (s) => Number((await s.line('READY ', 10_000)).split(' ')[1])),
      );
      for (let r = 0; r < o.rounds; r++) {
        const round = await oneRound(servers, ports, size, o, r % 2 === 1);
        rounds.push(round);
        log(
          `  ${name} ${size} B round ${r + 1}/${o.rounds}: ${sides[0].label} ${fmtInt(round.subject.perSecond)}/s, ` +
            `${sides[1].label} ${fmtInt(round.anchor.perSecond)}/s, ratio ${fmt(round.ratio, 3)}` +
            ` (CPU${pinning().serverCpu} idle ${fmt(round.serverCpu?.idle * 100, 0)}% steal ${fmt(round.serverCpu?.steal * 100, 0)}%,` +
            ` CPU${pinning().loadCpu} idle ${fmt(round.loadCpu?.idle * 100, 0)}%;` +
            ` server CPU ${fmt(round.subject.serverCpuShare * 100, 0)}% / ${fmt(round.anchor.serverCpuShare * 100, 0)}%,` +
            ` gen CPU ${fmt(round.subject.cpuShare * 100, 0)}% / ${fmt(round.anchor.cpuShare * 100, 0)}%,` +
            ` lost ${round.subject.lost}/${round.anchor.lost}, stalls ${round.subject.stalls}/${round.anchor.stalls}, errors ${round.subject.sendErrors}/${round.anchor.sendErrors})`,
        );
      }
    } finally {
      await stopChildren(servers);
    }
    const ratios = rounds.map((r) => r.ratio);
    results.push({
      name,
      statistic: 'median of rounds',
      params: {
        payloadBytes: size,
        window: o.window,
        warmupMs: o.warmupMs,
        measureMs: o.measureMs,
        rounds: o.rounds,
      },
      subject: sides[0].label,
      anchor: sides[1].label,
      subjectValue: median(rounds.map((r) => r.subject.perSecond)),
      anchorValue: median(rounds.map((r) => r.anchor.perSecond)),
      ratio: median(ratios),
      unit: 'datagrams/s',
      better: 'higher',
      detail: {
        perRoundRatios: ratios,
        ratioMin: min(ratios),
        ratioMax: max(ratios),
        subjectServerCpuUsPerDatagram: median(rounds.map((r) => r.subject.serverCpuUsPerDatagram)),
        anchorServerCpuUsPerDatagram: median(rounds.map((r) => r.anchor.serverCpuUsPerDatagram)),
        serverCpuIdle: median(rounds.map((r) => r.serverCpu?.idle ?? Number.NaN)),
        rounds,
      },
    });
  }
  return results;
}

/** One round: a fresh load generator per server, started at the same instant, measured alike. */
async function oneRound(servers, ports, size, o, swap) {
  const pin = pinning();
  const gens = [];
  // Every other round the second side's generator is spawned and started first, so that any
  // advantage of going first cancels out over the rounds.
  const order = swap ? [1, 0] : [0, 1];
  try {
    for (const i of order) {
      gens[i] = spawnNode(LOADGEN, [ports[i], size, o.window, o.warmupMs, o.measureMs], {
        cpu: pin.loadCpu,
      });
    }
    await Promise.all(gens.map((g) => g.line('READY', 10_000)));
    const startAt = Date.now() + 100;
    for (const i of order) gens[i].proc.stdin.write(`START ${startAt}\n`);
    // The servers' CPU time over the same measuring window, read from /proc.
    const measureStart = startAt + o.warmupMs;
    const measureEnd = measureStart + o.measureMs;
    await sleep(Math.max(0, measureStart - Date.now()));
    const cpu0 = servers.map((s) => cpuTimeMs(s.pid));
    const ticks0 = cpuTicks();
    const t0 = performance.now();
    await sleep(Math.max(0, measureEnd - Date.now()));
    const cpu1 = servers.map((s) => cpuTimeMs(s.pid));
    const ticks1 = cpuTicks();
    const elapsed = performance.now() - t0;
    const out = await Promise.all(gens.map((g) => g.json('RESULT ', o.measureMs + 15_000)));
    const sides = out.map((res, i) => {
      const cpuMs = cpu1[i] !== undefined && cpu0[i] !== undefined ? cpu1[i] - cpu0[i] : Number.NaN;
      return {
        ...res,
        serverCpuMs: cpuMs,
        serverCpuShare: cpuMs / elapsed,
        serverCpuUsPerDatagram: (cpuMs * 1000) / (res.perSecond * (elapsed / 1000)),
      };
    });
    return {
      subject: sides[0],
      anchor: sides[1],
      ratio: sides[0].perSecond / sides[1].perSecond,
      // How busy the servers' CPU and the load generators' CPU were: saturation shows as idle ~0
      // on the servers' CPU. Undefined when unpinned.
      serverCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.serverCpu) : undefined,
      loadCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.loadCpu) : undefined,
    };
  } finally {
    await killChildren(gens);
  }
}

export function echoTable(results) {
  const r0 = results[0];
  const header = [
    'payload',
    `${r0.subject} (dgram/s)`,
    `${r0.anchor} (dgram/s)`,
    `ratio ${r0.subject}/${r0.anchor} (higher is better)`,
    'per-round ratios',
    `server CPU µs/dgram ${r0.subject} / ${r0.anchor}`,
    `CPU ${pinning().serverCpu ?? '-'} idle`,
  ];
  const rows = results.map((r) => [
    `${r.params.payloadBytes} B`,
    fmtInt(r.subjectValue),
    fmtInt(r.anchorValue),
    fmt(r.ratio, 3),
    r.detail.perRoundRatios.map((x) => fmt(x, 3)).join(', '),
    `${fmt(r.detail.subjectServerCpuUsPerDatagram, 2)} / ${fmt(r.detail.anchorServerCpuUsPerDatagram, 2)}`,
    fmtPct(r.detail.serverCpuIdle, 0),
  ]);
  const table = markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'right',
    'left',
    'right',
    'right',
  ]);
  const unsaturated = results.filter((r) => r.detail.serverCpuIdle > 0.15);
  if (unsaturated.length === 0) return table;
  return `${table}\n\nNote: the servers' CPU was idle ${unsaturated
    .map((r) => `${fmtPct(r.detail.serverCpuIdle, 0)} (${r.params.payloadBytes} B)`)
    .join(', ')} of the time: not saturated, which pulls the ratio towards 1.`;
}

/** The benchmarks this file provides. */
export const benchmarks = [
  {
    name: 'udp-echo',
    title: 'UDP echo throughput: createEchoServer() vs a bare node:dgram echo server',
    async run({ log }) {
      const results = await compareEchoServers({
        name: 'udp-echo',
        sides: [
          { label: 'netkit', kind: 'netkit' },
          { label: 'node:dgram', kind: 'bare' },
        ],
        log,
      });
      return { results, table: echoTable(results) };
    },
  },
  {
    name: 'udp-echo-sanity',
    title: 'Method check: two identical bare node:dgram echo servers (ratio should be ~1.00)',
    async run({ log }) {
      const results = await compareEchoServers({
        name: 'udp-echo-sanity',
        sides: [
          { label: 'bare A', kind: 'bare' },
          { label: 'bare B', kind: 'bare' },
        ],
        log,
      });
      return { results, table: echoTable(results) };
    },
  },
  {
    name: 'udp-echo-calibrate',
    title:
      'Method check: the bare server plus a 5 µs busy wait per datagram vs the bare server (expect about c/(c+5), c = the bare server CPU µs/dgram)',
    explicitOnly: true,
    async run({ log }) {
      const results = await compareEchoServers({
        name: 'udp-echo-calibrate',
        sides: [
          { label: 'bare+5µs', kind: 'bare+5us' },
          { label: 'bare', kind: 'bare' },
        ],
        log,
      });
      return { results, table: echoTable(results) };
    },
  },
];
