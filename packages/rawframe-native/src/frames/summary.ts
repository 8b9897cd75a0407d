// One line per frame, in the spirit of tcpdump's default output.
import { ArpOperation } from './arp.js';
import { type DecodedFrame, decodeFrame } from './decode.js';
import { FrameError } from './errors.js';
import { EtherType } from './ethernet.js';
import { type Icmpv4Message, Icmpv4Type } from './icmpv4.js';
import { type Icmpv6Message, Icmpv6Type } from './icmpv6.js';
import { formatIPv6Address } from './ip-address.js';
import { IpProtocol } from './ipv4.js';

const UNREACHABLE = ['net', 'host', 'protocol', 'port', 'need to frag', 'source route failed'];

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function icmpText(m: Icmpv4Message): string {
  const len = m.data.length + 8;
  if (m.echo) {
    const kind = m.type === Icmpv4Type.EchoRequest ? 'request' : 'reply';
    return `ICMP echo ${kind} id ${m.echo.id} seq ${m.echo.sequence} len ${len}`;
  }
  if (m.type === Icmpv4Type.DestinationUnreachable) {
    const q = m.quoted;
    let what = `${UNREACHABLE[m.code] ?? `code ${m.code}`} unreachable`;
    if (q !== undefined && m.code === 3 && q.protocol === IpProtocol.UDP && q.payload.length >= 4) {
      what = `${q.dst} udp port ${((q.payload[2] ?? 0) << 8) | (q.payload[3] ?? 0)} unreachable`;
    } else if (q !== undefined && m.code === 2) {
      what = `${q.dst} protocol ${q.protocol} unreachable`;
    } else if (q !== undefined && m.code <= 1) {
      what = `${q.dst} ${what}`;
    }
    if (m.nextHopMtu !== undefined) what += ` mtu ${m.nextHopMtu}`;
    return `ICMP ${what} len ${len}`;
  }
  if (m.type === Icmpv4Type.TimeExceeded) {
    return `ICMP time exceeded ${m.code === 0 ? 'in-transit' : 'reassembly'} len ${len}`;
  }
  return `ICMP type ${m.type} code ${m.code} len ${len}`;
}

function icmp6Text(m: Icmpv6Message): string {
  const len = m.data.length + 8;
  if (m.echo) {
    const kind = m.type === Icmpv6Type.EchoRequest ? 'request' : 'reply';
    return `ICMP6 echo ${kind} id ${m.echo.id} seq ${m.echo.sequence} len ${len}`;
  }
  const name = ICMP6_NAMES[m.type];
  if ((m.type === 135 || m.type === 136) && m.data.length >= 16) {
    const target = formatIPv6Address(m.data);
    return `ICMP6 ${name} ${m.type === 135 ? 'who has' : 'tgt is'} ${target} len ${len}`;
  }
  return name ? `ICMP6 ${name} len ${len}` : `ICMP6 type ${m.type} code ${m.code} len ${len}`;
}

/** Neighbor Discovery (RFC 4861) and MLD: what IPv6 links are full of. */
const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  130: 'multicast listener query',
  131: 'multicast listener report',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'multicast listener report v2',
};

const PROTOCOLS: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  58: 'ICMP6',
  132: 'SCTP',
};

function inner(f: DecodedFrame, options: SummaryOptions): string {
  const { ethernet: eth } = f;
  const macs = `${eth.src} > ${eth.dst}`;
  if (f.arp) {
    const a = f.arp;
    if (a.operation === ArpOperation.Request)
      return `${macs} ARP who-has ${a.targetIp} tell ${a.senderIp}`;
    if (a.operation === ArpOperation.Reply)
      return `${macs} ARP reply ${a.senderIp} is-at ${a.senderMac}`;
    return `${macs} ARP operation ${a.operation}`;
  }
  const ip = f.ipv4 ?? f.ipv6;
  if (ip !== undefined) {
    const udp = f.udp;
    const ports = udp ? [`.${udp.srcPort}`, `.${udp.dstPort}`] : ['', ''];
    let text = `${ip.src}${ports[0]} > ${ip.dst}${ports[1]} `;
    const flags: string[] = [];
    if (f.ipv4 && !f.ipv4.checksumValid) flags.push('bad ip cksum');
    if (f.icmpv4) {
      text += icmpText(f.icmpv4);
      if (!f.icmpv4.checksumValid) flags.push('bad icmp cksum');
    } else if (f.icmpv6) {
      text += icmp6Text(f.icmpv6);
      if (!f.icmpv6.checksumValid) flags.push('bad icmp6 cksum');
    } else if (udp) {
      text += `UDP len ${udp.payload.length}`;
      if (!udp.checksumValid && !options.checksumNotReady) flags.push('bad udp cksum');
    } else {
      const proto = f.ipv4 ? f.ipv4.protocol : (f.ipv6?.nextHeader ?? 0);
      text += `${PROTOCOLS[proto] ?? `ip-proto-${proto}`}`;
      if (f.ipv4 && (f.ipv4.moreFragments || f.ipv4.fragmentOffset !== 0)) {
        text += ` fragment id ${f.ipv4.id} offset ${f.ipv4.fragmentOffset}${f.ipv4.moreFragments ? '+' : ''}`;
      }
      text += ` len ${ip.payload.length}`;
    }
    return flags.length ? `${text} [${flags.join(', ')}]` : text;
  }
  if (eth.ethertype < 0x0600) return `${macs} 802.3 length ${eth.ethertype}`;
  return `${macs} ethertype ${hex4(eth.ethertype)} len ${eth.payload.length}`;
}

export interface SummaryOptions {
  /**
   * The kernel has not filled in the UDP/TCP checksum yet (ReceivedFrame.checksumNotReady: an
   * outgoing frame with checksum offload): that checksum is not checked, so not called bad.
   */
  checksumNotReady?: boolean;
}

/**
 * One line describing a frame, like tcpdump: "aa:..:01 > ff:..:ff ARP who-has 198.18.0.2 tell
 * 198.18.0.1", "198.18.0.1 > 198.18.0.2 ICMP echo request id 1 seq 3 len 64". Never throws for
 * bad bytes: what could not be decoded is said in brackets.
 */
export function summarizeFrame(
  frame: Uint8Array | DecodedFrame,
  options: SummaryOptions = {},
): string {
  let f: DecodedFrame;
  if (frame instanceof Uint8Array) {
    try {
      f = decodeFrame(frame, { lenient: true });
    } catch (err) {
      if (err instanceof FrameError) return `[${err.message}]`;
      throw err;
    }
  } else {
    f = frame;
  }
  const vlan = f.ethernet.vlans.map((t) => `vlan ${t.id} `).join('');
  let text = vlan + inner(f, options);
  if (f.error) {
    const { ethertype } = f.ethernet;
    const name =
      ethertype === EtherType.ARP
        ? 'ARP'
        : ethertype === EtherType.IPv4
          ? 'IPv4'
          : ethertype === EtherType.IPv6
            ? 'IPv6'
            : hex4(ethertype);
    if (!f.arp && !f.ipv4 && !f.ipv6) text = `${vlan}${f.ethernet.src} > ${f.ethernet.dst} ${name}`;
    text += ` [${f.error.message}]`;
  }
  return text;
}
