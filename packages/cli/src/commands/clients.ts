import { createClientListServer, joinClientList } from '@netkit/tcp';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, portArg, str } from '../flags.js';
import { LISTEN_FLAGS, listenTarget, timeoutFlag, UNIX_FLAG } from '../tcp-target.js';
import { untilStopped } from '../until-stopped.js';

const FRAMED_FLAG: Command['flags'] = {
  framed: {
    type: 'boolean',
    description:
      "the name and the list travel in 4-byte length-prefixed frames (default: the seed's plain protocol)",
  },
};

export const clientsServe: Command = {
  path: ['clients', 'serve'],
  summary:
    "The seed's client-list server: each client sends its name and gets the whole list as JSON.",
  positionals: [],
  flags: {
    ...LISTEN_FLAGS,
    port: {
      type: 'string',
      value: 'P',
      description: 'port to bind (default 5000, as in the seed)',
    },
    ...FRAMED_FLAG,
    'max-name': {
      type: 'string',
      value: 'BYTES',
      description: 'longest name accepted (default 256)',
    },
    count: { type: 'string', short: 'c', value: 'N', description: 'exit after N joins' },
  },
  details:
    'The list is name -> {name, address, port}; a repeated name replaces its entry. Unlike the seed,\n' +
    'the answer is never truncated, whatever its size. Each join is logged on stdout; a bad name gets\n' +
    '{"error": "..."} and the server goes on.',
  examples: [
    'netkit clients serve',
    'netkit clients serve --host 0.0.0.0 --port 5000',
    'netkit clients serve --unix /tmp/clients.sock',
  ],
  async run(args, { out, signal }) {
    const count = intArg('--count', args.flags.count, 1, Number.MAX_SAFE_INTEGER);
    const maxNameBytes = intArg('--max-name', args.flags['max-name'], 1, 65_535);
    const { stopped, stop } = untilStopped(signal);
    let joins = 0;
    const server = await createClientListServer({
      ...listenTarget(args, 5000),
      protocol: flag(args.flags.framed) ? 'framed' : 'plain',
      ...(maxNameBytes !== undefined && { maxNameBytes }),
      onJoin: (entry, size) => {
        if (out.flags.json) out.json({ event: 'join', ...entry, clients: size });
        else out.line(`${entry.name} joined from ${peerOf(entry)} (${plural(size, 'client')})`);
        if (count !== undefined && ++joins >= count) stop();
      },
      onRefuse: (reason, c) => out.info(`netkit: refused ${c.remote}: ${reason}`),
    });
    out.info(
      `listening on ${server.endpoint} (client list, ${flag(args.flags.framed) ? 'framed' : 'plain'} protocol)`,
    );
    await stopped;
    await server.close({ drainTimeout: 2000 });
    out.info(
      `${plural(Object.keys(server.clients()).length, 'client')} in the list; accepted ${server.stats.accepted}, errors ${server.stats.errors}`,
    );
    return ExitCode.ok;
  },
};

export const clientsJoin: Command = {
  path: ['clients', 'join'],
  summary: 'Join a client-list server under a name and print the whole list (JSON, indented by 4).',
  positionals: [],
  flags: {
    name: {
      type: 'string',
      short: 'n',
      value: 'NAME',
      description: 'the name to join under (required)',
    },
    host: { type: 'string', value: 'H', description: 'server name or IP (default localhost)' },
    port: { type: 'string', value: 'P', description: 'server port (default 5000)' },
    ...UNIX_FLAG,
    ...FRAMED_FLAG,
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'for connecting and for the answer (default 10000)',
    },
  },
  examples: [
    'netkit clients join --name name1',
    'netkit clients join -n alice --host 127.0.0.1 --port 5000 --json',
  ],
  async run(args, { out, signal }) {
    const name = str(args.flags.name);
    if (name === undefined) throw new UsageError('--name is required', 'e.g. --name name1');
    const path = str(args.flags.unix);
    if (path !== undefined && (args.flags.host !== undefined || args.flags.port !== undefined)) {
      throw new UsageError('give --host/--port or --unix PATH, not both');
    }
    const where =
      path !== undefined
        ? { path }
        : {
            host: str(args.flags.host) ?? 'localhost',
            port: args.flags.port === undefined ? 5000 : portArg('--port', args.flags.port),
          };
    const list = await joinClientList({
      ...where,
      name,
      protocol: flag(args.flags.framed) ? 'framed' : 'plain',
      timeout: timeoutFlag(args.flags, 10_000),
      signal,
    });
    if (out.flags.json) out.json(list);
    else out.line(JSON.stringify(list, null, 4));
    return ExitCode.ok;
  },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "127.0.0.1:5000", "[::1]:5000", or "a Unix socket" (whose peers have no address). */
function peerOf(entry: { address: string; port: number }): string {
  if (entry.address === 'unix') return 'a Unix socket';
  return entry.address.includes(':')
    ? `[${entry.address}]:${entry.port}`
    : `${entry.address}:${entry.port}`;
}
