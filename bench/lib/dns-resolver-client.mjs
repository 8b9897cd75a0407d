// Child process: DNS queries per second against one server, three resolvers taking turns in
// rounds in this one process, each with CONCURRENCY queries in flight (closed loops):
//   netkit    query(name, 'A', { servers: ['127.0.0.1:PORT'], timeout, retries: 0 }) from @netkit/dns
//             (a fresh socket, so a fresh source port, per query: the default)
//   netkit-pool  the same through one Resolver with sourcePorts { pool: 4, maxQueriesPerSocket: 100 }
//   node:dns  one dns.promises.Resolver({ timeout, tries: 1 }) with setServers(['127.0.0.1:PORT']),
//             resolve4(name) (c-ares)
//
//   node dns-resolver-client.mjs PORT NAMES CONCURRENCY WARMUP_MS RAMP_MS WINDOW_MS ROUNDS TIME_LIMIT_MS [SERVER_PID]
//
// Names are h0.bench.netkit ... h(NAMES-1).bench.netkit, taken in turn; hI's address must be
// 10.0.(I>>8).(I&255) (a wrong or missing address is counted). First WARMUP_MS of queries per
// side, not counted; then ROUNDS rounds, one window per side, the side that goes first
// alternating by round. A window: CONCURRENCY loops start, RAMP_MS later the count starts, and
// queries that complete within the next WINDOW_MS are counted and timed (from the call until
// the answer is in hand); then no new query starts and those in flight finish before the other
// side runs. Bounded in count and time (per-query timeout, TIME_LIMIT_MS for all rounds, a hard
// limit). Also the CPU time of this process and of the server (SERVER_PID, from /proc) over each
// window. Prints "RESULT {json}" and exits.
import dns from 'node:dns';
import { query, Resolver } from '@netkit/dns';
import { cpuTicks, cpuTimeMs, cpuUse, pinning } from './children.mjs';
import { median, percentiles } from './stats.mjs';

const args = process.argv.slice(2).map(Number);
const [port, names, concurrency, warmupMs, rampMs, windowMs, rounds, timeLimitMs, serverPid] = args;
if (
  !(port > 0 && names > 0 && concurrency > 0 && warmupMs >= 0 && rampMs >= 0 && windowMs > 0) ||
  !(rounds > 0 && timeLimitMs > 0)
) {
  console.error(
    'usage: node dns-resolver-client.mjs PORT NAMES CONCURRENCY WARMUP_MS RAMP_MS WINDOW_MS ROUNDS TIME_LIMIT_MS [SERVER_PID]',
  );
  process.exit(2);
}
const HOST = '127.0.0.1';
const SERVER = `${HOST}:${port}`;
const TIMEOUT_MS = 2000;
const MAX_QUERIES_PER_LOOP = 10_000_000;
const pin = pinning();
const CPUS = { server: pin.serverCpu ?? '0', load: pin.loadCpu ?? '1' };

