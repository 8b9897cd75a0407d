import { type PingSummary, ping } from '@netkit/rawframe-native';
import type { Command } from '../command.js';
import { CommandError, ExitCode } from '../exit-codes.js';
import { intArg } from '../flags.js';
import type { Output } from '../io.js';
import { ipv4Arg, RAW_DETAILS, RAW_FLAGS, rawTarget } from './raw-common.js';

/** Like iputils: "%g" of the loss percentage. */
function percent(loss: number): string {
  return `${Number(loss.toPrecision(6))}%`;
}

function printSummary(out: Output, s: PingSummary): void {
  out.line('');
  out.line(`--- ${s.destination} ping statistics ---`);
  const dups = s.duplicates > 0 ? ` +${s.duplicates} duplicates,` : '';
  out.line(
    `${s.transmitted} packets transmitted, ${s.received} received,${dups} ${percent(s.loss)} packet loss, time ${Math.round(s.time)}ms`,
  );
  if (s.rtt) {
    const { min, avg, max, mdev } = s.rtt;
    out.line(
      `rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((v) => v.toFixed(3)).join('/')} ms`,
    );
  }
}

export const rawPing: Command = {
  path: ['raw', 'ping'],
  summary: 'Ping a neighbour with ICMP echo frames built by netkit (ARP first), like ping.',
  positionals: [
    { name: 'IP', required: true, description: 'the IPv4 address to ping (on the link)' },
  ],
  flags: {
    ...RAW_FLAGS,
    count: {
      type: 'string',
      short: 'c',
      value: 'N',
      description: 'stop after N requests (default: until Ctrl-C)',
    },
    interval: { type: 'string', value: 'MS', description: 'between requests (default 1000)' },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'wait for the last reply, and for ARP, this long (default 1000)',
    },
    size: {
      type: 'string',
      short: 's',
      value: 'BYTES',
      description: 'ICMP data bytes (default 56)',
    },
    ttl: { type: 'string', value: 'N', description: 'IP time to live (default 64)' },
  },
  details:
    "Frames go from the interface's MAC and IPv4 address straight to the neighbour's MAC (no\n" +
    'routing, no gateway). Exits 0 when a reply came, 3 when none did, 130 on Ctrl-C before the\n' +
    'first request (while waiting for ARP).\n' +
    RAW_DETAILS,
  examples: [
    'netkit raw ping -i eth0 198.18.1.2 -c 3',
    'netkit raw ping -i eth0 --netns lab 198.18.1.2 -c 100 --interval 10',
    'netkit raw ping -i eth0 198.18.1.2 -c 1 --json',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const ip = ipv4Arg('IP', positionals.IP);
    const target = rawTarget(flags);
    const count = intArg('--count', flags.count, 1, 1_000_000_000);
    const interval = intArg('--interval', flags.interval, 0, 3_600_000) ?? 1000;
    const timeout = intArg('--timeout', flags.timeout, 1, 3_600_000) ?? 1000;
    const size = intArg('--size', flags.size, 0, 65_507) ?? 56;
    const ttl = intArg('--ttl', flags.ttl, 1, 255) ?? 64;
    await using session = ping(ip, {
      ...target,
      count: count ?? Number.POSITIVE_INFINITY,
      interval,
      timeout,
      size,
      ttl,
      signal,
    });
    if (!out.flags.json) out.line(`PING ${ip} (${ip}) ${size}(${size + 28}) bytes of data.`);
    try {
      for await (const r of session) {
        if (out.flags.json) out.json({ ...r, rtt: round(r.rtt) });
        else
          out.line(
            `${r.bytes} bytes from ${r.from}: icmp_seq=${r.sequence} ttl=${r.ttl} time=${r.rtt.toFixed(3)} ms${r.duplicate ? ' (DUP!)' : ''}`,
          );
      }
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'ERR_NETKIT_TIMEOUT') {
        throw new CommandError(
          `${e.message} (is ${ip} up and on the link of ${target.interface}?)`,
          ExitCode.timeout,
        );
      }
      throw err;
    }
    const s = session.summary();
    if (out.flags.json) {
      out.json({
        ...s,
        time: round(s.time),
        rtt: s.rtt && {
          min: round(s.rtt.min),
          avg: round(s.rtt.avg),
          max: round(s.rtt.max),
          mdev: round(s.rtt.mdev),
        },
      });
    } else printSummary(out, s);
    // Ctrl-C before the first request (during ARP) is an interruption, not a lost ping.
    if (signal.aborted && s.transmitted === 0) return ExitCode.interrupted;
    return s.received > 0 ? ExitCode.ok : ExitCode.timeout;
  },
};

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
