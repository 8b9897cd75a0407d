import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  InterfaceNotMulticastError,
  NoInterfaceAddressError,
  UnknownInterfaceError,
} from './errors.js';
import type { GroupFamily } from './group.js';

// <linux/if.h>: os.networkInterfaces() reports neither flag, so they are read from sysfs.
const IFF_LOOPBACK = 0x8;
const IFF_MULTICAST = 0x1000;

/** An interface as node:dgram wants it for memberships and sending. */
export interface ResolvedInterface {
  /** The interface name, e.g. 'eth0'. */
  name: string;
  /** IPv4: the interface's address; IPv6: '::%name' (the scope picks the interface). */
  address: string;
}

export interface MulticastInterface {
  name: string;
  /** Its addresses of the family asked for. */
  addresses: string[];
  loopback: boolean;
}

/** The interface flags from /sys/class/net (Linux); undefined elsewhere or when unreadable. */
export function interfaceFlags(name: string): number | undefined {
  if (!/^[^/\s]{1,15}$/.test(name)) return undefined;
  try {
    return Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
}

/**
 * Whether multicast works on the interface for `family`. Linux's loopback carries IPv4 multicast
 * without the MULTICAST flag (the kernel loops it back), but has no route for IPv6 groups.
 */
export function supportsMulticast(name: string, family: GroupFamily): boolean {
  const flags = interfaceFlags(name);
  if (flags === undefined) return true; // not Linux: let the kernel decide
  if (flags & IFF_MULTICAST) return true;
  return family === 'IPv4' && (flags & IFF_LOOPBACK) !== 0;
}

/** Interfaces with the MULTICAST flag and an address of `family` (loopback excluded). */
export function multicastInterfaces(family: GroupFamily): MulticastInterface[] {
  const found: MulticastInterface[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const addresses = (infos ?? []).filter((i) => i.family === family).map((i) => i.address);
    const flags = interfaceFlags(name);
    const loopback = (infos ?? []).some((i) => i.internal) || ((flags ?? 0) & IFF_LOOPBACK) !== 0;
    if (addresses.length === 0 || loopback) continue;
    if (flags !== undefined && !(flags & IFF_MULTICAST)) continue;
    found.push({ name, addresses, loopback });
  }
  return found;
}

/**
 * Resolves an interface given by name ('eth0') or by one of its addresses to what node:dgram
 * takes, and checks that it can do multicast, so a join fails here with a reason instead of
 * succeeding and never delivering anything.
 */
export function resolveInterface(spec: string, family: GroupFamily): ResolvedInterface {
  if (typeof spec !== 'string' || spec === '') {
    throw new TypeError(`interface must be a name or an address, got ${JSON.stringify(spec)}`);
  }
  const all = networkInterfaces();
  let name: string | undefined;
  if (isIP(spec.split('%')[0] ?? '') !== 0) {
    const bare = (spec.split('%')[0] ?? '').toLowerCase();
    name = Object.entries(all).find(([, infos]) =>
      (infos ?? []).some((i) => i.address.toLowerCase() === bare),
    )?.[0];
  } else if (Object.hasOwn(all, spec) || interfaceFlags(spec) !== undefined) {
    // An interface that is up but has no address still has a sysfs entry.
    name = spec;
  }
  if (name === undefined) throw new UnknownInterfaceError(spec, Object.keys(all));
  if (!supportsMulticast(name, family)) throw new InterfaceNotMulticastError(name);
  if (family === 'IPv6') return { name, address: `::%${name}` };
  const address =
    isIP(spec) === 4
      ? spec
      : (Object.hasOwn(all, name) ? (all[name] ?? []) : []).find((i) => i.family === 'IPv4')
          ?.address;
  if (address === undefined) throw new NoInterfaceAddressError(name, family);
  return { name, address };
}
