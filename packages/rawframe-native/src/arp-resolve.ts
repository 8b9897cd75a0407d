// ARP resolution (RFC 826) over a packet socket: who-has from the interface's MAC and IPv4
// address, broadcast, retried, until the target's reply.
import { checkInteger, checkSignal, checkTimeout } from '@netkit/internal';
import { filters } from './bpf.js';
import { AbortedError, TimeoutError } from './errors.js';
import { ArpOperation, buildArp, parseArp } from './frames/arp.js';
import { FrameError } from './frames/errors.js';
import { buildEthernet, EtherType, parseEthernet } from './frames/ethernet.js';
import { BROADCAST_MAC } from './frames/mac.js';
import { openPacketSocket, type PacketSocket } from './packet-socket.js';
import { checkIPv4, sourceAddressFor } from './source-address.js';

export interface ResolveMacOptions {
  /** The interface to ask on (required unless `socket` is given). */
  interface?: string;
  /** Open the socket inside this network namespace. */
  netns?: string;
  /** Ask on this open socket instead of opening one (it must receive ARP). */
  socket?: PacketSocket;
  /** Sender IPv4 address; default the interface's address on the target's subnet. */
  source?: string;
  /** Milliseconds to wait for a reply to each request (default 1000). */
  timeout?: number;
  /** Requests sent again after the first goes unanswered (default 2). */
  retries?: number;
  signal?: AbortSignal;
}

export interface ResolvedMac {
  ip: string;
  mac: string;
  /** Milliseconds from the request that was answered to its reply. */
  rtt: number;
  /** Requests sent. */
  attempts: number;
}

/**
 * Resolves `ip` to a MAC address by ARP. Rejects with ERR_NETKIT_TIMEOUT when no reply came after
 * all attempts, ERR_NETKIT_ABORTED when the signal fires, and the socket's errors (EPERM, ENODEV).
 */
export async function resolveMac(ip: string, options: ResolveMacOptions): Promise<ResolvedMac> {
  checkIPv4('ip', ip);
  if (typeof options !== 'object' || options === null)
    throw new TypeError('options must be an object');
  const timeout = options.timeout === undefined ? 1000 : checkTimeout('timeout', options.timeout);
  const retries =
    options.retries === undefined ? 2 : checkInteger('retries', options.retries, 0, 100);
  const signal = checkSignal('signal', options.signal);
  if (options.source !== undefined) checkIPv4('source', options.source);
  if (options.socket === undefined && options.interface === undefined) {
    throw new TypeError('interface is required (or pass an open socket)');
  }
  signal?.throwIfAborted();
  const own = options.socket === undefined;
  const socket =
    options.socket ??
    openPacketSocket({
      interface: options.interface as string,
      ...(options.netns !== undefined && { netns: options.netns }),
      filter: filters.arp(),
      ignoreOutgoing: true,
    });
  try {
    const { mac } = socket.interface;
    const senderIp = sourceAddressFor(socket.interface, ip, options.source);
    const request = buildEthernet({
      dst: BROADCAST_MAC,
      src: mac,
      ethertype: EtherType.ARP,
      payload: buildArp({
        operation: ArpOperation.Request,
        senderMac: mac,
        senderIp,
        targetIp: ip,
      }),
    });
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const sentAt = performance.now();
      socket.send(request);
      const deadline = sentAt + timeout;
      for (;;) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        let data: Uint8Array;
        try {
          ({ data } = await socket.receive({ timeout: left, ...(signal && { signal }) }));
        } catch (err) {
          if (err instanceof TimeoutError) break;
          if (err instanceof AbortedError)
            throw new AbortedError(`resolving ${ip}: aborted`, signal?.reason);
          throw err;
        }
        const reply = arpReplyFrom(data, ip);
        if (reply !== undefined) {
          return { ip, mac: reply, rtt: performance.now() - sentAt, attempts: attempt };
        }
      }
    }
    throw new TimeoutError(
      `resolving ${ip}: no ARP reply on ${socket.interface.name} after ${retries + 1} request(s), ${timeout} ms each`,
    );
  } finally {
    if (own) await socket.close();
  }
}

/** The sender MAC when `frame` is an ARP reply from `ip`. */
export function arpReplyFrom(frame: Uint8Array, ip: string): string | undefined {
  try {
    const eth = parseEthernet(frame);
    if (eth.ethertype !== EtherType.ARP) return undefined;
    const arp = parseArp(eth.payload);
    if (arp.senderIp !== ip) return undefined;
    if (arp.operation !== ArpOperation.Reply) return undefined;
    return arp.senderMac;
  } catch (err) {
    if (err instanceof FrameError) return undefined;
    throw err;
  }
}
