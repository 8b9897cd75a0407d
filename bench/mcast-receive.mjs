// Multicast receive throughput: datagrams per second through a netkit multicast receiver
// (joinGroup() + setListener()) against a bare node:dgram receiver, both joined to the same group
// on 127.0.0.1 and bound to the same group:port, so every datagram is offered to both. Both are
// pinned to one CPU; one sender pinned to the other CPU floods the group (bounded in count and
// time). The scheduler gives both receivers the same CPU time, so the ratio of the datagrams each
// took is the ratio of their costs (see README.md, "Method").
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuTicks,
  cpuTimeMs,
  cpuUse,
  pinning,
  sleep,
  spawnNode,
  spawnPinned,
  stopChildren,
} from './lib/children.mjs';
import { max, median, min } from './lib/stats.mjs';
import { fmt, fmtInt, fmtPct, markdownTable } from './lib/table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const RECEIVER = here('./lib/mcast-receiver.mjs');
const SENDER = here('./lib/mcast-sender.mjs');
const FLOOD_SOURCE = here('./lib/mcast-flood.c');

let flooder;
/**
 * The C flooder (sendmmsg), compiled once per run when a C compiler is here; else undefined and
 * the node:dgram sender is used, which may not saturate the receivers (the table says so).
 */
function flooderPath() {
  if (flooder !== undefined) return flooder || undefined;
  const out = join(mkdtempSync(join(tmpdir(), 'netkit-bench-')), 'mcast-flood');
  const cc = spawnSync('cc', ['-O2', '-o', out, FLOOD_SOURCE], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  flooder = cc.status === 0 ? out : '';
  return flooder || undefined;
}

function spawnSender(args, cpu) {
  const path = flooderPath();
  return path
    ? spawnPinned(path, args, { cpu, name: 'mcast-flood' })
    : spawnNode(SENDER, args, { cpu });
}

export const defaults = {
  sizes: [64, 1400],
  rounds: 5,
  warmupMs: 1000,
  measureMs: 3000,
  /** Upper bound of datagrams one round's sender may send. */
  maxDatagrams: 20_000_000,
};

const GROUP = '239.255.99.1';

async function marks(receivers) {
  for (const r of receivers) r.proc.stdin.write('MARK\n');
  return Promise.all(
    receivers.map(async (r) => {
      const [, n, bytes, t] = (await r.line('COUNT ', 5000)).split(' ').map(Number);
      return { n, bytes, t };
    }),
  );
}

async function oneRound(sides, port, size, o, swap) {
  const pin = pinning();
  const receivers = [];
  let sender;
  try {
    // Spawn order alternates over the rounds, so any advantage of going first cancels out.
    for (const i of swap ? [1, 0] : [0, 1]) {
      receivers[i] = spawnNode(RECEIVER, [sides[i].kind, GROUP, port], { cpu: pin.serverCpu });
    }
    await Promise.all(receivers.map((r) => r.line('READY', 10_000)));
    const seconds = (o.warmupMs + o.measureMs) / 1000 + 1;
    sender = spawnSender([GROUP, port, size, o.maxDatagrams, seconds], pin.loadCpu);
    await sleep(o.warmupMs);
    const m0 = await marks(receivers);
    const cpu0 = receivers.map((r) => cpuTimeMs(r.pid));
    const ticks0 = cpuTicks();
    await sleep(o.measureMs);
    const m1 = await marks(receivers);
    const cpu1 = receivers.map((r) => cpuTimeMs(r.pid));
    const ticks1 = cpuTicks();
    const [, sentText] = (await sender.line('SENT ', seconds * 1000 + 10_000)).split(' ');
    const result = receivers.map((_, i) => {
      const datagrams = m1[i].n - m0[i].n;
      const seconds = (m1[i].t - m0[i].t) / 1000;
      const cpuMs = cpu1[i] - cpu0[i];
      return {
        perSecond: datagrams / seconds,
        datagrams,
        cpuUsPerDatagram: (cpuMs * 1000) / datagrams,
      };
    });
    const sent = Number(sentText);
    return {
      subject: result[0],
      anchor: result[1],
      ratio: result[0].perSecond / result[1].perSecond,
      sent,
      // The sender runs for `seconds` (or until maxDatagrams): what it offered per second.
      offeredPerSecond: sent / seconds,
      receiverCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.serverCpu) : undefined,
    };
  } finally {
    await stopChildren([...receivers, sender]);
  }
}

