// Runs the side-by-side benchmarks and writes bench/results/latest.{json,md} (a filtered run:
// partial.{json,md}).
//
//   node run.mjs                 every benchmark
//   node run.mjs udp-echo        those whose name contains "udp-echo" (udp-echo, udp-echo-sanity)
//   node run.mjs tcp             the TCP ones (tcp-framed, tcp-bulk, tcp-clients)
//   node run.mjs dns             the DNS ones (dns-codec, dns-resolver)
//   node run.mjs udp-echo-calibrate   a method check that runs only when named exactly
//   node run.mjs --list          names only
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchmarks as dnsCodec } from './dns-codec.mjs';
import { benchmarks as dnsResolver } from './dns-resolver.mjs';
import { pinning } from './lib/children.mjs';
import { benchmarks as mcastReceive } from './mcast-receive.mjs';
import { benchmarks as rawframeChecksum } from './rawframe-checksum.mjs';
import { benchmarks as rawframeSend } from './rawframe-send.mjs';
import { benchmarks as tcpBulk } from './tcp-bulk.mjs';
import { benchmarks as tcpClients } from './tcp-clients.mjs';
import { benchmarks as tcpFramed } from './tcp-framed.mjs';
import { benchmarks as echo } from './udp-echo.mjs';
import { benchmarks as latency } from './udp-request-latency.mjs';

const all = [
  ...echo,
  ...latency,
  ...tcpFramed,
  ...tcpBulk,
  ...tcpClients,
  ...dnsCodec,
  ...dnsResolver,
  ...mcastReceive,
  ...rawframeChecksum,
  ...rawframeSend,
];
const args = process.argv.slice(2);

if (args.includes('--list') || args.includes('-l')) {
  for (const b of all) {
    console.log(`${b.name.padEnd(22)} ${b.explicitOnly ? '(only when named) ' : ''}${b.title}`);
  }
  process.exit(0);
}
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: node run.mjs [--list] [NAME...]   (a NAME selects every benchmark whose name contains it;\n' +
      'benchmarks marked "only when named" in --list run only when their full name is given)',
  );
  process.exit(0);
}

const selected = args.length
  ? all.filter((b) => args.some((a) => b.name === a || (!b.explicitOnly && b.name.includes(a))))
  : all.filter((b) => !b.explicitOnly);
if (selected.length === 0) {
  console.error(
    `no benchmark matches ${args.join(' ')}; known: ${all.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

const pin = pinning();
const started = new Date();
const env = {
  date: started.toISOString(),
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cpus: pin.cpus,
  pinning: { used: pin.pinned, serverCpu: pin.serverCpu, loadCpu: pin.loadCpu, note: pin.note },
};

const log = (line) => console.error(line);
console.error(`netkit benchmarks: ${selected.map((b) => b.name).join(', ')}`);
console.error(
  `node ${env.node}, ${env.cpus} CPUs (${env.cpu}); ${pin.pinned ? '' : 'UNPINNED: '}${pin.note}`,
);

const sections = [];
const records = [];
let failed = false;
for (const bench of selected) {
  const t0 = performance.now();
  console.error(`\n## ${bench.name}: running...`);
  try {
    const { results, table } = await bench.run({ log });
    const seconds = (performance.now() - t0) / 1000;
    const section = `### ${bench.name}\n\n${bench.title}\n\n${table}\n`;
    sections.push(section);
    console.log(`\n${section}`);
    console.error(`(${seconds.toFixed(1)} s)`);
    for (const r of results) {
      records.push({
        name: r.name,
        ...(r.statistic && { statistic: r.statistic }),
        params: r.params,
        netkit: r.subjectValue,
        anchor: r.anchorValue,
        ratio: r.ratio,
        unit: r.unit,
        better: r.better,
        labels: { netkit: r.subject, anchor: r.anchor },
        date: env.date,
        node: env.node,
        pinning: env.pinning,
        detail: r.detail,
      });
    }
  } catch (err) {
    failed = true;
    console.error(`${bench.name} failed: ${err?.stack ?? err}`);
    sections.push(`### ${bench.name}\n\nFAILED: ${String(err?.message ?? err)}\n`);
  }
}

const header = [
  '# netkit benchmarks',
  '',
  `${env.date}, node ${env.node}, ${env.platform}, ${env.cpus} CPUs (${env.cpu}).`,
  `CPU pinning: ${pin.pinned ? 'yes' : 'NO'}: ${pin.note}.`,
  'Ratios are netkit / anchor: for throughput higher is better, for latency lower is better.',
  '',
].join('\n');

// A full run replaces latest.*; a filtered run writes partial.* so it never overwrites the full
// table with a few rows.
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const base = args.length ? 'partial' : 'latest';
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  `${resultsDir}${base}.json`,
  `${JSON.stringify({ ...env, filter: args.length ? args : null, results: records }, null, 2)}\n`,
);
writeFileSync(`${resultsDir}${base}.md`, `${header}\n${sections.join('\n')}`);
console.error(
  `\nwrote bench/results/${base}.json and bench/results/${base}.md (${(performance.now() / 1000).toFixed(0)} s in all)`,
);
process.exit(failed ? 1 : 0);
