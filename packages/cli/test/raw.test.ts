// `netkit raw` across a veth pair: the far side's kernel answers ARP and ping, tshark and
// netkit's own capture see what netkit sends. Sockets open inside the namespaces via --netns.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLink, run, skipUnless, type TestLink, tsharkReady } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, NETKIT_BIN, netkit, spawnNetkit, useProcesses } from './netkit.js';

const req = skipUnless(['root', 'netns', 'tshark', 'setpriv']);

describe.skipIf(req.skip)(`netkit raw on a veth pair${req.note}`, () => {
  const track = useProcesses();
  let link: TestLink;
  let dir: string;
  beforeAll(async () => {
    link = await createLink();
    dir = await mkdtemp(join(tmpdir(), 'netkit-cli-raw-'));
  });
  afterAll(async () => {
    await link?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const onA = () => ['-i', 'eth0', '--netns', link.a.name];
  const onB = () => ['-i', 'eth0', '--netns', link.b.name];

  it('raw ping: the kernel answers, output like iputils ping', async () => {
    const r = await netkit(['raw', 'ping', ...onA(), '198.18.1.2', '-c', '5', '--interval', '10']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('PING 198.18.1.2 (198.18.1.2) 56(84) bytes of data.');
    const replies = lines.filter((l) => l.startsWith('64 bytes'));
    expect(replies).toHaveLength(5);
    replies.forEach((l, i) => {
      expect(l).toMatch(
        new RegExp(
          `^64 bytes from 198\\.18\\.1\\.2: icmp_seq=${i + 1} ttl=64 time=\\d+\\.\\d{3} ms$`,
        ),
      );
    });
    expect(r.stdout).toContain('--- 198.18.1.2 ping statistics ---');
    expect(r.stdout).toMatch(/^5 packets transmitted, 5 received, 0% packet loss, time \d+ms$/m);
    expect(r.stdout).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);
  });

  it('raw ping --json: a line per reply, then the summary', async () => {
    const r = await netkit([
      'raw',
      'ping',
      ...onA(),
      '198.18.1.2',
      '-c',
      '2',
      '--interval',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [a, b, summary, ...rest] = jsonLines(r.stdout);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ from: '198.18.1.2', sequence: 1, bytes: 64, duplicate: false });
    expect(b).toMatchObject({ sequence: 2 });
    expect(summary).toMatchObject({ transmitted: 2, received: 2, loss: 0, mac: link.b.mac });
  });

  it('raw ping without -c runs until Ctrl-C, then prints the statistics', async () => {
    const p = track(spawnNetkit(['raw', 'ping', ...onA(), '198.18.1.2', '--interval', '20']));
    await p.waitFor(/icmp_seq=3 /, { stream: 'stdout' });
    p.child.kill('SIGINT');
    const status = await p.exited;
    expect(status.code, p.stderr()).toBe(0);
    const m = /^(\d+) packets transmitted, (\d+) received, /m.exec(p.stdout());
    expect(m, p.stdout()).not.toBeNull();
    // A request in flight when Ctrl-C came counts as lost, as in iputils.
    const [sent, got] = [Number(m![1]), Number(m![2])];
    expect(got).toBeGreaterThanOrEqual(3);
    expect(sent - got).toBeLessThanOrEqual(1);
  });

  it('raw ping to nobody: exit 3 with the ARP failure explained', async () => {
    const r = await netkit(['raw', 'ping', ...onA(), '198.18.1.99', '-c', '1', '--timeout', '100']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^netkit: raw ping: resolving 198\.18\.1\.99: no ARP reply on eth0 after 3 request\(s\).*\(is 198\.18\.1\.99 up/m,
    );
  });

  it('raw arp: the MAC of the far side', async () => {
    const r = await netkit(['raw', 'arp', ...onA(), '198.18.1.2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^198\\.18\\.1\\.2 is-at ${link.b.mac} \\(eth0, [\\d.]+ ms, 1 request\\)\\n$`),
    );
    const j = await netkit(['raw', 'arp', ...onA(), '198.18.1.2', '--json']);
    expect(jsonLines(j.stdout)).toEqual([
      expect.objectContaining({ ip: '198.18.1.2', mac: link.b.mac, interface: 'eth0' }),
    ]);
  });

  it('raw send "Hello" (0x0801) is seen by raw capture on the far side, and its -w file by tshark', async () => {
    const file = join(dir, 'hello.pcap');
    const cap = track(
      spawnNetkit([
        'raw',
        'capture',
        ...onB(),
        '--filter',
        'ethertype=0x0801',
        '-c',
        '1',
        '-w',
        file,
        '--json',
      ]),
    );
    await cap.waitFor('capturing on eth0', { stream: 'stderr' });
    const sent = await netkit([
      'raw',
      'send',
      ...onA(),
      '--dst',
      link.b.mac,
      '--ethertype',
      '0x0801',
      '--payload',
      'Hello',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const status = await cap.exited;
    expect(status.code, cap.stderr()).toBe(0);
    const [frame, ...rest] = jsonLines(cap.stdout());
    expect(rest).toEqual([]);
    expect(frame).toMatchObject({
      length: 60,
      packetType: 'host',
      summary: `${link.a.mac} > ${link.b.mac} ethertype 0x0801 len 46`,
    });
    expect(cap.stderr()).toContain('1 frame captured');
    const { stdout } = await run(
      'tshark',
      [
        '-r',
        file,
        '-T',
        'fields',
        '-e',
        'eth.src',
        '-e',
        'eth.dst',
        '-e',
        'eth.type',
        '-e',
        'frame.len',
        '-e',
        'data.data',
      ],
      { check: true },
    );
    const expected = Buffer.concat([Buffer.from('Hello'), Buffer.alloc(41)]).toString('hex');
    expect(stdout.trim().split('\t')).toEqual([link.a.mac, link.b.mac, '0x0801', '60', expected]);
  });

  it('raw send --count: every frame reaches tshark on the far side; the rate is printed', async () => {
    const file = join(dir, 'burst.pcap');
    const tshark = track(
      link.b.spawn('tshark', [
        '-i',
        'eth0',
        '-f',
        'ether proto 0x0801',
        '-c',
        '300',
        '-F',
        'pcap',
        '-w',
        file,
      ]),
    );
    await tsharkReady(tshark);
    const r = await netkit([
      'raw',
      'send',
      ...onA(),
      '--dst',
      link.b.mac,
      '--ethertype',
      '0x0801',
      '--hex',
      'de ad be ef',
      '-c',
      '300',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sent 300 frames of 60 bytes on eth0 in [\d.]+ ms: \d+ frames\/s\n$/);
    const status = await Promise.race([
      tshark.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    expect(status, tshark.stderr()).toEqual({ code: 0, signal: null });
    const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'data.data'], {
      check: true,
    });
    const rows = stdout.trim().split('\n');
    expect(rows).toHaveLength(300);
    expect(new Set(rows)).toEqual(new Set([`deadbeef${'00'.repeat(42)}`]));
  });

  it('raw send -c N stops on Ctrl-C: exit 130 with what was sent so far', async () => {
    const p = track(
      spawnNetkit([
        'raw',
        'send',
        ...onA(),
        '--dst',
        link.b.mac,
        '--ethertype',
        '0x0801',
        '--payload',
        'flood',
        '-c',
        '100000000',
      ]),
    );
    await p.waitFor('sending 100000000 frames of 60 bytes on eth0', { stream: 'stderr' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    p.child.kill('SIGINT');
    const status = await Promise.race([
      p.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000)),
    ]);
    expect(status, p.stderr()).toEqual({ code: 130, signal: null });
    const m =
      /^sent (\d+) frames of 60 bytes on eth0 in [\d.]+ ms: \d+ frames\/s \(interrupted, (\d+) not sent\)\n$/.exec(
        p.stdout(),
      );
    expect(m, p.stdout()).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(100_000_000);
    expect(Number(m![1])).toBeGreaterThan(0);
  });

  it('raw send --bypass-qdisc: the far side still gets every frame', async () => {
    const cap = track(
      spawnNetkit(['raw', 'capture', ...onB(), '--filter', 'ethertype=0x0802', '-c', '50']),
    );
    await cap.waitFor('capturing on eth0', { stream: 'stderr' });
    const r = await netkit([
      'raw',
      'send',
      ...onA(),
      '--dst',
      link.b.mac,
      '--ethertype',
      '0x0802',
      '--payload',
      'bypass',
      '-c',
      '50',
      '--bypass-qdisc',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ sent: 50, bytes: 60 })]);
    expect((await cap.exited).code, cap.stderr()).toBe(0);
    expect(cap.stdout().trimEnd().split('\n')).toHaveLength(50);
  });

  it('raw ping: Ctrl-C while ARP is unanswered exits 130 with the statistics', async () => {
    const p = track(
      spawnNetkit(['raw', 'ping', ...onA(), '198.18.1.99', '-c', '3', '--timeout', '10000']),
    );
    await p.waitFor('PING 198.18.1.99', { stream: 'stdout' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    p.child.kill('SIGINT');
    const status = await p.exited;
    expect(status.code, p.stderr()).toBe(130);
    expect(p.stdout()).toContain('--- 198.18.1.99 ping statistics ---');
    expect(p.stdout()).toMatch(/^0 packets transmitted, 0 received, 0% packet loss, time 0ms$/m);
    expect(p.stderr()).toBe('');
  });

  it('raw capture -w into a missing directory: one line naming the file, exit 1', async () => {
    const file = join(dir, 'no-such-dir', 'x.pcap');
    const r = await netkit(['raw', 'capture', ...onA(), '-c', '1', '-w', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `netkit: raw capture: writing ${file}: ENOENT (pick an existing directory for -w)\n`,
    );
  });

  it("raw capture -w of a ping: the kernel's replies, read back by tshark with good checksums", async () => {
    const file = join(dir, 'ping.pcap');
    const cap = track(
      spawnNetkit(['raw', 'capture', ...onA(), '--filter', 'icmp', '-c', '4', '-w', file]),
    );
    await cap.waitFor('capturing on eth0', { stream: 'stderr' });
    const p = await netkit(['raw', 'ping', ...onA(), '198.18.1.2', '-c', '2', '--interval', '10']);
    expect(p.code, p.stderr).toBe(0);
    expect((await cap.exited).code, cap.stderr()).toBe(0);
    const lines = cap.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(
      lines.filter((l) =>
        /^\d\d:\d\d:\d\d\.\d{6} 198\.18\.1\.2 > 198\.18\.1\.1 ICMP echo reply id \d+ seq [12] len 64$/.test(
          l,
        ),
      ),
    ).toHaveLength(2);
    const { stdout } = await run(
      'tshark',
      [
        '-r',
        file,
        '-o',
        'ip.check_checksum:TRUE',
        '-T',
        'fields',
        '-e',
        'ip.src',
        '-e',
        'icmp.type',
        '-e',
        'ip.checksum.status',
        '-e',
        'icmp.checksum.status',
      ],
      { check: true },
    );
    expect(stdout.trim().split('\n').sort()).toEqual([
      '198.18.1.1\t8\t1\t1',
      '198.18.1.1\t8\t1\t1',
      '198.18.1.2\t0\t1\t1',
      '198.18.1.2\t0\t1\t1',
    ]);
  });

  it.each([
    [
      ['raw', 'send', '-i', 'eth0', '--dst', 'zz', '--ethertype', '0x0801', '--payload', 'x'],
      /--dst must be a MAC address/,
    ],
    [
      [
        'raw',
        'send',
        '-i',
        'eth0',
        '--dst',
        '02:00:00:00:00:02',
        '--ethertype',
        '0x05ff',
        '--payload',
        'x',
      ],
      /--ethertype must be an EtherType from 0x0600/,
    ],
    [
      [
        'raw',
        'send',
        '-i',
        'eth0',
        '--dst',
        '02:00:00:00:00:02',
        '--ethertype',
        'ip',
        '--payload',
        'x',
      ],
      /--ethertype must be/,
    ],
    [
      ['raw', 'send', '-i', 'eth0', '--dst', '02:00:00:00:00:02', '--ethertype', '0x0801'],
      /exactly one of --payload/,
    ],
    [
      [
        'raw',
        'send',
        '-i',
        'eth0',
        '--dst',
        '02:00:00:00:00:02',
        '--ethertype',
        '0x0801',
        '--hex',
        'xyz',
      ],
      /--hex must be pairs/,
    ],
    [
      [
        'raw',
        'send',
        '-i',
        'eth0',
        '--dst',
        '02:00:00:00:00:02',
        '--ethertype',
        '0801',
        '--payload',
        'x',
      ],
      /--ethertype must be an EtherType in hex with 0x.*got '0801'\nusage: .*\nhint: did you mean 0x0801\?/,
    ],
    [['raw', 'ping', '198.18.1.2'], /-i\/--interface is required/],
    [['raw', 'ping', '-i', 'eth0', 'example.com'], /IP must be an IPv4 address/],
    [['raw', 'capture', '-i', 'eth0', '--filter', 'tcp'], /unknown --filter 'tcp'/],
  ])('usage error, exit 2: %j', async (args, message) => {
    const r = await netkit(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: netkit raw');
  });

  it('a missing interface is ENODEV, named', async () => {
    const r = await netkit([
      'raw',
      'send',
      '-i',
      'nk-nope0',
      '--netns',
      link.a.name,
      '--dst',
      link.b.mac,
      '--ethertype',
      '0x0801',
      '--payload',
      'x',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netkit: raw send: .*ENODEV.*"nk-nope0"/m);
  });

  it('without CAP_NET_RAW (setpriv drops it): EPERM naming the capability', async () => {
    const r = await run(
      'setpriv',
      [
        '--bounding-set=-net_raw',
        '--inh-caps=-net_raw',
        process.execPath,
        NETKIT_BIN,
        'raw',
        'arp',
        ...onA(),
        '198.18.1.2',
      ],
      { timeout: 15_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netkit: raw arp: .*EPERM.*CAP_NET_RAW.*setcap cap_net_raw\+ep/m);
  });

  it('--help lists examples', async () => {
    for (const verb of ['send', 'ping', 'arp', 'capture']) {
      const r = await netkit(['raw', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`netkit raw ${verb} -i eth0`);
      expect(r.stdout).toContain('--netns NAME');
    }
  });
});
