// Runs TCP sender/receiver pairs (lib/tcp-sender.mjs -> lib/tcp-receiver.mjs), the way the
// throughput benchmarks need them: the receivers on CPU 0, the senders on CPU 1, both pairs at
// once ("side by side", the ratio), and each pair alone (the absolute figure). Used by
// tcp-framed.mjs and tcp-bulk.mjs.
import { fileURLToPath } from 'node:url';
import {
  cpuTicks,
  cpuTimeMs,
  cpuUse,
  pinning,
  profileArgs,
  sleep,
  spawnNode,
  stopChildren,
} from './children.mjs';
import { max, median, min } from './stats.mjs';
import { fmt, fmtPct, markdownTable } from './table.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const RECEIVER = here('./tcp-receiver.mjs');
const SENDER = here('./tcp-sender.mjs');

/**
 * `sides` is [subject, anchor], each { label, receiver, sender } (the kinds of tcp-receiver.mjs
 * and tcp-sender.mjs). Runs `rounds` side-by-side rounds, then `soloRounds` rounds of each pair
 * alone (the order alternating), with one receiver process per side for the whole run and fresh
 * senders every round. Returns { sideBySide: [round], solo: [[round of side 0], [round of side 1]] }.
 */
export async function runPairs({ name, sides, size, batch, log = (_line) => {}, ...o }) {
  const pin = pinning();
  const receivers = [];
  const out = { sideBySide: [], solo: [[], []] };
  const tag = (i) => `${name}-${sides[i].label.replace(/[^\w.-]+/g, '_')}`;
  try {
    for (const i of [0, 1]) {
      receivers[i] = spawnNode(RECEIVER, [sides[i].receiver, size], {
        cpu: pin.serverCpu,
        nodeArgs: profileArgs(`${tag(i)}-receiver`),
      });
    }
    const ports = await Promise.all(
      receivers.map(async (r) => Number((await r.line('READY ', 10_000)).split(' ')[1])),
    );
    const ctx = { name, sides, size, batch, o, receivers, ports, tag };
    for (let r = 0; r < o.rounds; r++) {
      const round = await oneRound(ctx, r % 2 ? [1, 0] : [0, 1], `s${r}`);
      round.ratio = round.sides[0].perSecond / round.sides[1].perSecond;
      out.sideBySide.push(round);
      log(`  ${name} side by side ${r + 1}/${o.rounds}: ${describeRound(round, sides)}`);
    }
    for (let r = 0; r < o.soloRounds; r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const round = await oneRound(ctx, [i], `a${r}-${i}`);
        out.solo[i].push(round);
        log(
          `  ${name} ${sides[i].label} alone ${r + 1}/${o.soloRounds}: ${describeRound(round, sides)}`,
        );
      }
    }
  } finally {
    await stopChildren(receivers);
  }
  return out;
}

