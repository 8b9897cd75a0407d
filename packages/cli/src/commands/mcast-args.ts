// GROUP, --source and -i for both mcast verbs: checked up front with the library's own rules,
// and its errors about them turned into usage errors (exit 2) whose hints name flags.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  type GroupFamily,
  isMulticastAddress,
  isSourceSpecificGroup,
  resolveInterface,
  supportsMulticast,
} from '@netkit/multicast';
import { UsageError } from '../exit-codes.js';

const GROUP_HINT = 'IPv4 groups are 224.0.0.0 to 239.255.255.255; IPv6 groups start with ff';
const SSM_HINT = '--source needs a group in 232/8 or ff3x::/32; drop --source to hear every sender';

/** The interfaces -i can name for `family`, for the hint. */
function interfaceHint(family: GroupFamily): string {
  const names = Object.keys(networkInterfaces()).filter((n) => supportsMulticast(n, family));
  return `-i IFACE (interfaces: ${names.join(', ') || 'none'})`;
}

/** GROUP: a multicast address, or a usage error. */
export function groupArg(value: string | undefined): { group: string; family: GroupFamily } {
  const group = value ?? '';
  if (!isMulticastAddress(group)) {
    throw new UsageError(`GROUP must be a multicast address, got '${group}'`, GROUP_HINT);
  }
  return { group, family: isIP(group.split('%')[0] ?? '') === 6 ? 'IPv6' : 'IPv4' };
}

/** --source: a unicast sender of the group's family, and the group in an SSM range. */
export function sourceArg(
  value: string | undefined,
  group: string,
  family: GroupFamily,
): string | undefined {
  if (value === undefined) return undefined;
  if (isIP(value) !== (family === 'IPv6' ? 6 : 4) || isMulticastAddress(value)) {
    throw new UsageError(
      `--source must be the sender's unicast ${family} address, got '${value}'`,
      `the group ${group} is ${family}`,
    );
  }
  if (!isSourceSpecificGroup(group)) {
    throw new UsageError(`--source: ${group} is not a source-specific group`, SSM_HINT);
  }
  return value;
}

/** -i: an interface of this host that does multicast for `family` ('all' where allowed). */
export function interfaceArg(
  value: string | undefined,
  family: GroupFamily,
  allowAll = false,
): string | undefined {
  if (value === undefined || (allowAll && value === 'all')) return value;
  try {
    resolveInterface(value, family);
  } catch (err) {
    throw mcastUsageError(err, family);
  }
  return value;
}

/**
 * The library's errors about a group, a source or an interface as usage errors with flag hints;
 * anything else (a socket error, an abort) unchanged.
 */
export function mcastUsageError(err: unknown, family: GroupFamily): unknown {
  const e = err as {
    code?: unknown;
    message?: unknown;
    address?: unknown;
    group?: unknown;
    interface?: unknown;
  };
  const message = String(e?.message ?? err);
  switch (e?.code) {
    case 'ERR_MCAST_NOT_A_GROUP':
      return new UsageError(
        `GROUP must be a multicast address, got '${String(e.address)}'`,
        GROUP_HINT,
      );
    case 'ERR_MCAST_NOT_SOURCE_SPECIFIC':
      return new UsageError(
        `--source: ${String(e.group)} is not a source-specific group`,
        SSM_HINT,
      );
    case 'ERR_MCAST_UNKNOWN_INTERFACE':
      return new UsageError(
        `-i: no interface named or addressed '${String(e.interface)}'`,
        interfaceHint(family),
      );
    case 'ERR_MCAST_INTERFACE_REQUIRED':
      // "ff02::1 is link-local (scope 2): name the interface (...)": keep the part before the hint.
      return new UsageError(message.replace(/ \([^()]*\)$/, ''), interfaceHint(family));
    case 'ERR_MCAST_INTERFACE_NOT_MULTICAST':
    case 'ERR_MCAST_NO_INTERFACE_ADDRESS':
      return new UsageError(`-i: ${message.split(';')[0]}`, interfaceHint(family));
  }
  if (err instanceof TypeError || err instanceof RangeError) return new UsageError(message);
  return err;
}
