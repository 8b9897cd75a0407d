import { open } from 'node:fs/promises';
import { type CaptureFilter, capture } from '@netkit/rawframe-native';
import type { Command } from '../command.js';
import { CommandError, ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, str } from '../flags.js';
import { ethertypeArg, RAW_DETAILS, RAW_FLAGS, rawTarget } from './raw-common.js';

function filterArg(text: string | undefined): CaptureFilter | undefined {
  if (text === undefined) return undefined;
  if (text === 'icmp' || text === 'arp' || text === 'udp') return text;
  if (text.startsWith('ethertype='))
    return { ethertype: ethertypeArg('--filter ethertype', text.slice(10)) };
  throw new UsageError(`unknown --filter '${text}'`, 'one of: icmp, arp, udp, ethertype=0xNNNN');
}

const WRITE_HINTS: Record<string, string> = {
  ENOENT: 'pick an existing directory for -w',
  ENOTDIR: 'pick an existing directory for -w',
  EISDIR: '-w takes a file name, not a directory',
  EACCES: 'pick a file you may write, e.g. under /tmp',
  EPERM: 'pick a file you may write, e.g. under /tmp',
  EROFS: 'pick a file on a writable file system',
  ENOSPC: 'free some space or pick another disk',
};

/** The pcap file could not be opened or written: one line naming the file, with a hint. */
function writeFailure(file: string, err: unknown): CommandError | undefined {
  const { code, syscall, path } = (err ?? {}) as {
    code?: unknown;
    syscall?: unknown;
    path?: unknown;
  };
  // Only the file's own errors: a socket error (ENETDOWN from recvmsg) is not about -w.
  if (typeof code !== 'string' || (path !== file && syscall !== 'open' && syscall !== 'write'))
    return undefined;
  const hint = WRITE_HINTS[code];
  return new CommandError(`writing ${file}: ${code}${hint ? ` (${hint})` : ''}`, ExitCode.error, {
    cause: err,
  });
}

/** HH:MM:SS.micro local time, as tcpdump prints it. */
function clock(ns: bigint): string {
  const date = new Date(Number(ns / 1_000_000n));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const micro = Number((ns / 1000n) % 1_000_000n);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(micro, 6)}`;
}

export const rawCapture: Command = {
  path: ['raw', 'capture'],
  summary: 'Capture frames on an interface with one-line summaries, like tcpdump; -w writes pcap.',
  positionals: [],
  flags: {
    ...RAW_FLAGS,
    count: { type: 'string', short: 'c', value: 'N', description: 'stop after N frames' },
    write: {
      type: 'string',
      short: 'w',
      value: 'FILE',
      description: 'also write the frames to a pcap file (tshark, tcpdump, Wireshark read it)',
    },
    filter: {
      type: 'string',
      value: 'WHAT',
      description: 'keep only icmp, arp, udp or ethertype=0xNNNN (in the kernel, with BPF)',
    },
    timeout: { type: 'string', value: 'MS', description: 'stop after this long' },
    promiscuous: { type: 'boolean', short: 'p', description: 'also frames for other hosts' },
  },
  details:
    'Prints "capturing on IFACE" on stderr once the socket is open; Ctrl-C stops and prints the\n' +
    'counts. Frames sent from this host are shown too (on loopback once, as tcpdump shows them).\n' +
    RAW_DETAILS,
  examples: [
    'netkit raw capture -i eth0 -c 10',
    'netkit raw capture -i eth0 --filter icmp -w ping.pcap',
    'netkit raw capture -i eth0 --netns lab --filter ethertype=0x0801 --json',
  ],
  async run({ flags }, { out, signal }) {
    const target = rawTarget(flags);
    const count = intArg('--count', flags.count, 1, Number.MAX_SAFE_INTEGER);
    const timeout = intArg('--timeout', flags.timeout, 1, 2 ** 31 - 1);
    const filter = filterArg(str(flags.filter));
    const write = str(flags.write);
    await using cap = capture({
      ...target,
      ...(count !== undefined && { count }),
      ...(timeout !== undefined && { timeout }),
      ...(filter !== undefined && { filter }),
      ...(write !== undefined && { write }),
      promiscuous: flag(flags.promiscuous),
      signal,
    });
    if (write !== undefined) {
      // Once the socket is open (no empty file left after EPERM), before "capturing on": a bad
      // path fails at once, not at the first frame.
      try {
        await (await open(write, 'w')).close();
      } catch (err) {
        throw writeFailure(write, err) ?? err;
      }
    }
    const what = str(flags.filter);
    out.info(
      `capturing on ${target.interface}${what ? ` (${what})` : ''}${write ? `, writing ${write}` : ''}`,
    );
    try {
      for await (const f of cap) {
        if (out.flags.json) {
          out.json({
            timestamp: f.timestamp.toString(),
            length: f.originalLength,
            captured: f.data.length,
            packetType: f.packetType,
            summary: f.summary,
          });
        } else {
          out.line(`${clock(f.timestamp)} ${f.summary}`);
        }
      }
    } catch (err) {
      throw (write !== undefined && writeFailure(write, err)) || err;
    }
    const { dropped } = cap.stats;
    out.info(
      `${cap.captured} frame${cap.captured === 1 ? '' : 's'} captured, ${dropped} dropped by the kernel`,
    );
    return ExitCode.ok;
  },
};
