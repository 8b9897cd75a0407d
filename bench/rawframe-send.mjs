// 60-byte Ethernet frames sent per second on a veth pair between two network namespaces of its
// own: @netkit/rawframe-native send() per frame and sendBatch() (sendmmsg), against the seeds'
// way (a Python 3 loop over an AF_PACKET socket) and trafgen (netsniff-ng: TX_RING + qdisc
// bypass, one process) as the limit. Each side sends COUNT frames or for at most SECONDS, in
// alternating rounds; medians of the rates and of the per-round ratios. sendBatch uses
// qdiscBypass, as trafgen does by default. Needs root (CAP_NET_RAW, `ip netns add`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPacketSocket } from '@netkit/rawframe-native';
import { median } from './lib/stats.mjs';
import { fmt, fmtInt, markdownTable } from './lib/table.mjs';

export const defaults = { rounds: 5, count: 300_000, seconds: 2, batch: 1024, qdiscBypass: true };
/** The target: sendBatch at least 0.8x trafgen. */
const TARGET = 0.8;
const DST = '02:00:00:00:00:02';
const SRC = '02:00:00:00:00:01';

function makeFrame() {
  const f = Buffer.alloc(60, 0x41);
  Buffer.from(DST.replaceAll(':', ''), 'hex').copy(f, 0);
  Buffer.from(SRC.replaceAll(':', ''), 'hex').copy(f, 6);
  f.writeUInt16BE(0x88b5, 12);
  return f;
}

function ip(args) {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function createPair() {
  const a = `nkb-${process.pid}-a`;
  const b = `nkb-${process.pid}-b`;
  ip(['netns', 'add', a]);
  ip(['netns', 'add', b]);
  ip(['-n', a, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b]);
  ip(['-n', a, 'link', 'set', 'eth0', 'up']);
  ip(['-n', b, 'link', 'set', 'eth0', 'up']);
  return {
    a,
    b,
    destroy() {
      for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    },
  };
}

function netkitSend(ns, o) {
  const frame = makeFrame();
  const s = openPacketSocket({ interface: 'eth0', netns: ns });
  let sent = 0;
  let refused = 0;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  try {
    while (sent < o.count) {
      for (let i = 0; i < 256; i++) {
        try {
          s.send(frame);
          sent++;
        } catch (e) {
          if (e.code !== 'EAGAIN' && e.code !== 'ENOBUFS') throw e;
          refused++;
        }
      }
      if (performance.now() > end) break;
    }
    return { rate: sent / ((performance.now() - t0) / 1000), sent, refused };
  } finally {
    s.close();
  }
}

function netkitBatch(ns, o) {
  const frames = Array.from({ length: o.batch }, makeFrame);
  // qdiscBypass: the same kernel path trafgen takes (PACKET_QDISC_BYPASS).
  const s = openPacketSocket({ interface: 'eth0', netns: ns, qdiscBypass: o.qdiscBypass });
  let sent = 0;
  let short = 0;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  try {
    while (sent < o.count && performance.now() < end) {
      const n = s.sendBatch(frames);
      if (n < frames.length) short++;
      sent += n;
    }
    return { rate: sent / ((performance.now() - t0) / 1000), sent, refused: short };
  } finally {
    s.close();
  }
}

const PYTHON = `
import socket, sys, time
count, seconds = int(sys.argv[1]), float(sys.argv[2])
frame = bytes.fromhex(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
sent = 0
t0 = time.perf_counter()
end = t0 + seconds
while sent < count:
    for _ in range(256):
        s.send(frame)
    sent += 256
    if time.perf_counter() > end:
        break
print(sent, time.perf_counter() - t0)
`;

function python(ns, o) {
  const out = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'python3',
      '-c',
      PYTHON,
      String(o.count),
      String(o.seconds),
      makeFrame().toString('hex'),
    ],
    { encoding: 'utf8', timeout: (o.seconds + 20) * 1000 },
  );
  const [sent, secs] = out.trim().split(/\s+/).map(Number);
  return { rate: sent / secs, sent, refused: 0 };
}

