import { resolveMac } from '@netkit/rawframe-native';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { intArg } from '../flags.js';
import { ipv4Arg, RAW_DETAILS, RAW_FLAGS, rawTarget } from './raw-common.js';

export const rawArp: Command = {
  path: ['raw', 'arp'],
  summary: 'Ask who has an IPv4 address on the link (ARP who-has) and print its MAC.',
  positionals: [{ name: 'IP', required: true, description: 'the IPv4 address to resolve' }],
  flags: {
    ...RAW_FLAGS,
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'wait this long for each reply (default 1000)',
    },
    retries: { type: 'string', value: 'N', description: 'ask again this often (default 2)' },
  },
  details: `The request goes out from the interface's MAC and IPv4 address. No reply exits 3.\n${RAW_DETAILS}`,
  examples: [
    'netkit raw arp -i eth0 198.18.1.2',
    'netkit raw arp -i eth0 --netns lab 198.18.1.2 --json',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const ip = ipv4Arg('IP', positionals.IP);
    const target = rawTarget(flags);
    const timeout = intArg('--timeout', flags.timeout, 1, 3_600_000) ?? 1000;
    const retries = intArg('--retries', flags.retries, 0, 100) ?? 2;
    const r = await resolveMac(ip, { ...target, timeout, retries, signal });
    if (out.flags.json) out.json({ ...r, interface: target.interface });
    else
      out.line(
        `${r.ip} is-at ${r.mac} (${target.interface}, ${r.rtt.toFixed(3)} ms, ${r.attempts} request${r.attempts > 1 ? 's' : ''})`,
      );
    return ExitCode.ok;
  },
};
