// Child process: a closed-loop load generator for a client-list server (netkit's or the seed's
// Python one): CONCURRENCY loops, each joining with joinClientList() from @netkit/tcp (a new
// connection per join, the seed's plain protocol) as soon as its previous join is done.
//
//   node join-loadgen.mjs PORT CONCURRENCY POOL WARMUP_MS MEASURE_MS
//
// Names come from a pool of POOL names ("bench-0" ... ), in turn, so the list never grows past
// POOL entries. Connects nothing before "START <epoch ms>" arrives on stdin; from then on joins for
// WARMUP_MS, then counts the joins that complete within the next MEASURE_MS (and their latency,
// from the call to joinClientList() until its list is parsed), lets the joins in flight finish,
// prints "RESULT {json}" and exits. Bounded in time (the window, a per-join timeout, a hard limit)
// and in count.
import { joinClientList } from '@netkit/tcp';
import { percentiles } from './stats.mjs';

const [port, concurrency, pool, warmupMs, measureMs] = process.argv.slice(2).map(Number);
if (!(port > 0 && concurrency >= 1 && pool >= 1 && warmupMs >= 0 && measureMs > 0)) {
  console.error('usage: node join-loadgen.mjs PORT CONCURRENCY POOL WARMUP_MS MEASURE_MS');
  process.exit(2);
}
const HOST = '127.0.0.1';
const JOIN_TIMEOUT_MS = 10_000;
const MAX_JOINS_PER_LOOP = 10_000_000;
const now = () => performance.timeOrigin + performance.now();
const names = Array.from({ length: pool }, (_, i) => `bench-${i}`);

setTimeout(
  () => {
    console.error('join-loadgen.mjs: hard time limit reached');
    process.exit(3);
  },
  60_000 + warmupMs + measureMs + JOIN_TIMEOUT_MS,
).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

let next = 0; // index of the next name
let joins = 0; // completed in the window
let allJoins = 0;
const latencies = []; // ms, of the joins completed in the window
const errors = new Map(); // message -> count, over the whole run
let errorsInWindow = 0;
let lastList;

async function loop(measureStart, measureEnd) {
  for (let i = 0; i < MAX_JOINS_PER_LOOP && now() < measureEnd; i++) {
    const name = names[next++ % pool];
    const t0 = now();
    try {
      lastList = await joinClientList({ host: HOST, port, name, timeout: JOIN_TIMEOUT_MS });
      allJoins++;
      const t1 = now();
      if (t1 >= measureStart && t1 < measureEnd) {
        joins++;
        latencies.push(t1 - t0);
      }
    } catch (err) {
      const t1 = now();
      if (t1 >= measureStart && t1 < measureEnd) errorsInWindow++;
      const key = String(err?.code ?? err?.message ?? err).slice(0, 120);
      errors.set(key, (errors.get(key) ?? 0) + 1);
      // No hot loop against a server that refuses: a short pause before the next try.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function run(startAt) {
  const measureStart = startAt + warmupMs;
  const measureEnd = measureStart + measureMs;
  const cpuStart = process.cpuUsage();
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, () => loop(measureStart, measureEnd)));
  const cpu = process.cpuUsage(cpuStart);
  const [p50, p90, p99, p999] = percentiles(latencies, [50, 90, 99, 99.9]);
  const result = {
    joins,
    perSecond: joins / (measureMs / 1000),
    p50,
    p90,
    p99,
    p999,
    allJoins,
    errorsInWindow,
    errors: Object.fromEntries(errors),
    listSize: lastList ? Object.keys(lastList).length : 0,
    cpuShare: (cpu.user + cpu.system) / 1000 / (now() - t0),
    startSkewMs: t0 - startAt,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

let input = '';
let started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const m = /^START (\d+(?:\.\d+)?)\n/.exec(input);
  if (m && !started) {
    started = true;
    const startAt = Number(m[1]);
    setTimeout(() => void run(startAt), Math.max(0, startAt - now()));
  }
});

console.log('READY');
