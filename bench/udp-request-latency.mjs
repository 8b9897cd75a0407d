// Request/reply latency: netkit's request() with a reused socket against a bare node:dgram
// send-then-wait client, against one bare node:dgram echo server in a child process. The two
// clients alternate in rounds inside one client process (see README.md, "Method").
import { fileURLToPath } from 'node:url';
import { pinning, profileArgs, spawnNode, stopChildren } from './lib/children.mjs';
import { fmt, fmtInt, markdownTable } from './lib/table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SERVER = here('./lib/echo-server.mjs');
const CLIENT = here('./lib/latency-client.mjs');

export const defaults = {
  payloadBytes: 64,
  warmup: 2000, // requests per side before measuring
  perRound: 500, // requests per side per round (short rounds: drift of the machine hits both alike)
  rounds: 40, // so 20,000 per side
  timeLimitMs: 30_000, // for the measured rounds, both sides together
};

export async function measureLatency({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const pin = pinning();
  let server;
  let client;
  try {
    server = spawnNode(SERVER, ['bare'], { cpu: pin.serverCpu });
    const port = Number((await server.line('READY ', 10_000)).split(' ')[1]);
    client = spawnNode(
      CLIENT,
      [port, o.payloadBytes, o.warmup, o.perRound, o.rounds, o.timeLimitMs],
      { cpu: pin.loadCpu, nodeArgs: profileArgs('udp-request-latency-client') },
    );
    await client.line('READY', 10_000);
    const res = await client.json('RESULT ', o.timeLimitMs * 2 + 30_000);
    const { p50: n50, p99: n99 } = res.netkit;
    const { p50: b50, p99: b99 } = res.bare;
    log(
      `  udp-request-latency: ${res.roundsDone} rounds in ${fmt(res.elapsedMs / 1000, 1)} s, ` +
        `${res.netkit.count} + ${res.bare.count} samples, timeouts ${res.timeouts.netkit}/${res.timeouts.bare}; ` +
        `per-round p50 netkit ${res.netkit.roundP50.map((x) => fmt(x, 0)).join(' ')} / bare ${res.bare.roundP50.map((x) => fmt(x, 0)).join(' ')}`,
    );
    const common = {
      params: {
        payloadBytes: o.payloadBytes,
        perRound: o.perRound,
        rounds: o.rounds,
        roundsDone: res.roundsDone,
        warmup: o.warmup,
      },
      subject: 'netkit request()',
      anchor: 'node:dgram send+wait',
      unit: 'µs',
      better: 'lower',
      detail: {
        samples: { subject: res.netkit.count, anchor: res.bare.count },
        timeouts: { subject: res.timeouts.netkit, anchor: res.timeouts.bare },
        netkit: res.netkit,
        bare: res.bare,
        elapsedMs: res.elapsedMs,
      },
    };
    return [
      {
        name: 'udp-request-latency',
        statistic: 'p50',
        ...common,
        subjectValue: n50,
        anchorValue: b50,
        ratio: n50 / b50,
      },
      {
        name: 'udp-request-latency',
        statistic: 'p99',
        ...common,
        subjectValue: n99,
        anchorValue: b99,
        ratio: n99 / b99,
      },
    ];
  } finally {
    await stopChildren([client, server]);
  }
}

export function latencyTable(results) {
  const header = [
    'statistic',
    'netkit request() (µs)',
    'node:dgram send+wait (µs)',
    'ratio netkit/bare (lower is better)',
    'samples per side',
  ];
  const rows = results.map((r) => [
    `${r.statistic}, ${r.params.payloadBytes} B`,
    fmt(r.subjectValue, 1),
    fmt(r.anchorValue, 1),
    fmt(r.ratio, 3),
    `${fmtInt(r.detail.samples.subject)} / ${fmtInt(r.detail.samples.anchor)}`,
  ]);
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right']);
}

export const benchmarks = [
  {
    name: 'udp-request-latency',
    title: 'UDP request/reply latency: request() vs node:dgram send + wait for the reply',
    async run({ log }) {
      const results = await measureLatency({ log });
      return { results, table: latencyTable(results) };
    },
  },
];
