// Child process: DNS message codec throughput, netkit's decode()/encode() against dns-packet's,
// the two alternating in short rounds in this one process.
//
//   node dns-codec-worker.mjs ROUNDS SLICE_MS WARMUP_MS MSG_ROUNDS MSG_SLICE_MS TIME_LIMIT_MS
//
// Operations, each over the messages of dns-messages.mjs (built once by dns-packet):
//   decode             both decode the same bytes (dns-packet's: names uncompressed)
//   encode             each encodes its own decoded object of those bytes
//   decode-compressed  both decode the same messages re-encoded with name compression (by netkit),
//                      the form real servers send
//   sanity             netkit's decode against itself: how far apart two equal sides come out
// A pass runs the operation once over every message. Per operation: WARMUP_MS of passes per
// side (which also measures how many passes fill SLICE_MS), then ROUNDS rounds of one slice
// per side, the side that goes first alternating by round. Then, per message and operation
// (decode, encode), MSG_ROUNDS rounds of MSG_SLICE_MS slices the same way. Bounded in count
// (rounds, passes) and time (TIME_LIMIT_MS: rounds stop early when it runs out). Checks once
// that both libraries decode every message to the same content, and that what each encodes
// decodes to it again. Prints "RESULT {json}" and exits.
import * as netkit from '@netkit/dns';
import dnsPacket from 'dns-packet';
import {
  buildMessages,
  canonicalDnsPacket,
  canonicalNetkit,
  firstDifference,
} from './dns-messages.mjs';
import { median } from './stats.mjs';

const [rounds, sliceMs, warmupMs, msgRounds, msgSliceMs, timeLimitMs] = process.argv
  .slice(2)
  .map(Number);
if (
  !(rounds > 0 && sliceMs > 0 && warmupMs > 0 && msgRounds >= 0 && msgSliceMs > 0) ||
  !(timeLimitMs > 0)
) {
  console.error(
    'usage: node dns-codec-worker.mjs ROUNDS SLICE_MS WARMUP_MS MSG_ROUNDS MSG_SLICE_MS TIME_LIMIT_MS',
  );
  process.exit(2);
}
setTimeout(() => {
  console.error('dns-codec-worker.mjs: hard time limit reached');
  process.exit(3);
}, timeLimitMs + 30_000).unref();

const MAX_PASSES = 50_000_000;
const SIDES = ['netkit', 'dns-packet'];

const messages = buildMessages();
const wire = messages.map((m) => m.wire);

// Sanity, once: the same content from both decoders, and each encoder's output decodes to it.
const sanity = messages.map(({ label, wire: bytes }) => {
  const nk = netkit.decode(bytes);
  const dp = dnsPacket.decode(bytes);
  const nkBytes = netkit.encode(nk);
  const dpBytes = dnsPacket.encode(dp);
  const want = canonicalNetkit(nk);
  const problems = [
    firstDifference(want, canonicalDnsPacket(dp)),
    firstDifference(want, canonicalDnsPacket(dnsPacket.decode(Buffer.from(nkBytes)))),
    firstDifference(want, canonicalNetkit(netkit.decode(dpBytes))),
  ];
  return {
    label,
    wireBytes: bytes.length,
    netkitEncodedBytes: nkBytes.length,
    dnsPacketEncodedBytes: dpBytes.length,
    problems: problems.filter(Boolean),
  };
});
// The check itself must be able to fail: two different messages must differ.
if (
  !firstDifference(canonicalNetkit(netkit.decode(wire[0])), canonicalNetkit(netkit.decode(wire[1])))
) {
  sanity[0].problems.push('sanity check cannot tell two different messages apart');
}
const compressed = messages.map(({ wire: bytes }) =>
  Buffer.from(netkit.encode(netkit.decode(bytes))),
);

let sink = 0;

/** One pass of `op` for `side` over `list` (wire bytes, or decoded objects for encode). */
function passFn(op, side, list) {
  const n = list.length;
  if (op === 'encode') {
    return side === 'netkit'
      ? () => {
          for (let i = 0; i < n; i++) sink += netkit.encode(list[i]).length;
        }
      : () => {
          for (let i = 0; i < n; i++) sink += dnsPacket.encode(list[i]).length;
        };
  }
  return side === 'netkit'
    ? () => {
        for (let i = 0; i < n; i++) sink += netkit.decode(list[i]).answers.length;
      }
    : () => {
        for (let i = 0; i < n; i++) sink += dnsPacket.decode(list[i]).answers.length;
      };
}

