import { formatEndpoint, receiveMessages, UdpSocket } from '@netkit/udp';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { flag, intArg, portArg, str } from '../flags.js';
import { datagramJson, datagramLine } from '../payload-text.js';

export const udpListen: Command = {
  path: ['udp', 'listen'],
  summary: "Print every datagram that arrives, with its sender (the seeds' UDP servers).",
  positionals: [],
  flags: {
    host: {
      type: 'string',
      value: 'H',
      description: "address to bind (default localhost; '0.0.0.0' or '::' for all interfaces)",
    },
    port: {
      type: 'string',
      value: 'P',
      description: 'port to bind (required; 0 picks a free one)',
    },
    count: {
      type: 'string',
      short: 'c',
      value: 'N',
      description: 'exit after N datagrams (or messages)',
    },
    'max-size': {
      type: 'string',
      value: 'BYTES',
      description:
        'largest datagram printed whole (default 65535); longer ones are marked truncated',
    },
    reassemble: {
      type: 'boolean',
      description: 'datagrams are netkit fragments (udp send --fragment): print whole messages',
    },
    'recv-buffer': {
      type: 'string',
      value: 'BYTES',
      description:
        "socket receive buffer to ask for (default: the kernel's; 4194304 with --reassemble)",
    },
    'reuse-addr': {
      type: 'boolean',
      description: 'share the port with other sockets (SO_REUSEADDR)',
    },
  },
  details:
    'Each datagram prints as "ADDRESS:PORT: TEXT" (binary payloads as a hex marker); with --json\n' +
    'one object per line: {from, port, family, size, text?, base64}. The bound address goes to\n' +
    'stderr. Broadcasts reach only sockets bound to every interface (--host 0.0.0.0).',
  examples: [
    'netkit udp listen --port 6667',
    'netkit udp listen --host 0.0.0.0 --port 9999 --json',
    'netkit udp listen --port 7000 --reassemble -c 1 > message.bin',
  ],
  async run({ flags }, { out, signal }) {
    const port = portArg('--port', flags.port, true);
    const count = intArg('--count', flags.count, 1, Number.MAX_SAFE_INTEGER);
    const maxDatagramSize = intArg('--max-size', flags['max-size'], 1, 65_535);
    const reassemble = flag(flags.reassemble);
    // Fragments come in bursts: a larger buffer (the kernel caps it at net.core.rmem_max) drops fewer.
    const recvBufferSize =
      intArg('--recv-buffer', flags['recv-buffer'], 1, 2 ** 31 - 1) ??
      (reassemble ? 4 * 2 ** 20 : undefined);
    const socket = new UdpSocket({
      ...(recvBufferSize !== undefined && { recvBufferSize }),
      reuseAddr: flag(flags['reuse-addr']),
      signal,
      ...(maxDatagramSize !== undefined && { maxDatagramSize }),
    });
    const bound = await socket.bind({ port, host: str(flags.host) ?? 'localhost' });
    out.info(`listening on ${formatEndpoint(bound.address, bound.port)} (udp)`);
    out.verbose(`receive buffer: ${socket.bufferSizes()?.recv} bytes`);
    let seen = 0;
    try {
      if (reassemble) {
        const messages = receiveMessages(socket, {
          onLost: (l) =>
            out.info(
              `netkit: message ${l.messageId} from ${l.source} lost (${l.reason}, ${l.received} of ${l.count} fragments)`,
            ),
        });
        for await (const m of messages) {
          if (out.flags.json) out.json(datagramJson(m, { messageId: m.messageId }));
          else out.io.stdout.write(m.data);
          if (count !== undefined && ++seen >= count) break;
        }
      } else {
        for await (const d of socket) {
          if (out.flags.json) out.json(datagramJson(d));
          else out.line(datagramLine(d));
          if (d.truncated)
            out.info(
              `netkit: datagram from ${formatEndpoint(d.address, d.port)} truncated to ${d.data.length} of ${d.size} bytes (raise --max-size)`,
            );
          if (count !== undefined && ++seen >= count) break;
        }
      }
    } finally {
      await socket.close();
    }
    const s = socket.stats;
    out.verbose(`received ${s.received} datagrams, ${s.truncated} truncated, ${s.dropped} dropped`);
    return ExitCode.ok;
  },
};