setTimeout(() => {
  console.error('dns-resolver-client.mjs: hard time limit reached');
  process.exit(3);
}, timeLimitMs + 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const qnames = Array.from({ length: names }, (_, i) => `h${i}.bench.netkit`);
const expected = Array.from({ length: names }, (_, i) => `10.0.${i >> 8}.${i & 255}`);

const netkitOptions = { servers: [SERVER], timeout: TIMEOUT_MS, retries: 0 };
/** The pooled netkit side: 4 sockets, each replaced after 100 queries. */
const POOL = { pool: 4, maxQueriesPerSocket: 100 };
const pooled = new Resolver({ ...netkitOptions, sourcePorts: POOL });
const resolver = new dns.promises.Resolver({ timeout: TIMEOUT_MS, tries: 1 });
resolver.setServers([SERVER]);

/** Each side: one query for name i; resolves true when the answer holds the expected address. */
const sides = {
  netkit: async (i) => {
    const { message } = await query(qnames[i], 'A', netkitOptions);
    const a = message.answers;
    return message.rcode === 0 && a.length === 1 && a[0].type === 1 && a[0].data === expected[i];
  },
  'netkit-pool': async (i) => {
    const { message } = await pooled.query(qnames[i], 'A');
    const a = message.answers;
    return message.rcode === 0 && a.length === 1 && a[0].type === 1 && a[0].data === expected[i];
  },
  'node:dns': async (i) => {
    const addresses = await resolver.resolve4(qnames[i]);
    return addresses.length === 1 && addresses[0] === expected[i];
  },
};

let cursor = 0; // the next name, shared by both sides so each round asks for other names

/**
 * One window of `side`: returns the completions counted, their latencies (µs), the errors and
 * wrong answers among them, and CPU times over the counted part. `count` false: warm-up.
 */
async function runWindow(side, ramp, window, count) {
  const fn = sides[side];
  let measuring = false;
  let stopping = false;
  let done = 0;
  let errors = 0;
  let wrong = 0;
  const latencies = [];
  const errorKinds = {};
  let t0 = 0;
  let t1 = 0;
  /** @type {NodeJS.CpuUsage | undefined} */
  let cpu0;
  /** @type {NodeJS.CpuUsage | undefined} */
  let cpu1;
  let server0 = 0;
  let server1 = 0;
  let ticks0;
  let ticks1;
  const loop = async () => {
    for (let n = 0; n < MAX_QUERIES_PER_LOOP && !stopping; n++) {
      const i = cursor;
      cursor = cursor + 1 === names ? 0 : cursor + 1;
      const start = performance.now();
      let ok = false;
      let failed = false;
      try {
        ok = await fn(i);
      } catch (err) {
        failed = true;
        const code = err?.code ?? err?.name ?? 'error';
        if (measuring) errorKinds[code] = (errorKinds[code] ?? 0) + 1;
      }
      if (measuring) {
        done++;
        if (failed) errors++;
        else {
          latencies.push((performance.now() - start) * 1000);
          if (!ok) wrong++;
        }
      }
    }
  };
  const loops = [];
  const startTimer = setTimeout(() => {
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    ticks0 = cpuTicks();
    if (serverPid) server0 = cpuTimeMs(serverPid) ?? 0;
    measuring = count;
  }, ramp);
  const stopTimer = setTimeout(() => {
    measuring = false;
    t1 = performance.now();
    cpu1 = process.cpuUsage(cpu0);
    ticks1 = cpuTicks();
    if (serverPid) server1 = cpuTimeMs(serverPid) ?? 0;
    stopping = true;
  }, ramp + window);
  for (let k = 0; k < concurrency; k++) loops.push(loop());
  await Promise.all(loops);
  clearTimeout(startTimer);
  clearTimeout(stopTimer);
  const seconds = (t1 - t0) / 1000;
  const clientCpuMs = cpu1 ? (cpu1.user + cpu1.system) / 1000 : Number.NaN;
  const serverCpuMs = serverPid ? server1 - server0 : Number.NaN;
  const ok = done - errors;
  return {
    side,
    qps: ok / seconds,
    done,
    errors,
    errorKinds,
    wrong,
    latencies,
    measuredMs: t1 - t0,
    clientCpuShare: clientCpuMs / (t1 - t0),
    clientCpuUsPerQuery: (clientCpuMs * 1000) / ok,
    serverCpuShare: serverCpuMs / (t1 - t0),
    serverCpuUsPerQuery: (serverCpuMs * 1000) / ok,
    serverCpuIdle: cpuUse(ticks0, ticks1, CPUS.server)?.idle,
    loadCpuIdle: cpuUse(ticks0, ticks1, CPUS.load)?.idle,
  };
}

console.log('READY');
const start = performance.now();
const deadline = start + timeLimitMs;
for (const side of Object.keys(sides)) await runWindow(side, 0, warmupMs, false);

const perRound = [];
const names3 = Object.keys(sides);
const all = Object.fromEntries(names3.map((s) => [s, []]));
for (let r = 0; r < rounds && performance.now() < deadline; r++) {
  // Rotate who goes first, so no side always follows the same other side.
  const order = names3.map((_, k) => names3[(k + r) % names3.length]);
  const round = {};
  for (const side of order) {
    const w = await runWindow(side, rampMs, windowMs, true);
    for (const x of w.latencies) all[side].push(x);
    const [p50, p99] = percentiles(w.latencies, [50, 99]);
    const { latencies: _, ...rest } = w;
    round[side] = { ...rest, p50, p99 };
  }
  round.ratio = round.netkit.qps / round['node:dns'].qps;
  round.ratioPool = round['netkit-pool'].qps / round['node:dns'].qps;
  perRound.push(round);
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const each = (fn) => names3.map((s) => fn(round[s])).join(' / ');
  console.error(
    `  dns-resolver round ${r + 1}/${rounds} (${names3.join(' / ')}): ${each((w) => f(w.qps))} q/s, ratios to node:dns ${f(round.ratio, 3)} / ${f(round.ratioPool, 3)}; ` +
      `p50 ${each((w) => f(w.p50))} µs; client CPU ${each((w) => f(w.clientCpuUsPerQuery, 1))} µs/q, ` +
      `server CPU ${each((w) => `${f(w.serverCpuShare * 100)}%`)}, idle CPU0 ${each((w) => `${f(w.serverCpuIdle * 100)}%`)}, CPU1 ${each((w) => `${f(w.loadCpuIdle * 100)}%`)}; ` +
      `errors ${each((w) => w.errors)}, wrong ${each((w) => w.wrong)}`,
  );
}

const summary = (side) => {
  const rs = perRound.map((r) => r[side]);
  const [p50, p99] = percentiles(all[side], [50, 99]);
  const sum = (k) => rs.reduce((a, r) => a + r[k], 0);
  const kinds = {};
  for (const r of rs)
    for (const [k, v] of Object.entries(r.errorKinds)) kinds[k] = (kinds[k] ?? 0) + v;
  return {
    qps: median(rs.map((r) => r.qps)),
    p50,
    p99,
    samples: all[side].length,
    errors: sum('errors'),
    errorKinds: kinds,
    wrong: sum('wrong'),
    clientCpuUsPerQuery: median(rs.map((r) => r.clientCpuUsPerQuery)),
    clientCpuShare: median(rs.map((r) => r.clientCpuShare)),
    serverCpuUsPerQuery: median(rs.map((r) => r.serverCpuUsPerQuery)),
    serverCpuShare: median(rs.map((r) => r.serverCpuShare)),
    serverCpuIdle: median(rs.map((r) => r.serverCpuIdle)),
    loadCpuIdle: median(rs.map((r) => r.loadCpuIdle)),
  };
};
const result = {
  netkit: summary('netkit'),
  netkitPool: summary('netkit-pool'),
  nodeDns: summary('node:dns'),
  pool: POOL,
  ratio: median(perRound.map((r) => r.ratio)),
  ratios: perRound.map((r) => r.ratio),
  ratioPool: median(perRound.map((r) => r.ratioPool)),
  ratiosPool: perRound.map((r) => r.ratioPool),
  rounds: perRound,
  roundsDone: perRound.length,
  elapsedMs: performance.now() - start,
};
await pooled.close();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
