import {
  interfaceBroadcastAddress,
  LIMITED_BROADCAST,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  request,
  resolveHost,
  sendMessage,
  socketTypeOf,
  TimeoutError,
  UdpSocket,
} from '@netkit/udp';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, portArg, str } from '../flags.js';
import { datagramJson, showPayload } from '../payload-text.js';
import { sleep } from '../sleep.js';
import { readStdin } from '../stdin.js';

const MAX_FRAGMENTED_STDIN = 64 * 2 ** 20;

export const udpSend: Command = {
  path: ['udp', 'send'],
  summary: "Send a datagram (the seeds' UDP clients), optionally waiting for the reply.",
  positionals: [
    { name: 'HOST', required: true, description: "where to send: a name, an IP, or 'broadcast'" },
    { name: 'PORT', required: true, description: 'destination port' },
    { name: 'MESSAGE', required: false, description: 'the payload; read from stdin when omitted' },
  ],
  flags: {
    'wait-reply': {
      type: 'boolean',
      short: 'w',
      description: 'wait for the reply from HOST:PORT and print it',
    },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'how long to wait for a reply (default 1000)',
    },
    retries: {
      type: 'string',
      value: 'N',
      description: 'send again this often when no reply comes (default 0; waits double)',
    },
    repeat: { type: 'string', value: 'N', description: 'send N times (default 1)' },
    interval: { type: 'string', value: 'MS', description: 'pause between repeats (default 500)' },
    broadcast: { type: 'boolean', short: 'b', description: 'allow sending to a broadcast address' },
    interface: {
      type: 'string',
      short: 'i',
      value: 'IFACE',
      description: "with HOST 'broadcast': use this interface's directed broadcast address",
    },
    fragment: {
      type: 'boolean',
      description: 'send a message of any size as netkit fragments (see udp listen --reassemble)',
    },
    rate: {
      type: 'string',
      value: 'BYTES/S',
      description:
        'with --fragment: pace to this many bytes per second (default 50000000; 0: no pacing)',
    },
    'fragment-size': {
      type: 'string',
      value: 'BYTES',
      description: 'largest fragment datagram (default 1200)',
    },
  },
  details:
    "HOST 'broadcast' sends to 255.255.255.255, or with -i IFACE to that interface's directed\n" +
    'broadcast address (computed from its address and netmask). Without --wait-reply nothing is\n' +
    'printed on stdout; -v tells what was sent. A missing reply exits 3, like the seed client that\n' +
    'prints "Timeout occurred!".',
  examples: [
    "netkit udp send localhost 6667 'Hello you there!'",
    'netkit udp send localhost 8888 hello --wait-reply --timeout 1000',
    'netkit udp send localhost 6667 tick --repeat 10 --interval 500',
    'netkit udp send broadcast 9999 hello -i eth0',
    'head -c 1000000 /dev/urandom | netkit udp send localhost 7000 --fragment',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const port = portArg('PORT', positionals.PORT);
    const timeout = intArg('--timeout', flags.timeout, 1, 3_600_000) ?? 1000;
    const retries = intArg('--retries', flags.retries, 0, 100) ?? 0;
    const repeat = intArg('--repeat', flags.repeat, 1, 1_000_000) ?? 1;
    const interval = intArg('--interval', flags.interval, 0, 3_600_000) ?? 500;
    const rate = intArg('--rate', flags.rate, 0, 2 ** 40) ?? 50_000_000;
    const fragmentSize = intArg(
      '--fragment-size',
      flags['fragment-size'],
      25,
      MAX_UDP_PAYLOAD_IPV4,
    );
    const waitReply = flag(flags['wait-reply']);
    const fragment = flag(flags.fragment);
    if (fragment && waitReply)
      throw new UsageError(
        '--fragment and --wait-reply do not go together',
        'a fragmented message has no single reply to wait for',
      );
    if (fragmentSize !== undefined && !fragment)
      throw new UsageError('--fragment-size needs --fragment');
    const iface = str(flags.interface);
    let host = positionals.HOST!;
    let broadcast = flag(flags.broadcast);
    if (host === 'broadcast') {
      host = iface ? interfaceBroadcastAddress(iface) : LIMITED_BROADCAST;
      broadcast = true;
    } else if (iface) {
      throw new UsageError("-i/--interface is only used with HOST 'broadcast'");
    }

    const target = await resolveHost(host);
    const limit = fragment
      ? MAX_FRAGMENTED_STDIN
      : target.family === 'IPv6'
        ? MAX_UDP_PAYLOAD_IPV6
        : MAX_UDP_PAYLOAD_IPV4;
    const payload =
      positionals.MESSAGE !== undefined
        ? Buffer.from(positionals.MESSAGE)
        : await readStdin(out.io, limit, 'MESSAGE');
    const socket = new UdpSocket({ type: socketTypeOf(target.family), broadcast, signal });
    const where = { host: target.address, port };
    let timeouts = 0;
    try {
      for (let i = 1; i <= repeat && !signal.aborted; i++) {
        if (fragment) {
          const sent = await sendMessage(socket, payload, where, {
            signal,
            ...(rate > 0 && { rate }),
            ...(fragmentSize && { maxDatagramSize: fragmentSize }),
          });
          out.verbose(
            `sent message ${sent.messageId} (${payload.length} bytes in ${sent.fragments} fragments) to ${host}:${port}`,
          );
        } else if (waitReply) {
          try {
            const reply = await request(where, payload, { timeout, retries, socket, signal });
            if (out.flags.json)
              out.json(datagramJson(reply, { rtt: round(reply.rtt), attempts: reply.attempts }));
            else out.line(showPayload(reply.data));
            out.verbose(
              `reply from ${reply.address}:${reply.port} in ${round(reply.rtt)} ms after ${reply.attempts} attempt(s)`,
            );
          } catch (err) {
            if (!(err instanceof TimeoutError)) throw err;
            timeouts++;
            out.info(
              `netkit: udp send: ${err.message} (is a server listening? raise --timeout or --retries)`,
            );
            if (out.flags.json)
              out.json({ timeout: true, to: target.address, port, waited: timeout });
          }
        } else {
          await socket.send(payload, where);
          out.verbose(`sent ${payload.length} bytes to ${host}:${port}`);
        }
        if (i < repeat) await sleep(interval, signal);
      }
    } finally {
      await socket.close();
    }
    return timeouts > 0 ? ExitCode.timeout : ExitCode.ok;
  },
};

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