/** One round: fresh senders for the sides in `active` (spawned and started in that order). */
async function oneRound(ctx, active, id) {
  const { sides, size, batch, o, receivers, ports, tag } = ctx;
  const pin = pinning();
  const senders = [];
  try {
    for (const i of active) {
      senders[i] = spawnNode(SENDER, [sides[i].sender, ports[i], size, batch], {
        cpu: pin.loadCpu,
        nodeArgs: profileArgs(`${tag(i)}-sender-${id}`),
      });
    }
    await Promise.all(active.map((i) => senders[i].line('READY', 10_000)));
    const startAt = Date.now() + 150;
    const measureStart = startAt + o.warmupMs;
    const measureEnd = measureStart + o.measureMs;
    for (const i of active)
      receivers[i].proc.stdin.write(`WINDOW ${id} ${measureStart} ${measureEnd}\n`);
    // The senders go on a little past the window so that nothing slows down inside it.
    for (const i of active) senders[i].proc.stdin.write(`START ${startAt} ${measureEnd + 100}\n`);
    // Every process's CPU time over the measuring window, read from /proc.
    const pids = active.flatMap((i) => [receivers[i].pid, senders[i].pid]);
    await sleep(Math.max(0, measureStart - Date.now()));
    const cpu0 = pids.map(cpuTimeMs);
    const ticks0 = cpuTicks();
    const t0 = performance.now();
    await sleep(Math.max(0, measureEnd - Date.now()));
    const cpu1 = pids.map(cpuTimeMs);
    const ticks1 = cpuTicks();
    const elapsed = performance.now() - t0;
    const cpuMs = (k) =>
      cpu1[k] !== undefined && cpu0[k] !== undefined ? cpu1[k] - cpu0[k] : Number.NaN;
    const received = await Promise.all(
      active.map((i) => receivers[i].json(`RESULT ${id} `, o.measureMs + 15_000)),
    );
    const sent = await Promise.all(active.map((i) => senders[i].json('RESULT ', 15_000)));
    const round = {
      sides: [undefined, undefined],
      active,
      // How busy the receivers' CPU and the senders' CPU were (idle near 0: saturated).
      serverCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.serverCpu) : undefined,
      loadCpu: pin.pinned ? cpuUse(ticks0, ticks1, pin.loadCpu) : undefined,
    };
    active.forEach((i, k) => {
      const rec = received[k];
      const units = rec.perSecond * (elapsed / 1000);
      const receiverCpuMs = cpuMs(2 * k);
      const senderCpuMs = cpuMs(2 * k + 1);
      round.sides[i] = {
        perSecond: rec.perSecond,
        count: rec.count,
        bad: rec.bad,
        connectionErrors: rec.connectionErrors,
        receiverCpuShare: receiverCpuMs / elapsed,
        senderCpuShare: senderCpuMs / elapsed,
        receiverCpuNsPerUnit: (receiverCpuMs * 1e6) / units,
        senderCpuNsPerUnit: (senderCpuMs * 1e6) / units,
        sender: sent[k],
      };
    });
    return round;
  } finally {
    // They exit on their own after RESULT; closing stdin lets a --cpu-prof profile be written.
    await stopChildren(senders, 3000);
  }
}

function describeRound(round, sides) {
  const parts = round.active.map((i) => {
    const s = round.sides[i];
    return (
      `${sides[i].label} ${Math.round(s.perSecond).toLocaleString('en-US')}/s ` +
      `(CPU receiver ${(s.receiverCpuShare * 100).toFixed(0)}% sender ${(s.senderCpuShare * 100).toFixed(0)}%, ` +
      `sender waits ${s.sender.waits}, max queued ${(s.sender.maxQueuedBytes / 1024).toFixed(0)} KiB, ` +
      `rss ${s.sender.rssMiB.toFixed(0)} MiB, bad ${s.bad}, errors ${s.connectionErrors})`
    );
  });
  const idle = (u) => (u ? `${(u.idle * 100).toFixed(0)}%` : 'n/a');
  const ratio = round.ratio === undefined ? '' : `; ratio ${round.ratio.toFixed(3)}`;
  return `${parts.join(', ')}${ratio}; CPU idle ${idle(round.serverCpu)} / ${idle(round.loadCpu)}`;
}

/** Medians over rounds of one side's figures. */
export function summarizeSide(rounds, i) {
  const pick = (f) => median(rounds.map((r) => f(r.sides[i])));
  return {
    perSecond: pick((s) => s.perSecond),
    receiverCpuNsPerUnit: pick((s) => s.receiverCpuNsPerUnit),
    senderCpuNsPerUnit: pick((s) => s.senderCpuNsPerUnit),
    receiverCpuShare: pick((s) => s.receiverCpuShare),
    senderCpuShare: pick((s) => s.senderCpuShare),
    bad: rounds.reduce((a, r) => a + r.sides[i].bad, 0),
    senderWaits: pick((s) => s.sender.waits),
    senderMaxQueuedBytes: max(rounds.map((r) => r.sides[i].sender.maxQueuedBytes)),
    senderMaxRssMiB: max(rounds.map((r) => r.sides[i].sender.rssMiB)),
  };
}

