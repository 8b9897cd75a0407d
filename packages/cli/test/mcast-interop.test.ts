// `netkit mcast` between network namespaces on one bridge, against socat and tshark. Nothing
// leaves the namespaces (198.18.0.0/24, fd00:198:18::/64).
import {
  createNetwork,
  type ManagedProcess,
  skipUnless,
  type TestHost,
  type TestNetwork,
  tsharkReady,
} from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, NETKIT_BIN, useProcesses } from './netkit.js';

const req = skipUnless(['root', 'netns', 'socat', 'tshark']);

describe.skipIf(req.skip)(`netkit mcast across namespaces${req.note}`, () => {
  const track = useProcesses();
  let net: TestNetwork;
  beforeAll(async () => {
    net = await createNetwork({ hosts: 3, ipv6: true, name: 'climc' });
  });
  afterAll(async () => {
    await net?.destroy();
  });

  const netkitIn = (host: TestHost, args: string[]): ManagedProcess =>
    track(host.spawn(process.execPath, [NETKIT_BIN, ...args], { env: { NO_COLOR: '1' } }));

  async function finished(p: ManagedProcess): Promise<void> {
    const status = await p.exited;
    expect(status.code, p.stdout() + p.stderr()).toBe(0);
  }

  it('socat (ip-add-membership) receives netkit mcast send, and its acks are counted', async () => {
    const [sender, printer, acker] = net.hosts;
    const group = '239.1.7.1';
    const port = '47401';
    // One socat prints what it gets; the other answers each datagram with "ack" from a child.
    // The child reads the datagram before answering: a bare `echo ack` can exit before socat
    // writes to it, and socat then dies on EPIPE without sending the ack (1 run in 7 here).
    const printing = track(
      printer!.spawn('socat', [
        '-u',
        `UDP4-RECV:${port},ip-add-membership=${group}:${printer!.ipv4},reuseaddr`,
        'STDOUT',
      ]),
    );
    const acking = track(
      acker!.spawn('socat', [
        '-T',
        '2',
        `UDP4-RECVFROM:${port},ip-add-membership=${group}:${acker!.ipv4},reuseaddr,fork`,
        'SYSTEM:head -c 1 >/dev/null; echo ack',
      ]),
    );
    // socat prints nothing once bound: wait until both sockets are in the kernel's table.
    for (const [host] of [[printer!], [acker!]] as const) {
      let bound = false;
      for (let i = 0; i < 100 && !bound; i++) {
        const ss = await host.run('ss', ['-uln', `sport = :${port}`]);
        bound = ss.stdout.includes(`:${port}`);
        if (!bound) await new Promise((r) => setTimeout(r, 50));
      }
      expect(bound).toBe(true);
    }
    const send = netkitIn(sender!, [
      'mcast',
      'send',
      group,
      port,
      'Very important data',
      '-i',
      'eth0',
      '--collect',
      '1500',
    ]);
    await finished(send);
    expect(send.stdout()).toBe(`${acker!.ipv4}:${port}: ack\ntimed out, 1 response\n`);
    await printing.waitFor('Very important data', { stream: 'stdout', timeout: 5000 });
    expect(printing.stdout()).toBe('Very important data');
    expect(acking.error()).toBeUndefined();
  });

  it('netkit mcast listen --ack receives socat UDP4-DATAGRAM with ip-multicast-if and -ttl', async () => {
    const [sender, member] = net.hosts;
    const group = '239.1.7.2';
    const port = '47402';
    const listen = netkitIn(member!, [
      'mcast',
      'listen',
      group,
      port,
      '-i',
      'eth0',
      '--ack',
      'seen',
      '--json',
      '-c',
      '1',
    ]);
    await listen.waitFor(/listening on/, { stream: 'stderr', timeout: 10_000 });
    const socat = await sender!.run(
      'socat',
      [
        '-t',
        '1.5',
        '-',
        `UDP4-DATAGRAM:${group}:${port},ip-multicast-if=${sender!.ipv4},ip-multicast-ttl=2`,
      ],
      { input: 'from socat', timeout: 10_000 },
    );
    await finished(listen);
    const [d] = jsonLines(listen.stdout());
    expect(d).toMatchObject({ from: sender!.ipv4, text: 'from socat', group, family: 'IPv4' });
    // The ack went back to socat's socket, which printed it.
    expect(socat.stdout).toBe('seen');
  });

  it('--ttl 3 goes on the wire: tshark on the bridge reads ip.ttl and ipv6.hlim', async () => {
    const [sender] = net.hosts;
    for (const [group, field] of [
      ['239.1.7.3', 'ip.ttl'],
      ['ff15::1:7:3', 'ipv6.hlim'],
    ] as const) {
      const tshark = track(
        net.spawn('tshark', [
          '-l',
          '-n',
          '-i',
          'br0',
          '-c',
          '1',
          '-a',
          'duration:15',
          '-f',
          'udp dst port 47403',
          '-T',
          'fields',
          '-e',
          field,
        ]),
      );
      await tsharkReady(tshark);
      const send = netkitIn(sender!, [
        'mcast',
        'send',
        group,
        '47403',
        'ttl?',
        '-i',
        'eth0',
        '--ttl',
        '3',
        '--collect',
        '0',
      ]);
      await finished(send);
      await finished(tshark);
      expect(tshark.stdout().trim(), field).toBe('3');
    }
  });

  it('IPv6: listen on ff15:: by interface name, send collects the ack', async () => {
    const [sender, a, b] = net.hosts;
    const group = 'ff15::1:7:4';
    const listeners = [a!, b!].map((h) =>
      netkitIn(h, ['mcast', 'listen', group, '47404', '-i', 'eth0', '--ack', '--json', '-c', '1']),
    );
    await Promise.all(
      listeners.map((l) => l.waitFor(/listening on/, { stream: 'stderr', timeout: 10_000 })),
    );
    const send = netkitIn(sender!, [
      'mcast',
      'send',
      group,
      '47404',
      'six',
      '-i',
      'eth0',
      '--collect',
      '1500',
      '--json',
    ]);
    await finished(send);
    const out = jsonLines(send.stdout());
    expect(
      out
        .slice(0, -1)
        .map((r) => r.from)
        .sort(),
    ).toEqual([a!.ipv6, b!.ipv6].sort());
    expect(out.at(-1)).toEqual({ responses: 2, reason: 'timeout' });
    for (const l of listeners) {
      await finished(l);
      expect(jsonLines(l.stdout())).toMatchObject([
        { from: sender!.ipv6, text: 'six', group, family: 'IPv6' },
      ]);
    }
  });

  it('source-specific listen hears its source only', async () => {
    const [a, b, member] = net.hosts;
    const group = '232.1.7.5';
    const listen = netkitIn(member!, [
      'mcast',
      'listen',
      group,
      '47405',
      '-i',
      'eth0',
      '--source',
      a!.ipv4,
      '--ack',
      '--json',
    ]);
    await listen.waitFor(/listening on/, { stream: 'stderr', timeout: 10_000 });
    const args = (m: string) => [
      'mcast',
      'send',
      group,
      '47405',
      m,
      '-i',
      'eth0',
      '--collect',
      '800',
    ];
    const [fromA, fromB] = [netkitIn(a!, args('from A')), netkitIn(b!, args('from B'))];
    await finished(fromA);
    expect((await fromB.exited).code).toBe(3);
    expect(fromA.stdout()).toContain('timed out, 1 response');
    expect(fromB.stdout()).toBe('timed out, 0 responses\n');
    expect(jsonLines(listen.stdout()).map((d) => d.text)).toEqual(['from A']);
  });
});
