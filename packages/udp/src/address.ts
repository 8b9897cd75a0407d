import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { systemError } from './errors.js';

export type SocketType = 'udp4' | 'udp6';
export type Family = 'IPv4' | 'IPv6';

export interface Endpoint {
  /** Host name or IP address; 'localhost' when omitted. */
  host?: string;
  port: number;
}

export interface ResolvedAddress {
  address: string;
  family: Family;
}

export function familyOf(type: SocketType): Family {
  return type === 'udp6' ? 'IPv6' : 'IPv4';
}

export function socketTypeOf(family: Family): SocketType {
  return family === 'IPv6' ? 'udp6' : 'udp4';
}

/**
 * Resolves a host to one address. IP literals need no lookup. Names prefer IPv4 unless the socket
 * is udp6, so 'localhost' means 127.0.0.1 as in the seeds (glibc may list ::1 first).
 */
export async function resolveHost(host: string, type?: SocketType): Promise<ResolvedAddress> {
  const literal = isIP(host);
  if (literal) return { address: host, family: literal === 6 ? 'IPv6' : 'IPv4' };
  let results: { address: string; family: number }[];
  try {
    results = await lookup(host, {
      all: true,
      family: type === 'udp6' ? 6 : type === 'udp4' ? 4 : 0,
    });
  } catch (err) {
    throw systemError(err, `resolving ${host}`);
  }
  const pick = results.find((r) => r.family === 4) ?? results[0];
  if (!pick) throw systemError({ code: 'ENOTFOUND', message: host }, `resolving ${host}`);
  return { address: pick.address, family: pick.family === 6 ? 'IPv6' : 'IPv4' };
}

/** "127.0.0.1:53" or "[::1]:53". */
export function formatEndpoint(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
