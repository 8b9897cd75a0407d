import { collectReplies, type GroupReply, isMulticastAddress } from '@netkit/multicast';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, portArg, str } from '../flags.js';
import { datagramJson, datagramLine } from '../payload-text.js';

export const mcastSend: Command = {
  path: ['mcast', 'send'],
  summary: "Send a datagram to a multicast group and print who answers (the seed's sender).",
  positionals: [
    { name: 'GROUP', required: true, description: 'the group: 224.0.0.0/4 or ff00::/8' },
    { name: 'PORT', required: true, description: "the group's port" },
    { name: 'MESSAGE', required: true, description: 'the payload' },
  ],
  flags: {
    ttl: {
      type: 'string',
      value: 'N',
      description: 'TTL (IPv4) or hop limit (IPv6), 0 to 255 (default 1: this link only)',
    },
    interface: {
      type: 'string',
      short: 'i',
      value: 'IFACE',
      description: 'send through this interface (a name or one of its addresses)',
    },
    collect: {
      type: 'string',
      value: 'MS',
      description: 'how long to collect replies after the send (default 1000; 0: do not wait)',
    },
    count: {
      type: 'string',
      short: 'c',
      value: 'N',
      description: 'stop collecting after N replies',
    },
    loopback: {
      type: 'boolean',
      description: 'let receivers on this host hear it too (IP_MULTICAST_LOOP)',
    },
  },
  details:
    'Each reply prints as "ADDRESS:PORT: TEXT", then "timed out, N responses" once --collect ms\n' +
    'passed (or "got N responses" with --count). --json prints one object per reply and a\n' +
    'summary {responses, reason}. No reply at all exits 3. Without a default route, name the\n' +
    'interface (-i eth0), or sending may fail with ENETUNREACH.',
  examples: [
    "netkit mcast send 224.3.29.71 10000 'Very important data'",
    'netkit mcast send 239.1.2.3 5000 hello -i eth0 --ttl 3 --collect 2000',
    'netkit mcast send ff15::1 5000 hello -i eth0 --json',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const group = positionals.GROUP!;
    if (!isMulticastAddress(group)) {
      throw new UsageError(
        `GROUP must be a multicast address, got '${group}'`,
        'IPv4 groups are 224.0.0.0 to 239.255.255.255; IPv6 groups start with ff',
      );
    }
    const port = portArg('PORT', positionals.PORT);
    const ttl = intArg('--ttl', flags.ttl, 0, 255) ?? 1;
    const collect = intArg('--collect', flags.collect, 0, 3_600_000) ?? 1000;
    const count = intArg('--count', flags.count, 1, 2 ** 31);
    const iface = str(flags.interface);
    const show = (r: GroupReply) => {
      if (out.flags.json) out.json(datagramJson(r, { time: Math.round(r.time * 1000) / 1000 }));
      else out.line(datagramLine(r));
    };
    const result = await collectReplies({ group, port }, positionals.MESSAGE!, {
      ttl,
      loopback: flag(flags.loopback),
      // 1 ms is the shortest wait: with --collect 0 the datagram is sent and nothing awaited.
      timeout: Math.max(collect, 1),
      ...(count !== undefined && { count }),
      ...(iface !== undefined && { interface: iface }),
      signal,
      onReply: show,
    });
    const n = result.replies.length;
    const noun = `response${n === 1 ? '' : 's'}`;
    out.verbose(`sent ${result.sent} bytes to ${group} port ${port} with TTL ${ttl}`);
    if (out.flags.json) out.json({ responses: n, reason: result.reason });
    else if (collect > 0)
      out.line(result.reason === 'count' ? `got ${n} ${noun}` : `timed out, ${n} ${noun}`);
    return n === 0 && collect > 0 ? ExitCode.timeout : ExitCode.ok;
  },
};
