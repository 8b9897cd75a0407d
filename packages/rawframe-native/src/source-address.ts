// Which IPv4 address of an interface speaks to a neighbour: the one whose subnet holds it.
import { isIPv4 } from 'node:net';
import { RawFrameError } from './errors.js';
import type { InterfaceInfo } from './interfaces.js';

/** Thrown when the interface has no IPv4 address to send ARP and ICMP from. */
export class NoIPv4AddressError extends RawFrameError {
  constructor(iface: string) {
    super(
      'ERR_RAWFRAME_NO_IPV4_ADDRESS',
      `interface ${iface} has no IPv4 address to send from (add one with \`ip addr add\`, or pass source)`,
    );
  }
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether `ip` lies in `address/prefixLength`. */
export function inSubnet(ip: string, address: string, prefixLength: number): boolean {
  if (prefixLength === 0) return true;
  const shift = 32 - prefixLength;
  return Math.floor(toInt(ip) / 2 ** shift) === Math.floor(toInt(address) / 2 ** shift);
}

/** `source` when given, else the interface's IPv4 address on the target's subnet, else its first. */
export function sourceAddressFor(info: InterfaceInfo, target: string, source?: string): string {
  if (source !== undefined) return source;
  const v4 = info.addresses.filter((a) => a.family === 4);
  const onLink = v4.find((a) => inSubnet(target, a.address, a.prefixLength));
  const chosen = onLink ?? v4[0];
  if (chosen === undefined) throw new NoIPv4AddressError(info.name);
  return chosen.address;
}

export function checkIPv4(name: string, value: unknown): string {
  if (typeof value !== 'string' || !isIPv4(value)) {
    throw new TypeError(`${name} must be an IPv4 address like '198.18.0.2', got ${String(value)}`);
  }
  return value;
}