/** The side-by-side figures and ratio, and the alone figures, as result records for run.mjs. */
export function pairRecords({ name, sides, params, unit, run }) {
  const ratios = run.sideBySide.map((r) => r.ratio);
  const sbs = [0, 1].map((i) => summarizeSide(run.sideBySide, i));
  const alone = [0, 1].map((i) => (run.solo[i].length ? summarizeSide(run.solo[i], i) : undefined));
  const idle = (key) => median(run.sideBySide.map((r) => r[key]?.idle ?? Number.NaN));
  const common = { name, subject: sides[0].label, anchor: sides[1].label, unit, better: 'higher' };
  /** @type {any[]} */
  const records = [
    {
      ...common,
      statistic: 'side by side, median of rounds',
      params: { ...params, rounds: run.sideBySide.length },
      subjectValue: sbs[0].perSecond,
      anchorValue: sbs[1].perSecond,
      ratio: median(ratios),
      detail: {
        perRoundRatios: ratios,
        ratioMin: min(ratios),
        ratioMax: max(ratios),
        subject: sbs[0],
        anchor: sbs[1],
        receiverCpuIdle: idle('serverCpu'),
        senderCpuIdle: idle('loadCpu'),
        rounds: run.sideBySide,
      },
    },
  ];
  if (alone[0] && alone[1]) {
    records.push({
      ...common,
      statistic: 'each pair alone, median of rounds',
      params: { ...params, rounds: run.solo[0].length },
      subjectValue: alone[0].perSecond,
      anchorValue: alone[1].perSecond,
      ratio: alone[0].perSecond / alone[1].perSecond,
      detail: {
        subject: alone[0],
        anchor: alone[1],
        receiverCpuIdle: median(run.solo.flat().map((r) => r.serverCpu?.idle ?? Number.NaN)),
        senderCpuIdle: median(run.solo.flat().map((r) => r.loadCpu?.idle ?? Number.NaN)),
        rounds: run.solo,
      },
    });
  }
  return records;
}

/**
 * The markdown table of pairRecords() (plus any extra records of the same shape): one row per
 * record. `value` formats a rate, `cpu` a CPU cost per unit (given in ns per unit).
 */
export function pairTable(records, { unitLabel, value, cpuLabel, cpu }) {
  const header = [
    'run',
    `netkit (${unitLabel})`,
    `anchor (${unitLabel})`,
    'ratio netkit/anchor (higher is better)',
    'per-round ratios',
    `receiver CPU ${cpuLabel} netkit / anchor`,
    `sender CPU ${cpuLabel} netkit / anchor`,
    `CPU ${pinning().serverCpu ?? '-'} / ${pinning().loadCpu ?? '-'} idle`,
  ];
  const rows = records.map((r) => {
    const d = r.detail;
    const pair = (a, b) => (a === undefined ? '' : `${cpu(a)} / ${cpu(b)}`);
    return [
      `${r.statistic} (anchor: ${r.anchor})`,
      value(r.subjectValue),
      value(r.anchorValue),
      fmt(r.ratio, 3),
      d.perRoundRatios ? d.perRoundRatios.map((x) => fmt(x, 3)).join(', ') : '',
      pair(d.subject?.receiverCpuNsPerUnit, d.anchor?.receiverCpuNsPerUnit),
      pair(d.subject?.senderCpuNsPerUnit, d.anchor?.senderCpuNsPerUnit),
      d.receiverCpuIdle === undefined
        ? ''
        : `${fmtPct(d.receiverCpuIdle, 0)} / ${fmtPct(d.senderCpuIdle, 0)}`,
    ];
  });
  return markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'right',
    'left',
    'right',
    'right',
    'right',
  ]);
}