/**
 * Runs `fn` `passes` times; returns the milliseconds it took. No forced GC before a slice: a
 * forced full GC (--expose-gc) slows both codecs for thousands of calls after it (netkit's decode
 * by 5x, dns-packet's by 2x, measured here), which would measure the GC, not the codec. Each
 * side's own garbage is collected by scavenges in its own slices, mostly.
 */
function timed(fn, passes) {
  const t0 = performance.now();
  for (let i = 0; i < passes; i++) fn();
  return performance.now() - t0;
}

/** Runs `fn` for about `ms`; returns how many passes fit in `targetMs`. */
function calibrate(fn, ms, targetMs) {
  let passes = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms && passes < MAX_PASSES) {
    for (let i = 0; i < 16; i++) fn();
    passes += 16;
    t = performance.now();
  }
  return Math.max(1, Math.min(MAX_PASSES, Math.round((passes * targetMs) / (t - t0))));
}

const deadline = performance.now() + timeLimitMs;

/**
 * Alternating rounds of `fns` ({ netkit, 'dns-packet' }: one pass each), `perPass` messages per
 * pass. Returns per side the messages/s of every round, and the per-round ratios.
 */
function compare(fns, perPass, nRounds, slice, warm) {
  const passes = {};
  for (const side of SIDES) passes[side] = calibrate(fns[side], warm, slice);
  const rates = { netkit: [], 'dns-packet': [] };
  const ratios = [];
  for (let r = 0; r < nRounds && performance.now() < deadline; r++) {
    const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
    const rate = {};
    for (const side of order) {
      const ms = timed(fns[side], passes[side]);
      rate[side] = (passes[side] * perPass) / (ms / 1000);
    }
    rates.netkit.push(rate.netkit);
    rates['dns-packet'].push(rate['dns-packet']);
    ratios.push(rate.netkit / rate['dns-packet']);
  }
  return {
    netkit: median(rates.netkit),
    dnsPacket: median(rates['dns-packet']),
    ratio: median(ratios),
    ratios,
    rates,
    passes,
  };
}

const inputs = {
  decode: { netkit: wire, 'dns-packet': wire },
  encode: {
    netkit: wire.map((b) => netkit.decode(b)),
    'dns-packet': wire.map((b) => dnsPacket.decode(b)),
  },
  'decode-compressed': { netkit: compressed, 'dns-packet': compressed },
};

const started = performance.now();
const operations = {};
for (const op of ['decode', 'encode', 'decode-compressed', 'sanity']) {
  // sanity: netkit's decode on both sides, to show how far apart two equal sides come out.
  const fns =
    op === 'sanity'
      ? { netkit: passFn('decode', 'netkit', wire), 'dns-packet': passFn('decode', 'netkit', wire) }
      : Object.fromEntries(
          SIDES.map((s) => [s, passFn(op === 'encode' ? 'encode' : 'decode', s, inputs[op][s])]),
        );
  operations[op] = compare(fns, messages.length, rounds, sliceMs, warmupMs);
  console.error(
    `  dns-codec ${op}: ratio per round ${operations[op].ratios.map((x) => x.toFixed(2)).join(' ')}`,
  );
}

// Per message: which kinds of message make the difference.
const perMessage = messages.map(({ label }, i) => {
  const out = { label };
  for (const op of ['decode', 'encode']) {
    const fns = Object.fromEntries(SIDES.map((s) => [s, passFn(op, s, [inputs[op][s][i]])]));
    const res = compare(fns, 1, msgRounds, msgSliceMs, Math.min(warmupMs, 4 * msgSliceMs));
    out[op] = { netkit: res.netkit, dnsPacket: res.dnsPacket, ratio: res.ratio };
  }
  return out;
});

const result = {
  operations,
  perMessage,
  sanity,
  messages: messages.length,
  elapsedMs: performance.now() - started,
  sink,
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
