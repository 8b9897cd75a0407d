// Bulk TCP throughput: a netkit client sending 64 KiB chunks with `await connection.send()` to a
// netkit server draining with `for await (const chunk of connection)`, against node:net
// (socket.write with 'drain' handling -> socket.on('data')). Receivers on CPU 0, senders on CPU 1,
// both pairs at once (the ratio), then each pair alone; and iperf3 on loopback, pinned the same
// way, as the limit of the machine. See README.md.
import net from 'node:net';
import { haveCommand, killChildren, pinning, spawnPinned } from './lib/children.mjs';
import { fmt } from './lib/table.mjs';
import { pairRecords, pairTable, runPairs } from './lib/tcp-pairs.mjs';

export const defaults = {
  size: 64 * 1024, // bytes per send / write
  rounds: 5, // side by side
  soloRounds: 2, // each pair alone
  warmupMs: 1000,
  measureMs: 3000,
  iperfSeconds: 3,
};

const TARGET_RATIO = 0.9;
const MB = 1e6;

export async function measureBulk({ log = (_line) => {}, ...options } = {}) {
  const o = { ...defaults, ...options };
  const sides = [
    { label: 'netkit', receiver: 'netkit-bulk', sender: 'netkit-bulk' },
    { label: 'node:net', receiver: 'raw-bulk', sender: 'raw-bulk' },
  ];
  const run = await runPairs({ name: 'tcp-bulk', sides, ...o, batch: 1, log });
  const records = pairRecords({
    name: 'tcp-bulk',
    sides,
    params: { chunkBytes: o.size, warmupMs: o.warmupMs, measureMs: o.measureMs },
    unit: 'bytes/s',
    run,
  });
  const iperf = await runIperf3(o.iperfSeconds, log);
  const alone = records[1];
  if (iperf.bytesPerSecond !== undefined && alone) {
    records.push({
      name: 'tcp-bulk',
      statistic: 'netkit alone vs iperf3, the limit',
      params: { chunkBytes: o.size, iperfSeconds: o.iperfSeconds },
      subject: 'netkit',
      anchor: 'iperf3',
      subjectValue: alone.subjectValue,
      anchorValue: iperf.bytesPerSecond,
      ratio: alone.subjectValue / iperf.bytesPerSecond,
      unit: 'bytes/s',
      better: 'higher',
      detail: { iperf3: iperf },
    });
  }
  return { records, iperf };
}

/** A free TCP port on 127.0.0.1 (bound, then released: another process could take it meanwhile). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * iperf3 -s -1 on CPU 0 and iperf3 -c -J on CPU 1, for `seconds`. Resolves with
 * { bytesPerSecond, ... } from the receiver's side, or { note } when iperf3 is missing or failed.
 */
export async function runIperf3(seconds, log = (_line) => {}) {
  if (!haveCommand('iperf3')) {
    const note = 'iperf3 not installed (apt-get install iperf3)';
    log(`  ${note}`);
    return { note };
  }
  const pin = pinning();
  const children = [];
  try {
    const port = await freePort();
    // --forceflush: its stdout is a pipe, and the "listening" line must arrive before the test.
    const server = spawnPinned(
      'iperf3',
      ['-s', '-1', '-B', '127.0.0.1', '-p', port, '--forceflush'],
      {
        cpu: pin.serverCpu,
        name: 'iperf3 -s',
      },
    );
    children.push(server);
    await server.line('Server listening on', 10_000);
    const client = spawnPinned('iperf3', ['-c', '127.0.0.1', '-p', port, '-t', seconds, '-J'], {
      cpu: pin.loadCpu,
      name: 'iperf3 -c',
    });
    children.push(client);
    const out = await client.output((seconds + 20) * 1000);
    const json = JSON.parse(out);
    if (json.error) throw new Error(json.error);
    const received = json.end.sum_received.bits_per_second / 8;
    const sent = json.end.sum_sent.bits_per_second / 8;
    const version = String(json.start?.version ?? 'iperf3').replace(/^iperf /, 'iperf3 ');
    log(
      `  iperf3: ${fmt(received / MB, 0)} MB/s received, ${fmt(sent / MB, 0)} MB/s sent ` +
        `(${version}, ${seconds} s, CPU ${fmt(json.end.cpu_utilization_percent?.host_total, 0)}% client / ` +
        `${fmt(json.end.cpu_utilization_percent?.remote_total, 0)}% server)`,
    );
    return {
      bytesPerSecond: received,
      sentBytesPerSecond: sent,
      seconds,
      version,
      cpuUtilizationPercent: json.end.cpu_utilization_percent,
    };
  } catch (err) {
    const note = `iperf3 failed: ${err?.message ?? err}`;
    log(`  ${note}`);
    return { note };
  } finally {
    await killChildren(children);
  }
}

export function bulkTable({ records, iperf }) {
  const table = pairTable(records, {
    unitLabel: 'MB/s',
    value: (v) => fmt(v / MB, 0),
    cpuLabel: 'µs/MiB',
    cpu: (nsPerByte) => fmt((nsPerByte * 2 ** 20) / 1000, 0),
  });
  const sbs = records[0];
  const notes = [
    `MB = 10^6 bytes; ${sbs.params.chunkBytes / 1024} KiB per send / write. Target: ratio ≥ ${TARGET_RATIO} side by side ` +
      `(${fmt(sbs.ratio, 3)}, ${sbs.ratio >= TARGET_RATIO ? 'met' : 'NOT met'}).`,
    iperf.note ??
      `The limit: ${iperf.version} -t ${iperf.seconds} on 127.0.0.1, server on CPU ${pinning().serverCpu ?? '-'} and client on CPU ${pinning().loadCpu ?? '-'} like the pairs, alone: ${fmt(iperf.bytesPerSecond / MB, 0)} MB/s.`,
  ];
  return `${table}\n\n${notes.join('\n')}`;
}

export const benchmarks = [
  {
    name: 'tcp-bulk',
    title:
      'TCP bulk throughput: await send(64 KiB) -> for await (chunk of connection) vs node:net write/drain -> on(data); iperf3 as the limit',
    async run({ log }) {
      const out = await measureBulk({ log });
      return { results: out.records, table: bulkTable(out) };
    },
  },
];
