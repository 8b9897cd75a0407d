// Child process: sequential request/reply latency against one echo server, two clients
// alternating in rounds in this one process:
//   netkit  request(target, payload, { socket, retries: 0, timeout }) with one reused UdpSocket
//   bare    a node:dgram socket: send(), then wait for the 'message' event (with the same timeout)
//
//   node latency-client.mjs PORT SIZE WARMUP_PER_SIDE PER_ROUND ROUNDS TIME_LIMIT_MS
//
// Each request is timed from just before the call to just after its reply was handed back
// (performance.now()). Rounds alternate which client goes first. Bounded in count (ROUNDS x
// PER_ROUND per side) and in time (TIME_LIMIT_MS for the measured part; a round stops early when
// it runs out). Prints "RESULT {json}" with the latencies in µs and exits.
import dgram from 'node:dgram';
import { createSocket, request } from '@netkit/udp';
import { median, percentiles } from './stats.mjs';

const [port, size, warmup, perRound, rounds, timeLimitMs] = process.argv.slice(2).map(Number);
if (!(port > 0 && size > 0 && warmup >= 0 && perRound > 0 && rounds > 0 && timeLimitMs > 0)) {
  console.error(
    'usage: node latency-client.mjs PORT SIZE WARMUP_PER_SIDE PER_ROUND ROUNDS TIME_LIMIT_MS',
  );
  process.exit(2);
}
const HOST = '127.0.0.1';
const TIMEOUT_MS = 1000;
const payload = Buffer.alloc(size, 0x61);

setTimeout(() => {
  console.error('latency-client.mjs: hard time limit reached');
  process.exit(3);
}, timeLimitMs + 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

// netkit: one socket, reused by every request.
const nkSocket = createSocket({ type: 'udp4' });
await nkSocket.bind({ port: 0, host: HOST });
const target = { host: HOST, port };
const netkitRequest = () =>
  request(target, payload, { socket: nkSocket, retries: 0, timeout: TIMEOUT_MS });

// bare: send, then resolve on the next datagram from the server; a timer bounds the wait.
const bare = dgram.createSocket('udp4');
await new Promise((resolve) => bare.bind(0, HOST, () => resolve(undefined)));
let pending = null;
bare.on('message', (msg, rinfo) => {
  if (!pending || rinfo.port !== port || rinfo.address !== HOST) return;
  const p = pending;
  pending = null;
  clearTimeout(p.timer);
  p.resolve(msg);
});
const bareRequest = () =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending = null;
      reject(new Error(`no reply within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    pending = { resolve, timer };
    bare.send(payload, port, HOST);
  });

const sides = { netkit: netkitRequest, bare: bareRequest };
const samples = { netkit: [], bare: [] };
const roundP50 = { netkit: [], bare: [] };
const timeouts = { netkit: 0, bare: 0 };

async function runSide(name, count, deadline, keep) {
  const fn = sides[name];
  const from = samples[name].length;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t0 = performance.now();
    try {
      await fn();
    } catch {
      timeouts[name]++;
      continue;
    }
    const us = (performance.now() - t0) * 1000;
    if (keep) samples[name].push(us);
  }
  if (keep && samples[name].length > from)
    roundP50[name].push(percentiles(samples[name].slice(from), [50])[0]);
}

console.log('READY');
const warmDeadline = performance.now() + timeLimitMs;
await runSide('netkit', warmup, warmDeadline, false);
await runSide('bare', warmup, warmDeadline, false);

const start = performance.now();
const deadline = start + timeLimitMs;
let roundsDone = 0;
for (let r = 0; r < rounds && performance.now() < deadline; r++) {
  const order = r % 2 === 0 ? ['netkit', 'bare'] : ['bare', 'netkit'];
  for (const name of order) await runSide(name, perRound, deadline, true);
  roundsDone++;
}
const elapsedMs = performance.now() - start;

const summary = (name) => {
  const [p50, p90, p99, p999] = percentiles(samples[name], [50, 90, 99, 99.9]);
  return {
    count: samples[name].length,
    p50,
    p90,
    p99,
    p999,
    medianOfRoundP50: median(roundP50[name]),
    roundP50: roundP50[name],
  };
};
const result = {
  netkit: summary('netkit'),
  bare: summary('bare'),
  timeouts,
  roundsDone,
  elapsedMs,
};
await nkSocket.close();
bare.close();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
