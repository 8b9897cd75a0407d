// Flags and argument checks shared by the `netkit raw` commands.
import { isIPv4 } from 'node:net';
import { isMac } from '@netkit/rawframe-native';
import type { FlagSpec } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { str } from '../flags.js';

export const RAW_FLAGS: Record<string, FlagSpec> = {
  interface: {
    type: 'string',
    short: 'i',
    value: 'IFACE',
    description: 'the interface to use (required)',
  },
  netns: {
    type: 'string',
    value: 'NAME',
    description: 'open the socket inside this network namespace (as `ip netns add` names it)',
  },
};

export const RAW_DETAILS =
  'Raw frames need root or CAP_NET_RAW (`sudo setcap cap_net_raw+ep "$(command -v node)"`).';

export interface RawTarget {
  interface: string;
  netns?: string;
}

export function rawTarget(flags: Record<string, string | boolean | undefined>): RawTarget {
  const iface = str(flags.interface);
  if (iface === undefined || iface === '') {
    throw new UsageError('-i/--interface is required', 'name the interface, e.g. -i eth0');
  }
  const netns = str(flags.netns);
  return netns === undefined ? { interface: iface } : { interface: iface, netns };
}

export function macArg(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isMac(value)) {
    throw new UsageError(`${name} must be a MAC address like 02:00:00:00:00:01, got '${value}'`);
  }
  return value.toLowerCase().replaceAll('-', ':');
}

export function ipv4Arg(name: string, value: string | undefined): string {
  if (value === undefined || !isIPv4(value)) {
    throw new UsageError(`${name} must be an IPv4 address like 198.18.1.2, got '${value ?? ''}'`);
  }
  return value;
}

/** An EtherType as 0xNNNN (or decimal), 0x0600-0xffff: below that the field is an 802.3 length. */
export function ethertypeArg(name: string, value: string | undefined): number {
  const text = value ?? '';
  // EtherTypes are written in hex; a leading zero without 0x means the user meant hex, not octal
  // or decimal (0801 read as 801 would pass as a valid but wrong type).
  if (/^0[0-9a-f]+$/i.test(text)) {
    throw new UsageError(
      `${name} must be an EtherType in hex with 0x, like 0x0801, got '${text}'`,
      `did you mean 0x${text.replace(/^0+/, '').padStart(4, '0')}?`,
    );
  }
  const n = /^0x[0-9a-f]{1,4}$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!(n >= 0x0600 && n <= 0xffff)) {
    throw new UsageError(
      `${name} must be an EtherType from 0x0600 to 0xffff, like 0x0801, got '${text}'`,
      'values below 0x0600 are 802.3 lengths, not types',
    );
  }
  return n;
}
