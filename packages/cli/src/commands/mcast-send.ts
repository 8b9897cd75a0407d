import { type CollectResult, collectReplies, type GroupReply } from '@netkit/multicast';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { flag, intArg, portArg, str } from '../flags.js';
import { datagramJson, datagramLine } from '../payload-text.js';
import { groupArg, interfaceArg, mcastUsageError } from './mcast-args.js';

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
      description:
        'let receivers on this host hear it too (IP_MULTICAST_LOOP; off by default; lo loops anyway)',
    },
  },
  details:
    'Each reply prints as "ADDRESS:PORT: TEXT", then "timed out, N responses" once --collect ms\n' +
    'passed (or "got N responses" with --count). --json prints one object per reply and a\n' +
    'summary {responses, reason}. No reply at all exits 3. On Ctrl-C: "interrupted, N\n' +
    'responses", exit 130. Without a default route, name the interface (-i eth0), or sending\n' +
    'may fail with ENETUNREACH.\n' +
    'Receivers on this host (netkit mcast listen in another terminal) hear the datagram only\n' +
    'with --loopback; the exception is -i lo, where the device loops everything back.',
  examples: [
    "netkit mcast send 224.3.29.71 10000 'Very important data' --loopback",
    'netkit mcast send 239.1.2.3 5000 hello -i eth0 --loopback --ttl 3 --collect 2000',
    'netkit mcast send ff15::1 5000 hello -i eth0 --loopback --json',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const { group, family } = groupArg(positionals.GROUP);
    const port = portArg('PORT', positionals.PORT);
    const ttl = intArg('--ttl', flags.ttl, 0, 255) ?? 1;
    const collect = intArg('--collect', flags.collect, 0, 3_600_000) ?? 1000;
    const count = intArg('--count', flags.count, 1, 2 ** 31);
    const iface = interfaceArg(str(flags.interface), family);
    let n = 0;
    const noun = () => `response${n === 1 ? '' : 's'}`;
    const show = (r: GroupReply) => {
      n++;
      if (out.flags.json) out.json(datagramJson(r, { time: Math.round(r.time * 1000) / 1000 }));
      else out.line(datagramLine(r));
    };
    let result: CollectResult;
    try {
      result = await collectReplies({ group, port }, positionals.MESSAGE!, {
        ttl,
        loopback: flag(flags.loopback),
        // 1 ms is the shortest wait: with --collect 0 the datagram is sent and nothing awaited.
        timeout: Math.max(collect, 1),
        ...(count !== undefined && { count }),
        ...(iface !== undefined && { interface: iface }),
        signal,
        onSent: (bytes) =>
          out.verbose(`sent ${bytes} bytes to ${group} port ${port} with TTL ${ttl}`),
        onReply: show,
      });
    } catch (err) {
      if (signal.aborted && (err as { code?: unknown }).code === 'ERR_NETKIT_ABORTED') {
        // Ctrl-C: the replies so far are printed already; say how many, like ping's summary.
        if (out.flags.json) out.json({ responses: n, reason: 'interrupted' });
        else out.line(`interrupted, ${n} ${noun()}`);
        return ExitCode.interrupted;
      }
      throw mcastUsageError(err, family);
    }
    if (out.flags.json) out.json({ responses: n, reason: result.reason });
    else if (collect > 0)
      out.line(result.reason === 'count' ? `got ${n} ${noun()}` : `timed out, ${n} ${noun()}`);
    return n === 0 && collect > 0 ? ExitCode.timeout : ExitCode.ok;
  },
};
