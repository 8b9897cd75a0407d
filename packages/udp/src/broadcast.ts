import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { checkInteger } from '@netkit/internal';
import { BroadcastAddressError } from './errors.js';
import type { Payload } from './payload.js';
import { UdpSocket } from './socket.js';

/** The limited broadcast address (RFC 919): every host on the local link, never forwarded. */
export const LIMITED_BROADCAST = '255.255.255.255';

export interface BroadcastInterface {
  /** Interface name, e.g. eth0. */
  name: string;
  address: string;
  netmask: string;
  /** The directed broadcast address: the address with every host bit set. */
  broadcast: string;
}

function toInt(ip: string, what: string): number {
  if (!isIPv4(ip))
    throw new TypeError(`${what} must be an IPv4 address, got ${JSON.stringify(ip)}`);
  return ip.split('.').reduce((n, octet) => (n << 8) | Number(octet), 0) >>> 0;
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** address | ~netmask, e.g. 198.18.0.7/255.255.255.0 -> 198.18.0.255 (RFC 919, RFC 922). */
export function directedBroadcastAddress(address: string, netmask: string): string {
  const mask = toInt(netmask, 'netmask');
  // A netmask is ones then zeros: its complement plus one is a power of two.
  const hostBits = ~mask >>> 0;
  if ((hostBits & (hostBits + 1)) !== 0) {
    throw new TypeError(`netmask must be contiguous ones then zeros, got ${netmask}`);
  }
  return toIp((toInt(address, 'address') | hostBits) >>> 0);
}

/** Every IPv4 address of this host's non-loopback interfaces, with its broadcast address. */
export function broadcastInterfaces(): BroadcastInterface[] {
  const out: BroadcastInterface[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv4' || a.internal || a.netmask === '255.255.255.255') continue;
      out.push({
        name,
        address: a.address,
        netmask: a.netmask,
        broadcast: directedBroadcastAddress(a.address, a.netmask),
      });
    }
  }
  return out;
}

/** The directed broadcast address of one interface, computed from its first IPv4 address and netmask. */
export function interfaceBroadcastAddress(name: string): string {
  const found = broadcastInterfaces().find((i) => i.name === name);
  if (found) return found.broadcast;
  const known = broadcastInterfaces().map((i) => i.name);
  throw new BroadcastAddressError(
    `interface ${name} has no IPv4 address to broadcast on (${known.length ? `try ${known.join(', ')}` : 'this host has no IPv4 interface besides loopback'})`,
  );
}

export interface BroadcastOptions {
  port: number;
  /** An interface whose directed broadcast address to use; 255.255.255.255 when neither is given. */
  interface?: string;
  /** An explicit broadcast address. */
  address?: string;
  /** A socket to send from (broadcast is switched on); by default a fresh one, closed afterwards. */
  socket?: UdpSocket;
}

/** Sends one datagram to a broadcast address; resolves with the address used. */
export async function sendBroadcast(payload: Payload, options: BroadcastOptions): Promise<string> {
  checkInteger('port', options.port, 1, 65_535);
  const address =
    options.address ??
    (options.interface ? interfaceBroadcastAddress(options.interface) : LIMITED_BROADCAST);
  const socket = options.socket ?? new UdpSocket({ type: 'udp4' });
  try {
    socket.setBroadcast(true);
    await socket.send(payload, { host: address, port: options.port });
    return address;
  } finally {
    if (!options.socket) await socket.close();
  }
}
