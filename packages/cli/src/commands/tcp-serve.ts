import {
  createServer,
  echoHandler,
  fixedReplyHandler,
  type TcpConnection,
  type TcpHandler,
} from '@netkit/tcp';
import type { Command, Context, Parsed } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, str } from '../flags.js';
import type { Output } from '../io.js';
import { showPayload } from '../payload-text.js';
import { LISTEN_FLAGS, listenTarget } from '../tcp-target.js';
import { untilStopped } from '../until-stopped.js';

const SERVER_FLAGS: Command['flags'] = {
  ...LISTEN_FLAGS,
  count: {
    type: 'string',
    short: 'c',
    value: 'N',
    description: 'exit after N connections have finished',
  },
  'max-connections': {
    type: 'string',
    value: 'N',
    description: 'connections at once; more are refused (default 1024)',
  },
  'idle-timeout': {
    type: 'string',
    value: 'MS',
    description: 'close a connection silent this long (default: never)',
  },
};

/** Logs a connection's life like the seed servers: connected, each chunk, closed. */
function logged(handler: TcpHandler | undefined, out: Output): TcpHandler {
  return async (connection, ctx) => {
    const peer = connection.remote;
    if (out.flags.json) out.json({ event: 'connect', peer });
    else out.line(`${peer} connected`);
    const log = (chunk: Buffer) => {
      if (out.flags.json)
        out.json({ event: 'data', peer, size: chunk.length, base64: chunk.toString('base64') });
      else out.line(`${peer}: ${showPayload(chunk)}`);
    };
    connection.socket.on('data', log);
    try {
      if (handler) await handler(connection, ctx);
      else for await (const _ of connection);
    } finally {
      connection.socket.off('data', log);
      if (out.flags.json) out.json({ event: 'close', peer, bytes: connection.bytesRead });
      else out.line(`${peer} closed (${connection.bytesRead} bytes received)`);
    }
  };
}

async function serve(
  handler: TcpHandler | undefined,
  args: Parsed,
  { out, signal }: Context,
): Promise<number> {
  const count = intArg('--count', args.flags.count, 1, Number.MAX_SAFE_INTEGER);
  const maxConnections = intArg('--max-connections', args.flags['max-connections'], 1, 2 ** 24);
  const idleTimeout = intArg('--idle-timeout', args.flags['idle-timeout'], 1, 2 ** 31);
  const { stopped, stop } = untilStopped(signal);
  let finished = 0;
  const inner = logged(handler, out);
  const server = await createServer(
    async (connection: TcpConnection, ctx) => {
      try {
        await inner(connection, ctx);
      } finally {
        if (count !== undefined && ++finished >= count) stop();
      }
    },
    {
      ...listenTarget(args),
      ...(maxConnections !== undefined && { maxConnections }),
      ...(idleTimeout !== undefined && { idleTimeout }),
      onError: (err, c) =>
        out.info(`netkit: ${c.remote}: ${(err as Error).message ?? String(err)}`),
    },
  );
  out.info(`listening on ${server.endpoint} (tcp)`);
  await stopped;
  await server.close({ drainTimeout: 2000 });
  const s = server.stats;
  out.info(
    `accepted ${s.accepted}, refused ${s.refused}, completed ${s.completed}, errors ${s.errors}, idle timeouts ${s.idleTimeouts}`,
  );
  return ExitCode.ok;
}

export const tcpListen: Command = {
  path: ['tcp', 'listen'],
  summary: 'Accept connections and print what arrives on each, with the peer.',
  positionals: [],
  flags: SERVER_FLAGS,
  details:
    'Prints "PEER connected", "PEER: TEXT" per chunk received, and "PEER closed (N bytes received)";\n--json prints one event object per line. Many connections are served at once.',
  examples: ['netkit tcp listen --port 6667', 'netkit tcp listen --unix /tmp/netkit.sock --json'],
  run: (args, ctx) => serve(undefined, args, ctx),
};

export const tcpEcho: Command = {
  path: ['tcp', 'echo'],
  summary:
    "Echo every byte back on each connection (the seeds' forking echo server, on the event loop).",
  positionals: [],
  flags: SERVER_FLAGS,
  examples: ['netkit tcp echo --port 7000', 'ncat localhost 7000'],
  run: (args, ctx) => serve(echoHandler, args, ctx),
};

export const tcpServe: Command = {
  path: ['tcp', 'serve'],
  summary:
    'Answer each message with a fixed reply (the seeds\' "I got your message" and "Thank you." servers).',
  positionals: [],
  flags: {
    ...SERVER_FLAGS,
    reply: { type: 'string', value: 'TEXT', description: 'the reply (required)' },
    lines: {
      type: 'boolean',
      description: 'a message is a line (default: whatever one read delivers, like recv(1024))',
    },
  },
  examples: [
    "netkit tcp serve --port 6667 --reply 'I got your message'",
    "netkit tcp serve --port 6667 --reply 'Thank you.' --lines",
  ],
  run(args, ctx) {
    const reply = str(args.flags.reply);
    if (reply === undefined)
      throw new UsageError('--reply is required', "e.g. --reply 'Thank you.'");
    return serve(fixedReplyHandler(reply, { lines: flag(args.flags.lines) }), args, ctx);
  },
};
