// Framed messages per second: 100-byte messages with a 4-byte length prefix, one
// connection.send(codec.encode(msg)) per message from a netkit client to a netkit server reading
// connection.frames(lengthPrefixed()), against node:net writing pre-batched frames (1000 per
// write) to a node:net receiver that parses them by hand. Receivers on CPU 0, senders on CPU 1,
// both pairs at once (the ratio), then each pair alone (the absolute rate). See README.md.

import { fmt, fmtInt } from './lib/table.mjs';
import { pairRecords, pairTable, runPairs } from './lib/tcp-pairs.mjs';

export const defaults = {
  size: 100, // payload bytes per message
  batch: 1000, // raw: frames per write; netkit: sends per event-loop turn
  rounds: 5, // side by side
  soloRounds: 2, // each pair alone
  warmupMs: 1000,
  measureMs: 3000,
};

/** The targets of the issue that added this benchmark. */
const TARGET_RATE = 1_000_000;
const TARGET_RATIO = 0.5;

export async function measureFramed({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const sides = [
    { label: 'netkit', receiver: 'netkit-frames', sender: 'netkit-frames' },
    { label: 'node:net pre-batched', receiver: 'raw-frames', sender: 'raw-frames' },
  ];
  const run = await runPairs({ name: 'tcp-framed', sides, ...o, log });
  return pairRecords({
    name: 'tcp-framed',
    sides,
    params: {
      payloadBytes: o.size,
      prefixBytes: 4,
      batch: o.batch,
      warmupMs: o.warmupMs,
      measureMs: o.measureMs,
    },
    unit: 'messages/s',
    run,
  });
}

export function framedTable(results) {
  const table = pairTable(results, {
    unitLabel: 'msg/s',
    value: fmtInt,
    cpuLabel: 'ns/msg',
    cpu: (ns) => fmt(ns, 0),
  });
  const [sbs, alone] = results;
  const notes = [];
  const rate = alone?.subjectValue ?? sbs.subjectValue;
  notes.push(
    `Targets: netkit ≥ ${fmtInt(TARGET_RATE)} msg/s (${alone ? 'alone' : 'side by side'}: ${fmtInt(rate)}, ` +
      `${rate >= TARGET_RATE ? 'met' : 'NOT met'}); ratio ≥ ${TARGET_RATIO} side by side ` +
      `(${fmt(sbs.ratio, 3)}, ${sbs.ratio >= TARGET_RATIO ? 'met' : 'NOT met'}).`,
  );
  // On a busy machine a pair alone may still get only part of each CPU: its CPU time per message
  // says what it would do with a whole CPU for the receiver and one for the sender.
  const cost = (alone ?? sbs).detail.subject;
  const capacity = 1e9 / Math.max(cost.receiverCpuNsPerUnit, cost.senderCpuNsPerUnit);
  notes.push(
    `At its measured CPU cost (receiver ${fmt(cost.receiverCpuNsPerUnit, 0)} ns/msg, sender ${fmt(cost.senderCpuNsPerUnit, 0)} ns/msg), ` +
      `the netkit pair with a whole CPU for each side would reach about ${fmtInt(capacity)} msg/s ` +
      `(it got ${fmt(cost.receiverCpuShare * 100, 0)}% / ${fmt(cost.senderCpuShare * 100, 0)}% of them ${alone ? 'alone' : 'side by side'}).`,
  );
  const d = sbs.detail;
  notes.push(
    `Payload ${sbs.params.payloadBytes} B + 4 B prefix. Backpressure: the netkit sender had at most ` +
      `${fmtInt(Math.max(d.subject.senderMaxQueuedBytes, alone?.detail.subject.senderMaxQueuedBytes ?? 0) / 1024)} KiB ` +
      `queued (highWaterMark 1 MiB), RSS at most ${fmtInt(Math.max(d.subject.senderMaxRssMiB, alone?.detail.subject.senderMaxRssMiB ?? 0))} MiB; ` +
      `frames of the wrong size received: ${d.subject.bad + d.anchor.bad}.`,
  );
  return `${table}\n\n${notes.join('\n')}`;
}

export const benchmarks = [
  {
    name: 'tcp-framed',
    title:
      'TCP framed messages/s: one send(codec.encode(msg)) per 100 B message -> frames(lengthPrefixed()) vs node:net pre-batched writes -> a hand-written parser',
    async run({ log }) {
      const results = await measureFramed({ log });
      return { results, table: framedTable(results) };
    },
  },
];
