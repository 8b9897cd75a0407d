import { createServer, echoHandler, fixedReplyHandler, type UdpHandler } from '@netkit/udp';
import type { Command, Context, Parsed } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { intArg, portArg, str } from '../flags.js';
import { datagramJson, datagramLine } from '../payload-text.js';
import { untilStopped } from '../until-stopped.js';

const SERVER_FLAGS: Command['flags'] = {
  host: {
    type: 'string',
    value: 'H',
    description: "address to bind (default localhost; '0.0.0.0' or '::' for all interfaces)",
  },
  port: { type: 'string', value: 'P', description: 'port to bind (required; 0 picks a free one)' },
  count: {
    type: 'string',
    short: 'c',
    value: 'N',
    description: 'exit after answering N datagrams',
  },
};

/** Runs a datagram server until SIGINT/SIGTERM or --count, logging each datagram like the seeds. */
async function serve(
  handler: UdpHandler,
  { flags }: Parsed,
  { out, signal }: Context,
): Promise<number> {
  const port = portArg('--port', flags.port, true);
  const count = intArg('--count', flags.count, 1, Number.MAX_SAFE_INTEGER);
  const { stopped, stop } = untilStopped(signal);
  let seen = 0;
  const server = await createServer(
    (d, ctx) => {
      if (out.flags.json) out.json(datagramJson(d));
      else out.line(datagramLine(d));
      if (count !== undefined && ++seen >= count) stop();
      return handler(d, ctx);
    },
    {
      port,
      host: str(flags.host) ?? 'localhost',
      onError: (err) => out.info(`netkit: handler failed: ${String(err)}`),
    },
  );
  out.info(`listening on ${server.endpoint} (udp)`);
  await stopped;
  await server.close();
  const s = server.stats;
  out.info(
    `received ${s.received}, replied ${s.replied}, errors ${s.errors}, dropped ${s.dropped}`,
  );
  return ExitCode.ok;
}

export const udpEcho: Command = {
  path: ['udp', 'echo'],
  summary:
    'Echo every datagram back to its sender, after an optional prefix (the seed\'s "OK..." server).',
  positionals: [],
  flags: {
    ...SERVER_FLAGS,
    prefix: { type: 'string', value: 'TEXT', description: 'put TEXT before each echoed datagram' },
  },
  details:
    'Each datagram is logged on stdout as "ADDRESS:PORT: TEXT" (--json: one object per line);\nthe counters go to stderr when the server stops (Ctrl-C).',
  examples: [
    'netkit udp echo --port 8888 --prefix OK...',
    'ncat -u localhost 8888   # type lines, get OK...lines back',
  ],
  run: (args, ctx) => serve(echoHandler(str(args.flags.prefix)), args, ctx),
};

export const udpServe: Command = {
  path: ['udp', 'serve'],
  summary:
    'Answer every datagram with a fixed reply (the seeds\' "Ack" and "Got your message!" servers).',
  positionals: [],
  flags: {
    ...SERVER_FLAGS,
    reply: { type: 'string', value: 'TEXT', description: 'the reply (required)' },
  },
  details:
    'Each datagram is logged on stdout as "ADDRESS:PORT: TEXT" (--json: one object per line).',
  examples: [
    "netkit udp serve --port 6667 --reply 'Got your message!'",
    'netkit udp serve --port 10000 --reply Ack',
  ],
  run(args, ctx) {
    const reply = str(args.flags.reply);
    if (reply === undefined)
      throw new UsageError('--reply is required', "e.g. --reply 'Got your message!'");
    return serve(fixedReplyHandler(reply), args, ctx);
  },
};
