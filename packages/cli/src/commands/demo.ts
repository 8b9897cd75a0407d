import { createHash } from 'node:crypto';
import {
  createServer as createDnsServer,
  query as dnsQuery,
  RecordType,
  type ResourceRecord,
  recordToText,
} from '@netkit/dns';
import { collectReplies, createAckReceiver } from '@netkit/multicast';
import {
  connect,
  createClientListServer,
  createEchoServer as createTcpEchoServer,
  createReplyServer as createTcpReplyServer,
  joinClientList,
} from '@netkit/tcp';
import {
  broadcastInterfaces,
  createEchoServer,
  createReplyServer,
  receiveMessages,
  request,
  sendMessage,
  TimeoutError,
  UdpSocket,
} from '@netkit/udp';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { rawSkipReason, rawSteps } from './raw-demo.js';

interface Step {
  title: string;
  /** Returns what it showed; throws when netkit did not do what it should. */
  run(): Promise<string>;
}

/** The UDP part of the tour: every server is started on loopback and stopped by the demo itself. */
function udpSteps(): Step[] {
  return [
    {
      title: 'UDP echo server with the seed\'s "OK..." prefix',
      async run() {
        await using server = await createEchoServer({ prefix: 'OK...' });
        const reply = await request({ host: '127.0.0.1', port: server.address().port }, 'hello');
        expect(
          reply.data.toString() === 'OK...hello',
          `echo answered ${JSON.stringify(reply.data.toString())}`,
        );
        return `sent "hello" to ${server.endpoint}, got "${reply.data}" in ${reply.rtt.toFixed(2)} ms`;
      },
    },
    {
      title: 'Acknowledgement server ("Got your message!")',
      async run() {
        await using server = await createReplyServer('Got your message!');
        const reply = await request(
          { host: '127.0.0.1', port: server.address().port },
          'Hello you there!',
        );
        expect(reply.data.toString() === 'Got your message!', 'wrong acknowledgement');
        return `${server.endpoint} acknowledged with "${reply.data}"`;
      },
    },
    {
      title: 'Client with a timeout and retries (exponential backoff)',
      async run() {
        // A bound socket that never answers: the request must give up on time, not hang.
        await using silent = new UdpSocket();
        const { port } = await silent.bind({ host: '127.0.0.1' });
        const started = performance.now();
        try {
          await request({ host: '127.0.0.1', port }, 'anyone?', { timeout: 100, retries: 2 });
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          const waited = performance.now() - started;
          return `no reply: gave up after 3 attempts (100 + 200 + 400 ms) in ${waited.toFixed(0)} ms with ${err.code}`;
        }
        throw new Error('a silent peer answered');
      },
    },
    {
      title: '1 MiB message over UDP: fragmented, reassembled, checked (no 1024-byte truncation)',
      async run() {
        await using receiver = new UdpSocket();
        const { port } = await receiver.bind({ host: '127.0.0.1' });
        await using sender = new UdpSocket();
        const message = Buffer.alloc(2 ** 20);
        for (let i = 0; i < message.length; i++) message[i] = (i * 2654435761) >>> 24;
        const first = receiveMessages(receiver, { timeout: 2000 })[Symbol.asyncIterator]().next();
        const sent = await sendMessage(sender, message, { host: '127.0.0.1', port });
        const got = await first;
        expect(
          !got.done && got.value.data.equals(message),
          'the message arrived different or not at all',
        );
        return `${message.length} bytes in ${sent.fragments} datagrams, sha256 ${sha256(message).slice(0, 16)}… identical`;
      },
    },
    {
      title: 'Directed broadcast addresses (computed, nothing sent)',
      async run() {
        const found = broadcastInterfaces();
        if (found.length === 0) return 'no IPv4 interface besides loopback here';
        return found.map((i) => `${i.name} ${i.address}/${i.netmask} -> ${i.broadcast}`).join('; ');
      },
    },
  ];
}

