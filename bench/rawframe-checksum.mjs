// Internet checksum and CRC-32 throughput of @netkit/rawframe-native against the plain JS loop
// (and zlib.crc32), at 20 B (an IPv4 header), 64 B, 1500 B (an MTU) and 64 KiB. Both sides run
// in this process, alternating in short slices over many rounds; medians of the per-round rates.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, internetChecksum } from '@netkit/rawframe-native';
import { median, percentiles } from './lib/stats.mjs';
import { fmt, fmtInt, markdownTable } from './lib/table.mjs';

export const defaults = { rounds: 25, sliceMs: 20, warmupMs: 200, timeLimitMs: 40_000 };
const SIZES = [20, 64, 1500, 65_536];
/** The targets: never slower than the JS loop; at least 10x at 64 KiB. */
const TARGET_MIN = 1;
const TARGET_64K = 10;

/** The plain loop a user would write: big-endian 16-bit words, end-around carry, complement. */
function jsLoopChecksum(bytes) {
  let sum = 0;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * A fresh copy of the timing loop: calls per second of fn(buf) for about `ms`, in batches sized to
 * the buffer. Each side gets its own copy (compiled from source, so V8 keeps separate type
 * feedback): one shared loop would make its call site polymorphic and stop V8 from inlining
 * either function, which at 20 B costs more than the checksum itself.
 */
function makeRate() {
  return new Function(
    'fn',
    'buf',
    'ms',
    `const batch = Math.max(1, Math.floor(200000 / (buf.length + 20)));
    let calls = 0;
    let sink = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < batch; i++) sink ^= fn(buf);
      calls += batch;
      t = performance.now();
    }
    if (sink === 0.5) console.error('unreachable');
    return calls / ((t - t0) / 1000);`,
  );
}

function compare(subject, anchor, buf, o) {
  const rateSubject = makeRate();
  const rateAnchor = makeRate();
  rateSubject(subject, buf, o.warmupMs);
  rateAnchor(anchor, buf, o.warmupMs);
  const s = [];
  const a = [];
  const ratios = [];
  for (let r = 0; r < o.rounds; r++) {
    // Alternate which side goes first so drift hits both alike.
    const first = r % 2 === 0;
    const x = first ? rateSubject(subject, buf, o.sliceMs) : 0;
    const y = rateAnchor(anchor, buf, o.sliceMs);
    const z = first ? x : rateSubject(subject, buf, o.sliceMs);
    s.push(z);
    a.push(y);
    ratios.push(z / y);
  }
  return { subject: median(s), anchor: median(a), ratio: median(ratios), ratios };
}

export async function measure({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const deadline = performance.now() + o.timeLimitMs;
  const results = [];
  const pairs = [
    {
      kind: 'internetChecksum',
      subject: internetChecksum,
      anchor: jsLoopChecksum,
      anchorName: 'plain JS loop',
    },
    { kind: 'crc32', subject: crc32, anchor: zlibCrc32, anchorName: 'zlib.crc32' },
  ];
  for (const { kind, subject, anchor, anchorName } of pairs) {
    for (const size of SIZES) {
      if (performance.now() > deadline) break;
      const buf = Buffer.alloc(size);
      for (let i = 0; i < size; i++) buf[i] = (i * 131 + 7) & 0xff;
      if (subject(buf) !== anchor(buf)) throw new Error(`${kind} disagrees at ${size} B`);
      const m = compare(subject, anchor, buf, o);
      const [p10, p90] = percentiles(m.ratios, [10, 90]);
      log(`  rawframe-checksum ${kind} ${size} B: ratio ${fmt(m.ratio, 2)}`);
      results.push({
        name: 'rawframe-checksum',
        statistic: `${kind} ${size} B`,
        params: { kind, size, rounds: o.rounds, sliceMs: o.sliceMs },
        subject: `netkit ${kind}()`,
        anchor: anchorName,
        subjectValue: m.subject,
        anchorValue: m.anchor,
        ratio: m.ratio,
        unit: 'calls/s',
        better: 'higher',
        detail: {
          size,
          subjectMBps: (m.subject * size) / 1e6,
          anchorMBps: (m.anchor * size) / 1e6,
          ratioP10: p10,
          ratioP90: p90,
          target:
            kind === 'internetChecksum' ? (size === 65_536 ? TARGET_64K : TARGET_MIN) : undefined,
        },
      });
    }
  }
  return results;
}

export function table(results) {
  const header = [
    'function, size',
    'netkit calls/s',
    'netkit MB/s',
    'anchor',
    'anchor calls/s',
    'anchor MB/s',
    'ratio (higher is better)',
    'p10-p90',
    'target',
  ];
  const rows = results.map((r) => [
    r.statistic,
    fmtInt(r.subjectValue),
    fmtInt(r.detail.subjectMBps),
    r.anchor,
    fmtInt(r.anchorValue),
    fmtInt(r.detail.anchorMBps),
    fmt(r.ratio, 2),
    `${fmt(r.detail.ratioP10, 2)}-${fmt(r.detail.ratioP90, 2)}`,
    r.detail.target === undefined
      ? ''
      : `>= ${r.detail.target}x ${r.ratio >= r.detail.target ? 'met' : 'NOT met'}`,
  ]);
  return markdownTable(header, rows, [
    'left',
    'right',
    'right',
    'left',
    'right',
    'right',
    'right',
    'right',
    'left',
  ]);
}

export const benchmarks = [
  {
    name: 'rawframe-checksum',
    title:
      'Internet checksum and CRC-32, calls/s: @netkit/rawframe-native vs a plain JS loop (and zlib.crc32), alternating in one process',
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
