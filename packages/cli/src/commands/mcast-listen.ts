import { type AckReceiver, createAckReceiver, type MulticastDatagram } from '@netkit/multicast';
import { formatEndpoint } from '@netkit/udp';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { intArg, portArg, str } from '../flags.js';
import { datagramJson, datagramLine } from '../payload-text.js';
import { untilStopped } from '../until-stopped.js';
import { groupArg, interfaceArg, mcastUsageError, sourceArg } from './mcast-args.js';

export const mcastListen: Command = {
  path: ['mcast', 'listen'],
  summary: "Join a multicast group and print every datagram (the seed's receiver, with --ack).",
  positionals: [
    { name: 'GROUP', required: true, description: 'the group: 224.0.0.0/4 or ff00::/8' },
    { name: 'PORT', required: true, description: "the group's port" },
    {
      name: 'TEXT',
      required: false,
      description: 'with --ack: the acknowledgement to answer with (default "ack")',
    },
  ],
  flags: {
    interface: {
      type: 'string',
      short: 'i',
      value: 'IFACE',
      description: "join on this interface (a name, an address, or 'all'); default: the routed one",
    },
    source: {
      type: 'string',
      value: 'S',
      description: 'source-specific: only datagrams from S (group in 232/8 or ff3x::/32)',
    },
    ack: {
      type: 'boolean',
      optionalValue: 'TEXT',
      description: 'answer each datagram to its sender with "ack" (or TEXT)',
    },
    count: {
      type: 'string',
      short: 'c',
      value: 'N',
      description: 'exit after N datagrams',
    },
  },
  details:
    'Binds to the group address and port (shared with other listeners, SO_REUSEADDR) and joins\n' +
    'the group. Each datagram prints as "ADDRESS:PORT: TEXT"; with --json one object per line:\n' +
    '{from, port, family, size, text?, base64, group}. The joined group goes to stderr, and\n' +
    'on Ctrl-C (or after --count) the counters: "N datagrams, M acks".\n' +
    'A sender on this same host reaches it only with `netkit mcast send --loopback`.',
  examples: [
    'netkit mcast listen 224.3.29.71 10000 --ack',
    'netkit mcast listen 239.1.2.3 5000 -i eth0 --ack "got it" --json',
    'netkit mcast listen 239.1.2.3 5000 --ack="Thank you." -c 10',
    'netkit mcast listen 232.1.1.1 5000 -i eth0 --source 198.18.0.1',
    'netkit mcast listen ff15::1 5000 -i eth0',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const { group, family } = groupArg(positionals.GROUP);
    const port = portArg('PORT', positionals.PORT, true);
    const count = intArg('--count', flags.count, 1, Number.MAX_SAFE_INTEGER);
    const source = sourceArg(str(flags.source), group, family);
    const iface = interfaceArg(str(flags.interface), family, true);
    // TEXT comes as `--ack=TEXT` or as the word after PORT (`--ack TEXT`), not both.
    const ack = flags.ack !== undefined && flags.ack !== false;
    if (positionals.TEXT !== undefined && !ack) {
      throw new UsageError(`unexpected argument: ${positionals.TEXT}`, 'TEXT goes with --ack');
    }
    if (positionals.TEXT !== undefined && typeof flags.ack === 'string') {
      throw new UsageError(
        `the acknowledgement is given twice: --ack=${flags.ack} and ${positionals.TEXT}`,
        'keep one',
      );
    }
    if (flags.ack === '') {
      throw new UsageError('--ack= is empty', 'give the text (--ack="got it"), or --ack for "ack"');
    }
    const ackText = str(flags.ack) ?? positionals.TEXT ?? 'ack';
    const { stopped, stop } = untilStopped(signal);
    let seen = 0;
    let receiver: AckReceiver | undefined;
    const onMessage = (d: MulticastDatagram) => {
      if (out.flags.json) out.json(datagramJson(d, d.group ? { group: d.group } : {}));
      else out.line(datagramLine(d));
      if (count !== undefined && ++seen >= count) {
        // This one is still acknowledged; whatever follows before the close is not.
        receiver?.socket.setListener(() => undefined);
        stop();
      }
    };
    // The library's receiver acks (and counts acks the send queue refused); without --ack it
    // only counts.
    receiver = await createAckReceiver({
      group,
      port,
      ack: ack ? ackText : null,
      onMessage,
      ...(iface !== undefined && { interface: iface }),
      ...(source !== undefined && { source }),
    }).catch((err: unknown) => {
      throw mcastUsageError(err, family);
    });
    const bound = receiver.socket.address();
    const where = bound ? formatEndpoint(bound.address, bound.port) : `${group}:${port}`;
    const on = iface ? ` on ${iface}` : '';
    out.info(
      `listening on ${where} (udp multicast, joined ${group}${on}${source ? ` from ${source}` : ''})`,
    );
    try {
      await stopped;
    } finally {
      await receiver.close();
    }
    const s = receiver.stats;
    const parts = [`${s.received} datagram${s.received === 1 ? '' : 's'}`];
    if (ack) parts.push(`${s.acked} ack${s.acked === 1 ? '' : 's'}`);
    if (s.dropped > 0) parts.push(`${s.dropped} not acked (send queue full)`);
    out.info(parts.join(', '));
    return ExitCode.ok;
  },
};
