import { createInterface } from 'node:readline';
import { request, resolveHost, socketTypeOf, TimeoutError, UdpSocket } from '@netkit/udp';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { intArg, portArg } from '../flags.js';
import { datagramJson, showPayload } from '../payload-text.js';

export const udpChat: Command = {
  path: ['udp', 'chat'],
  summary: "Send each line you type and print the reply (the seed's interactive UDP client).",
  positionals: [
    { name: 'HOST', required: true, description: 'server name or IP' },
    { name: 'PORT', required: true, description: 'server port' },
  ],
  flags: {
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'how long to wait for each reply (default 1000)',
    },
    retries: {
      type: 'string',
      value: 'N',
      description: 'send a line again this often when no reply comes (default 0)',
    },
  },
  details:
    'One socket for the whole session, so the server sees one client. A line without a reply\nprints a timeout note on stderr and the chat goes on; end with Ctrl-D.',
  examples: ['netkit udp chat localhost 8888'],
  async run({ positionals, flags }, { out, signal }) {
    const port = portArg('PORT', positionals.PORT);
    const timeout = intArg('--timeout', flags.timeout, 1, 3_600_000) ?? 1000;
    const retries = intArg('--retries', flags.retries, 0, 100) ?? 0;
    const target = await resolveHost(positionals.HOST!);
    const socket = new UdpSocket({ type: socketTypeOf(target.family), signal });
    const interactive = Boolean(out.io.stdin.isTTY);
    const lines = createInterface({
      input: out.io.stdin,
      ...(interactive && { output: out.io.stdout, prompt: 'message: ' }),
      terminal: interactive,
    });
    let timeouts = 0;
    try {
      if (interactive) lines.prompt();
      for await (const line of lines) {
        if (signal.aborted) break;
        try {
          const reply = await request({ host: target.address, port }, line, {
            timeout,
            retries,
            socket,
            signal,
          });
          if (out.flags.json) out.json(datagramJson(reply, { rtt: reply.rtt }));
          else
            out.line(interactive ? `reply: ${showPayload(reply.data)}` : showPayload(reply.data));
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          timeouts++;
          out.info(`netkit: no reply within ${timeout} ms`);
        }
        if (interactive) lines.prompt();
      }
    } finally {
      lines.close();
      await socket.close();
    }
    out.verbose(`${timeouts} line(s) went unanswered`);
    return ExitCode.ok;
  },
};
