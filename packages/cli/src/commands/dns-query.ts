import {
  type Message,
  messageToJSON,
  opcodeToString,
  type QueryResult,
  query,
  questionToText,
  RecordType,
  type ResourceRecord,
  rcodeToString,
  rdataToText,
  recordToText,
} from '@netkit/dns';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { flag, intArg, str } from '../flags.js';

export const dnsQuery: Command = {
  path: ['dns', 'query'],
  summary:
    'Ask a DNS server and print the answer like dig (the seed DNS client, with full parsing).',
  positionals: [
    { name: 'NAME', required: true, description: 'the name to look up' },
    {
      name: 'TYPE',
      required: false,
      description: 'record type: A (default), AAAA, MX, TXT, SOA, HTTPS, TYPE123...',
    },
  ],
  flags: {
    server: {
      type: 'string',
      short: 's',
      value: 'HOST[:PORT]',
      description: 'the server to ask (default: /etc/resolv.conf); [v6]:port for IPv6',
    },
    tcp: {
      type: 'boolean',
      description: 'ask over TCP (default: UDP, TCP when the answer is truncated)',
    },
    'no-tcp': { type: 'boolean', description: 'never fall back to TCP' },
    short: {
      type: 'boolean',
      description: "print only the answers' data, one per line, as dig +short",
    },
    dnssec: { type: 'boolean', description: 'ask for DNSSEC records (the DO bit)' },
    'no-edns': { type: 'boolean', description: 'send no EDNS OPT record' },
    'udp-size': {
      type: 'string',
      value: 'BYTES',
      description: 'EDNS UDP payload size to advertise (default 1232)',
    },
    'no-recurse': { type: 'boolean', description: 'clear the RD bit' },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'per try (default: resolv.conf, else 5000)',
    },
    retries: {
      type: 'string',
      value: 'N',
      description: 'more rounds over the servers (default: resolv.conf attempts - 1)',
    },
  },
  details:
    'Every query has a fresh random id and source port; answers that do not match are dropped.\n' +
    'NXDOMAIN and NODATA are answers (exit 0), as in dig; no answer in time exits 3.',
  examples: [
    'netkit dns query example.com',
    'netkit dns query example.com MX --server 127.0.0.1:5353',
    'netkit dns query example.com AAAA --short',
    'netkit dns query big.example TXT --tcp --json',
  ],
  async run({ positionals, flags }, { out, signal }) {
    const name = positionals.NAME!;
    const type = (positionals.TYPE ?? 'A').toUpperCase();
    if (flag(flags.tcp) && flag(flags['no-tcp']))
      throw new UsageError('--tcp and --no-tcp contradict each other');
    const server = str(flags.server);
    const timeout = intArg('--timeout', flags.timeout, 1, 3_600_000);
    const retries = intArg('--retries', flags.retries, 0, 20);
    const udpSize = intArg('--udp-size', flags['udp-size'], 512, 65_535);
    let result: QueryResult;
    try {
      result = await query(name, type, {
        ...(server !== undefined && { servers: [server] }),
        ...(timeout !== undefined && { timeout }),
        ...(retries !== undefined && { retries }),
        ...(udpSize !== undefined && { udpSize }),
        tcp: flag(flags.tcp) ? 'always' : flag(flags['no-tcp']) ? 'never' : 'auto',
        edns: !flag(flags['no-edns']),
        dnssec: flag(flags.dnssec),
        recursion: !flag(flags['no-recurse']),
        signal,
      });
    } catch (err) {
      if (err instanceof TypeError) throw new UsageError(err.message);
      throw err;
    }
    const { message } = result;
    if (out.flags.json) {
      out.json({
        server: result.server,
        transport: result.transport,
        rtt: result.rtt,
        size: result.size,
        ignored: result.ignored,
        message: messageToJSON(message),
      });
    } else if (flag(flags.short)) {
      for (const record of message.answers) out.line(rdataToText(record));
    } else {
      out.line(digText(`${name} ${type}`, result));
    }
    if (result.ignored > 0)
      out.verbose(`dropped ${result.ignored} datagram(s) that did not match the query`);
    return ExitCode.ok;
  },
};

const FLAG_ORDER = ['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const;

/** The answer laid out as dig prints it. */
function digText(asked: string, { message, server, transport, rtt, size }: QueryResult): string {
  const opt = message.additionals.find((r) => r.type === RecordType.OPT) as
    | (ResourceRecord & { data: { version: number; dnssecOk: boolean; udpPayloadSize: number } })
    | undefined;
  const others = message.additionals.filter((r) => r.type !== RecordType.OPT);
  const flags = FLAG_ORDER.filter((f) => (message as Message)[f]).join(' ');
  const lines = [
    `; <<>> netkit dns <<>> ${asked} @${server}`,
    ';; Got answer:',
    `;; ->>HEADER<<- opcode: ${opcodeToString(message.opcode)}, status: ${rcodeToString(message.rcode)}, id: ${message.id}`,
    `;; flags: ${flags}; QUERY: ${message.questions.length}, ANSWER: ${message.answers.length}, AUTHORITY: ${message.authorities.length}, ADDITIONAL: ${message.additionals.length}`,
  ];
  if (opt) {
    lines.push(
      '',
      ';; OPT PSEUDOSECTION:',
      `; EDNS: version: ${opt.data.version}, flags:${opt.data.dnssecOk ? ' do' : ''}; udp: ${opt.data.udpPayloadSize}`,
    );
  }
  lines.push('', ';; QUESTION SECTION:', ...message.questions.map((q) => questionToText(q)));
  const section = (title: string, records: ResourceRecord[]) => {
    if (records.length)
      lines.push('', `;; ${title} SECTION:`, ...records.map((r) => recordToText(r)));
  };
  section('ANSWER', message.answers);
  section('AUTHORITY', message.authorities);
  section('ADDITIONAL', others);
  lines.push(
    '',
    `;; Query time: ${Math.round(rtt)} msec`,
    `;; SERVER: ${server} (${transport.toUpperCase()})`,
    `;; WHEN: ${new Date().toUTCString()}`,
    `;; MSG SIZE  rcvd: ${size}`,
  );
  return lines.join('\n');
}