export async function compareReceivers({ name, sides, log = (_line) => {}, ...options }) {
  const o = { ...defaults, ...options };
  const results = [];
  for (const [sizeIndex, size] of o.sizes.entries()) {
    const rounds = [];
    for (let r = 0; r < o.rounds; r++) {
      // A port of its own per round: nothing left of the round before is delivered.
      const port = 47_600 + sizeIndex * 50 + r;
      const round = await oneRound(sides, port, size, o, r % 2 === 1);
      rounds.push(round);
      log(
        `  ${name} ${size} B round ${r + 1}/${o.rounds}: ${sides[0].label} ${fmtInt(round.subject.perSecond)}/s, ` +
          `${sides[1].label} ${fmtInt(round.anchor.perSecond)}/s, ratio ${fmt(round.ratio, 3)} ` +
          `(offered ${fmtInt(round.offeredPerSecond)}/s, receivers' CPU idle ${fmt((round.receiverCpu?.idle ?? Number.NaN) * 100, 0)}%, ` +
          `CPU µs/dgram ${fmt(round.subject.cpuUsPerDatagram, 2)} / ${fmt(round.anchor.cpuUsPerDatagram, 2)})`,
      );
    }
    const ratios = rounds.map((r) => r.ratio);
    results.push({
      name,
      statistic: 'median of rounds',
      params: {
        payloadBytes: size,
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
        subjectCpuUsPerDatagram: median(rounds.map((r) => r.subject.cpuUsPerDatagram)),
        anchorCpuUsPerDatagram: median(rounds.map((r) => r.anchor.cpuUsPerDatagram)),
        receiverCpuIdle: median(rounds.map((r) => r.receiverCpu?.idle ?? Number.NaN)),
        offeredPerSecond: median(rounds.map((r) => r.offeredPerSecond)),
        /** Received over offered: near 1 means the receivers kept up (not saturated). */
        deliveredShare: median(
          rounds.map((r) => Math.max(r.subject.perSecond, r.anchor.perSecond) / r.offeredPerSecond),
        ),
        rounds,
      },
    });
  }
  return results;
}

function receiveTable(results) {
  const r0 = results[0];
  const header = [
    'payload',
    `${r0.subject} (dgram/s)`,
    `${r0.anchor} (dgram/s)`,
    `ratio ${r0.subject}/${r0.anchor} (higher is better)`,
    'per-round ratios',
    `CPU µs/dgram ${r0.subject} / ${r0.anchor}`,
    `CPU ${pinning().serverCpu ?? '-'} idle`,
    'offered (dgram/s)',
  ];
  const rows = results.map((r) => [
    `${r.params.payloadBytes} B`,
    fmtInt(r.subjectValue),
    fmtInt(r.anchorValue),
    fmt(r.ratio, 3),
    r.detail.perRoundRatios.map((x) => fmt(x, 3)).join(', '),
    `${fmt(r.detail.subjectCpuUsPerDatagram, 2)} / ${fmt(r.detail.anchorCpuUsPerDatagram, 2)}`,
    fmtPct(r.detail.receiverCpuIdle, 0),
    fmtInt(r.detail.offeredPerSecond),
  ]);
  const table = markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'right',
    'left',
    'right',
    'right',
    'right',
  ]);
  const kept = results.filter((r) => r.detail.deliveredShare > 0.9);
  if (kept.length === 0) return table;
  return `${table}\n\nNote: at ${kept.map((r) => `${r.params.payloadBytes} B`).join(', ')} the receivers took over 90% of what the sender offered: not saturated, so the throughput ratio tends to 1 and the CPU µs per datagram column is the better comparison.`;
}

/** The benchmarks this file provides. */
export const benchmarks = [
  {
    name: 'mcast-receive',
    title: 'Multicast receive throughput: joinGroup() vs a bare node:dgram receiver on one group',
    async run({ log }) {
      const results = await compareReceivers({
        name: 'mcast-receive',
        sides: [
          { label: 'netkit', kind: 'netkit' },
          { label: 'node:dgram', kind: 'bare' },
        ],
        log,
      });
      return { results, table: receiveTable(results) };
    },
  },
  {
    name: 'mcast-receive-sanity',
    title:
      'Method check: two identical bare node:dgram multicast receivers (ratio should be ~1.00)',
    explicitOnly: true,
    async run({ log }) {
      const results = await compareReceivers({
        name: 'mcast-receive-sanity',
        sides: [
          { label: 'bare A', kind: 'bare' },
          { label: 'bare B', kind: 'bare' },
        ],
        log,
      });
      return { results, table: receiveTable(results) };
    },
  },
];