/** The TCP part: an echo server, an acknowledging server, and the client list past 1024 bytes. */
function tcpSteps(): Step[] {
  return [
    {
      title: 'TCP echo server, one connection per client, on the event loop',
      async run() {
        await using server = await createTcpEchoServer();
        await using connection = await connect({ host: '127.0.0.1', port: server.port });
        await connection.end('Hello');
        const reply = await connection.readAll({ maxBytes: 1024, timeout: 2000 });
        expect(reply.toString() === 'Hello', `echo answered ${JSON.stringify(reply.toString())}`);
        return `sent b'Hello' to ${server.endpoint}, got "${reply}" back, then both sides closed`;
      },
    },
    {
      title: 'TCP server answering "I got your message"',
      async run() {
        await using server = await createTcpReplyServer('I got your message');
        await using connection = await connect({ host: '127.0.0.1', port: server.port });
        await connection.end('are you there?');
        const reply = await connection.readAll({ maxBytes: 1024, timeout: 2000 });
        expect(reply.toString() === 'I got your message', 'wrong reply');
        return `${server.endpoint} answered "${reply}"`;
      },
    },
    {
      title:
        "client_list.py's service: 60 clients join, the last gets the whole list (no 1024-byte truncation)",
      async run() {
        await using server = await createClientListServer();
        let list = {};
        for (let i = 1; i <= 60; i++)
          list = await joinClientList({ host: '127.0.0.1', port: server.port, name: `name${i}` });
        const size = Buffer.byteLength(JSON.stringify(list));
        expect(Object.keys(list).length === 60, `the list has ${Object.keys(list).length} entries`);
        return `${server.endpoint}: the 60th client got all 60 entries, ${size} bytes of valid JSON`;
      },
    },
  ];
}

/** The DNS part: netkit's own server on loopback, asked by netkit's resolver. */
function dnsSteps(): Step[] {
  const zone: ResourceRecord[] = [
    {
      name: 'demo.netkit',
      type: RecordType.SOA,
      class: 1,
      ttl: 300,
      data: {
        mname: 'ns.demo.netkit',
        rname: 'hostmaster.demo.netkit',
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 60,
      },
    },
    { name: 'www.demo.netkit', type: RecordType.A, class: 1, ttl: 60, data: '198.18.0.10' },
    {
      name: 'demo.netkit',
      type: RecordType.MX,
      class: 1,
      ttl: 60,
      data: { preference: 10, exchange: 'mail.demo.netkit' },
    },
  ];
  for (let i = 0; i < 60; i++)
    zone.push({
      name: 'many.demo.netkit',
      type: RecordType.A,
      class: 1,
      ttl: 60,
      data: `198.18.1.${i}`,
    });
  const ask = async (name: string, type: string, udpSize?: number) => {
    await using server = await createDnsServer({ records: zone });
    // Awaited here: `await using` closes the server as soon as this function returns.
    return await dnsQuery(name, type, {
      servers: [`127.0.0.1:${server.port}`],
      timeout: 2000,
      ...(udpSize && { udpSize }),
    });
  };
  return [
    {
      title: "DNS query parsed in full (not the seed's last 16 bytes)",
      async run() {
        const { message, rtt } = await ask('demo.netkit', 'MX');
        const [mx] = message.answers;
        expect(mx !== undefined && mx.type === RecordType.MX, 'no MX answer');
        return `${recordToText(mx)} (in ${rtt.toFixed(2)} ms, id ${message.id} matched)`;
      },
    },
    {
      title: 'NXDOMAIN is an answer, with the zone SOA',
      async run() {
        const { message } = await ask('nothing.demo.netkit', 'A');
        expect(
          message.rcode === 3 && message.authorities.length === 1,
          'expected NXDOMAIN with an SOA',
        );
        return `nothing.demo.netkit: NXDOMAIN, SOA ${recordToText(message.authorities[0]!).split('\t').pop()}`;
      },
    },
    {
      title: 'Truncated over UDP, fetched whole over TCP',
      async run() {
        const { message, transport, size } = await ask('many.demo.netkit', 'A', 512);
        expect(
          transport === 'tcp' && message.answers.length === 60,
          `got ${message.answers.length} answers over ${transport}`,
        );
        return `60 A records (${size} bytes) did not fit 512 bytes of UDP: TC set, asked again over TCP`;
      },
    },
  ];
}