function trafgen(ns, o, dir) {
  const bytes = [...makeFrame()].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ');
  const cfg = join(dir, 'frame.cfg');
  writeFileSync(cfg, `{ ${bytes} }\n`);
  // One process (-P 1), like the others; trafgen's default path is a TX_RING with qdisc bypass.
  // It sends exactly -n frames, so the count is sized to about `seconds` from a first estimate.
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, 'trafgen', '-i', cfg, '-o', 'eth0', '-n', String(o.count), '-P', '1'],
    { encoding: 'utf8', timeout: (o.seconds + 30) * 1000 },
  );
  const text = `${r.stdout}\n${r.stderr}`;
  const m = /(\d+) sec, (\d+) usec on CPU\d+ \((\d+) packets\)/.exec(text);
  if (!m) throw new Error(`cannot read trafgen's output:\n${text}`);
  const secs = Number(m[1]) + Number(m[2]) / 1e6;
  return { rate: Number(m[3]) / secs, sent: Number(m[3]), refused: 0 };
}

export async function measure({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const pair = createPair();
  const dir = mkdtempSync(join(tmpdir(), 'nkb-trafgen-'));
  const sides = {
    'netkit send()': (ns) => netkitSend(ns, o),
    'netkit sendBatch()': (ns) => netkitBatch(ns, o),
    'python3 AF_PACKET loop': (ns) => python(ns, o),
    trafgen: (ns) => trafgen(ns, o, dir),
  };
  const rates = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const details = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  try {
    for (let round = 0; round < o.rounds; round++) {
      const order = Object.keys(sides);
      if (round % 2) order.reverse();
      for (const name of order) {
        const r = sides[name](pair.a);
        rates[name].push(r.rate);
        details[name].push(r);
        log(
          `  rawframe-send round ${round + 1}: ${name} ${fmtInt(r.rate)} frames/s (${r.sent} sent)`,
        );
      }
    }
  } finally {
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
  const row = (subject, anchor, statistic, target) => ({
    name: 'rawframe-send',
    statistic,
    params: {
      frameBytes: 60,
      count: o.count,
      seconds: o.seconds,
      batch: o.batch,
      rounds: o.rounds,
    },
    subject,
    anchor,
    subjectValue: m[subject],
    anchorValue: m[anchor],
    // Median of the per-round ratios: both sides of a round ran back to back, so drift of the
    // shared machine between rounds cancels out.
    ratio: median(rates[subject].map((v, i) => v / rates[anchor][i])),
    unit: 'frames/s',
    better: 'higher',
    detail: { target, subjectRounds: details[subject], anchorRounds: details[anchor] },
  });
  return [
    row('netkit sendBatch()', 'trafgen', 'sendBatch vs trafgen', TARGET),
    row('netkit send()', 'trafgen', 'send vs trafgen'),
    row('netkit sendBatch()', 'python3 AF_PACKET loop', 'sendBatch vs python'),
    row('netkit send()', 'python3 AF_PACKET loop', 'send vs python'),
  ];
}

export function table(results) {
  const header = [
    'netkit',
    'anchor',
    'netkit frames/s',
    'anchor frames/s',
    'ratio (higher is better)',
    'target',
  ];
  const rows = results.map((r) => [
    r.subject,
    r.anchor,
    fmtInt(r.subjectValue),
    fmtInt(r.anchorValue),
    fmt(r.ratio, 2),
    r.detail.target === undefined
      ? ''
      : `>= ${r.detail.target} ${r.ratio >= r.detail.target ? 'met' : 'NOT met'}`,
  ]);
  return markdownTable(header, rows, ['left', 'left', 'right', 'right', 'right', 'left']);
}

export const benchmarks = [
  {
    name: 'rawframe-send',
    title:
      '60-byte frames/s on a veth pair: @netkit/rawframe-native send()/sendBatch() vs a Python AF_PACKET loop and trafgen (one process each)',
    async run({ log }) {
      const results = await measure({ log });
      return { results, table: table(results) };
    },
  },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await measure({ log: console.error });
  console.log(table(results));
}
