import { readFile } from 'node:fs/promises';
import { createServer, parseZone, questionToText, recordsHandler } from '@netkit/dns';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { intArg, str } from '../flags.js';
import { untilStopped } from '../until-stopped.js';

export const dnsServe: Command = {
  path: ['dns', 'serve'],
  summary: 'Answer DNS queries over UDP and TCP from a zone file, authoritatively.',
  positionals: [],
  flags: {
    zone: {
      type: 'string',
      short: 'z',
      value: 'FILE',
      description: 'the zone file (RFC 1035 master format: $ORIGIN, $TTL, every common type)',
    },
    origin: {
      type: 'string',
      value: 'NAME',
      description: 'the origin for relative names when the file has no $ORIGIN',
    },
    host: { type: 'string', value: 'H', description: 'address to bind (default localhost)' },
    port: {
      type: 'string',
      value: 'P',
      description: 'port for UDP and TCP (default 53; 0 picks a free one)',
    },
  },
  details:
    'Answers are authoritative (AA): exact names, CNAME chains, NXDOMAIN and NODATA with the SOA.\n' +
    "An answer too big for the client's UDP size is sent with TC set, so the client asks over TCP.\n" +
    'Malformed queries get FORMERR; the server never stops for them. Each query is logged on stdout.',
  examples: [
    'netkit dns serve --zone test.zone --port 5353',
    'netkit dns query www.test.netkit --server 127.0.0.1:5353',
  ],
  async run({ flags }, { out, signal }) {
    const file = str(flags.zone);
    if (file === undefined) throw new UsageError('--zone is required', 'e.g. --zone example.zone');
    const port = intArg('--port', flags.port, 0, 65_535) ?? 53;
    const origin = str(flags.origin);
    const records = parseZone(await readFile(file, 'utf8'), {
      fileName: file,
      ...(origin !== undefined && { origin }),
    });
    const { stopped } = untilStopped(signal);
    const answer = recordsHandler(records);
    const server = await createServer({
      host: str(flags.host) ?? '127.0.0.1',
      port,
      handler: (query, context) => {
        const question = query.questions[0];
        const peer = context.address.includes(':')
          ? `[${context.address}]:${context.port}`
          : `${context.address}:${context.port}`;
        if (out.flags.json)
          out.json({
            from: context.address,
            port: context.port,
            transport: context.transport,
            question: question ?? null,
          });
        else
          out.line(
            `${peer} ${context.transport} ${question ? questionToText(question).replace(/^;/, '') : '(no question)'}`,
          );
        return answer(query, context);
      },
      signal,
    });
    out.info(
      `serving ${records.length} records from ${file} on ${server.address().address}:${server.port} (udp and tcp)`,
    );
    await stopped;
    await server.close();
    const s = server.stats;
    out.info(
      `queries ${s.queries} (tcp ${s.tcpQueries}), truncated ${s.truncated}, formerr ${s.formerr}, dropped ${s.dropped}`,
    );
    return ExitCode.ok;
  },
};
