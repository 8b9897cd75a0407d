import { isIP } from 'node:net';
import { NotAGroupError, NotSourceSpecificError } from './errors.js';

export type GroupFamily = 'IPv4' | 'IPv6';

/** The first 16 bits of an IPv6 address: multicast addresses always write them out (ffXY). */
function firstHextet(address: string): string {
  return (address.split('%')[0] ?? '').split(':')[0]?.toLowerCase() ?? '';
}

/** True for 224.0.0.0/4 and ff00::/8. */
export function isMulticastAddress(address: string): boolean {
  const version = isIP(address.split('%')[0] ?? '');
  if (version === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  if (version === 6) return /^ff[0-9a-f]{2}$/.test(firstHextet(address));
  return false;
}

/** True for the source-specific ranges of RFC 4607: 232.0.0.0/8 and ff3x::/32. */
export function isSourceSpecificGroup(address: string): boolean {
  if (!isMulticastAddress(address)) return false;
  if (isIP(address) === 4) return address.startsWith('232.');
  return /^ff3[0-9a-f]$/.test(firstHextet(address));
}

/**
 * The scope of an IPv6 group (RFC 4291 2.7): 1 interface-local, 2 link-local, 5 site-local,
 * 8 organization-local, 14 global. Link-local groups need an interface to bind or send on.
 */
export function ipv6GroupScope(group: string): number | undefined {
  if (isIP(group.split('%')[0] ?? '') !== 6 || !isMulticastAddress(group)) return undefined;
  return Number.parseInt(firstHextet(group).slice(3), 16);
}

/** Checks a group address; returns its family. TypeError when not an IP, NotAGroupError when unicast. */
export function checkGroup(group: unknown, name = 'group'): GroupFamily {
  if (typeof group !== 'string' || isIP(group.split('%')[0] ?? '') === 0) {
    throw new TypeError(`${name} must be an IP address, got ${JSON.stringify(group)}`);
  }
  if (!isMulticastAddress(group)) throw new NotAGroupError(group);
  return isIP(group.split('%')[0] ?? '') === 6 ? 'IPv6' : 'IPv4';
}

/** Checks a source-specific join: the source a unicast IP of the group's family, the group in the SSM range. */
export function checkSource(source: unknown, group: string, family: GroupFamily): string {
  const version = typeof source === 'string' ? isIP(source) : 0;
  if (version === 0 || (version === 6) !== (family === 'IPv6')) {
    throw new TypeError(
      `source must be an ${family} address like the group ${group}, got ${JSON.stringify(source)}`,
    );
  }
  if (isMulticastAddress(source as string)) {
    throw new TypeError(`source must be a unicast address (the sender), got ${String(source)}`);
  }
  if (!isSourceSpecificGroup(group)) throw new NotSourceSpecificError(group);
  return source as string;
}