/** The multicast part: the seed's sender and "ack" receivers, on 127.0.0.1 (Linux loops it back). */
function mcastSteps(): Step[] {
  const group = '239.255.77.7';
  const receivers = async (n: number) => {
    const first = await createAckReceiver({ group, port: 0, interface: '127.0.0.1' });
    const port = first.socket.address()?.port ?? 0;
    const all = [first];
    try {
      for (let i = 1; i < n; i++)
        all.push(await createAckReceiver({ group, port, interface: '127.0.0.1' }));
    } catch (err) {
      // The step's finally never sees these: close them here.
      await Promise.all(all.map((r) => r.close()));
      throw err;
    }
    return { all, port };
  };
  const ask = (port: number) =>
    collectReplies({ group, port }, 'Very important data', {
      ttl: 1,
      interface: '127.0.0.1',
      timeout: 300,
    });
  return [
    {
      title: 'Multicast: the seed\'s sender (TTL 1) and three receivers answering "ack"',
      async run() {
        const { all, port } = await receivers(3);
        try {
          const { replies } = await ask(port);
          expect(replies.length === 3, `${replies.length} acks instead of 3`);
          return `sent "Very important data" to ${group}:${port}, ${replies.length} acks collected, then timed out`;
        } finally {
          await Promise.all(all.map((r) => r.close()));
        }
      },
    },
    {
      title: 'Multicast: a receiver that leaves the group hears nothing more',
      async run() {
        // One receiver: Linux delivers a group's datagrams to every socket bound to its port
        // while any socket on the host is a member, so a leave shows only when it was the last.
        const { all, port } = await receivers(1);
        const [receiver] = all;
        try {
          const before = await ask(port);
          receiver?.socket.leave(group, { interface: '127.0.0.1' });
          const after = await ask(port);
          expect(before.replies.length === 1, `${before.replies.length} acks before leaving`);
          expect(after.replies.length === 0, 'the receiver that left still answered');
          expect(receiver?.stats.received === 1, 'the receiver that left still got the datagram');
          return `1 ack before leaving ${group}, none after, though the socket stayed open`;
        } finally {
          await Promise.all(all.map((r) => r.close()));
        }
      },
    },
  ];
}

function expect(ok: boolean, why: string): asserts ok {
  if (!ok) throw new Error(why);
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function runSteps(steps: Step[], out: Output, signal: AbortSignal): Promise<number> {
  let failed = 0;
  let done = 0;
  for (const [i, step] of steps.entries()) {
    // Ctrl-C: no further step starts, and the one it cut short is not called a failure.
    if (signal.aborted) break;
    try {
      const shown = await step.run();
      done++;
      if (out.flags.json) out.json({ step: i + 1, title: step.title, ok: true, result: shown });
      else out.line(`${out.paint(32, '✓')} ${step.title}\n    ${shown}`);
    } catch (err) {
      if (signal.aborted) break;
      done++;
      failed++;
      const why = err instanceof Error ? err.message : String(err);
      if (out.flags.json) out.json({ step: i + 1, title: step.title, ok: false, error: why });
      else out.line(`${out.paint(31, '✗')} ${step.title}\n    ${why}`);
    }
  }
  if (signal.aborted && done < steps.length) {
    if (out.flags.json) out.json({ interrupted: true, passed: done - failed, failed });
    else out.line(`\ninterrupted: ${done - failed} of ${steps.length} demo steps passed`);
    return ExitCode.interrupted;
  }
  const summary = `${steps.length - failed} of ${steps.length} demo steps passed`;
  if (out.flags.json) out.json({ passed: steps.length - failed, failed });
  else out.line(`\n${summary}`);
  return failed === 0 ? ExitCode.ok : ExitCode.error;
}

export const demo: Command = {
  path: ['demo'],
  summary:
    'A short self-contained tour of netkit on loopback: servers started and stopped by itself.',
  positionals: [],
  flags: {},
  details:
    'Needs nothing else running and sends traffic only to 127.0.0.1; as root it also makes a\n' +
    'namespace pair of its own (nkdemo-PID-a/b, 198.18.9.0/24) for raw frames, and removes it.\n' +
    'Exits 1 if a step fails.',
  examples: ['netkit demo', 'netkit demo --json'],
  async run(_args, { out, signal }) {
    if (!out.flags.json) out.line('netkit demo: UDP, TCP, DNS and multicast on loopback\n');
    const rawSkip = rawSkipReason();
    if (rawSkip !== undefined) {
      if (out.flags.json) out.json({ skipped: 'raw frames across namespaces', reason: rawSkip });
      else out.line(`- raw frames across namespaces skipped: ${rawSkip}\n`);
    }
    return runSteps(
      [...udpSteps(), ...tcpSteps(), ...dnsSteps(), ...mcastSteps(), ...rawSteps(signal)],
      out,
      signal,
    );
  },
};
