// `netkit mcast send` and `netkit mcast listen` on loopback (Linux loops IPv4 multicast on lo).
import { describe, expect, it } from 'vitest';
import { jsonLines, netkit, spawnNetkit, startNetkitServer, useProcesses } from './netkit.js';

const LO = '127.0.0.1';

describe('netkit mcast on loopback', () => {
  const track = useProcesses();

  it('send prints each ack from listen --ack, then "timed out, N responses"', async () => {
    const group = '239.255.61.1';
    const first = track(
      await startNetkitServer(['mcast', 'listen', group, '0', '-i', LO, '--ack']),
    );
    expect(first.kind).toBe(`udp multicast, joined ${group} on ${LO}`);
    expect(first.endpoint).toBe(`${group}:${first.port}`);
    const second = track(
      await startNetkitServer([
        'mcast',
        'listen',
        group,
        String(first.port),
        '-i',
        'lo',
        '--ack',
        'got it',
      ]),
    );
    // The `=` form of the acknowledgement, with a space in it.
    const third = track(
      await startNetkitServer([
        'mcast',
        'listen',
        group,
        String(first.port),
        '-i',
        LO,
        '--ack=Thank you.',
      ]),
    );
    const sent = await netkit([
      'mcast',
      'send',
      group,
      String(first.port),
      'Very important data',
      '-i',
      LO,
      '--collect',
      '400',
      '--ttl',
      '1',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const lines = sent.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3).sort()).toEqual([
      `${LO}:${first.port}: Thank you.`,
      `${LO}:${first.port}: ack`,
      `${LO}:${first.port}: got it`,
    ]);
    expect(lines[3]).toBe('timed out, 3 responses');
    expect(lines).toHaveLength(4);
    for (const listener of [first, second, third]) {
      expect(listener.stdout()).toMatch(
        new RegExp(`^${LO.replaceAll('.', '\\.')}:\\d+: Very important data\\n$`),
      );
    }
  });

  it('--json on both sides, --count stops early, and no answer exits 3', async () => {
    const group = '239.255.61.2';
    const listener = track(
      await startNetkitServer([
        'mcast',
        'listen',
        group,
        '0',
        '-i',
        LO,
        '--ack',
        '--json',
        '-c',
        '2',
      ]),
    );
    const port = String(listener.port);
    const sent = await netkit([
      'mcast',
      'send',
      group,
      port,
      'hi',
      '-i',
      LO,
      '--json',
      '-c',
      '1',
      '--collect',
      '5000',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [reply, summary, ...rest] = jsonLines(sent.stdout);
    expect(reply).toMatchObject({ from: LO, port: listener.port, text: 'ack', family: 'IPv4' });
    expect(typeof reply?.time).toBe('number');
    expect(summary).toEqual({ responses: 1, reason: 'count' });
    expect(rest).toEqual([]);

    await netkit(['mcast', 'send', group, port, 'second', '-i', LO, '--collect', '300']);
    expect((await listener.exited).code).toBe(0);
    const got = jsonLines(listener.stdout());
    expect(got.map((d) => [d.text, d.group, d.from])).toEqual([
      ['hi', group, LO],
      ['second', group, LO],
    ]);

    const silent = await netkit([
      'mcast',
      'send',
      '239.255.61.3',
      port,
      'anyone?',
      '-i',
      LO,
      '--collect',
      '150',
    ]);
    expect(silent.code).toBe(3);
    expect(silent.stdout).toBe('timed out, 0 responses\n');
  });

  it('refuses what is not a group, an unknown interface, and TEXT without --ack', async () => {
    const notGroup = await netkit(['mcast', 'send', '198.18.0.1', '9', 'x']);
    expect(notGroup.code).toBe(2);
    expect(notGroup.stderr).toContain('GROUP must be a multicast address');
    const listenNotGroup = await netkit(['mcast', 'listen', '10.1.2.3', '9']);
    expect(listenNotGroup.code).toBe(2);
    expect(listenNotGroup.stderr).toContain('GROUP must be a multicast address');
    const unknown = await netkit(['mcast', 'listen', '239.255.61.4', '0', '-i', 'nk-nope0']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nk-nope0');
    const text = await netkit(['mcast', 'listen', '239.255.61.4', '0', 'hello']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--ack');
    const twice = await netkit(['mcast', 'listen', '239.255.61.4', '0', '--ack=yes', 'no']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('given twice: --ack=yes and no');
    const empty = await netkit(['mcast', 'listen', '239.255.61.4', '0', '--ack=']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--ack= is empty');
    // A switch given a value is named as such, not as a flag missing its value.
    const switchValue = await netkit(['mcast', 'listen', '239.255.61.4', '0', '--json=yes']);
    expect(switchValue.code).toBe(2);
    expect(switchValue.stderr.split('\n')[0]).toBe('netkit: --json does not take a value');
    // A port held without SO_REUSEADDR: the hint says what to do with the other program.
    const holder = track(
      await startNetkitServer(['udp', 'listen', '--host', '0.0.0.0', '--port', '0']),
    );
    const busy = await netkit(['mcast', 'listen', '239.255.61.4', String(holder.port), '-i', LO]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('EADDRINUSE');
    expect(busy.stderr).toContain('SO_REUSEADDR');
    const ttl = await netkit(['mcast', 'send', '239.255.61.4', '9', 'x', '--ttl', '300']);
    expect(ttl.code).toBe(2);
    expect(ttl.stderr).toContain('--ttl');
  });

  it('refuses a bad GROUP, --source or -i on both verbs with exit 2 and a hint in flags', async () => {
    const expectUsage = (r: { code: number | null; stdout: string; stderr: string }) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^netkit: .*\nusage: netkit mcast (listen|send) /);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    };
    // Nothing here reaches a socket: every case fails before a bind or a send.
    const cases: [string[], RegExp, RegExp][] = [
      [
        ['mcast', 'listen', 'banana', '0'],
        /GROUP must be a multicast address, got 'banana'/,
        /224\.0\.0\.0/,
      ],
      [['mcast', 'listen', '10.0.0.1', '0'], /GROUP must be a multicast address/, /start with ff/],
      [
        ['mcast', 'listen', '239.255.61.5', '0', '--source', '198.18.0.1', '-i', LO],
        /--source: 239\.255\.61\.5 is not a source-specific group/,
        /--source needs a group in 232\/8 or ff3x::\/32/,
      ],
      [
        ['mcast', 'listen', '232.1.1.1', '0', '--source', 'fd00:198:18::1', '-i', LO],
        /--source must be the sender's unicast IPv4 address/,
        /IPv4/,
      ],
      [
        ['mcast', 'listen', '239.255.61.5', '0', '-i', 'nk-nope0'],
        /-i: no interface named or addressed 'nk-nope0'/,
        /-i IFACE \(interfaces: .*\blo\b/,
      ],
      [
        ['mcast', 'listen', '239.255.61.5', '0', '-i', 'toString'],
        /-i: no interface named or addressed 'toString'/,
        /-i IFACE/,
      ],
      [
        ['mcast', 'listen', 'ff02::1', '0'],
        /ff02::1 is link-local \(scope 2\): name the interface/,
        /-i IFACE/,
      ],
      [
        ['mcast', 'listen', 'ff15::1', '0', '-i', 'lo'],
        /-i: interface lo does not do multicast/,
        /-i IFACE/,
      ],
      [
        ['mcast', 'send', '239.255.61.5', '9', 'x', '-i', 'nk-nope0'],
        /-i: no interface named or addressed 'nk-nope0'/,
        /-i IFACE \(interfaces: .*\blo\b/,
      ],
      [
        ['mcast', 'send', 'ff02::1', '9', 'x', '--ttl', '0'],
        /ff02::1 is link-local \(scope 2\): name the interface/,
        /-i IFACE/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => netkit(args)));
    results.forEach((r, i) => {
      const [args, message, hint] = cases[i]!;
      expectUsage(r);
      expect(r.stderr.split('\n')[0], args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^hint: .*${hint.source}`, 'm'));
    });
  });

  it('Ctrl-C: send prints the replies so far and "interrupted, N responses" (130); listen its counters', async () => {
    const group = '239.255.61.6';
    const listener = track(
      await startNetkitServer(['mcast', 'listen', group, '0', '-i', LO, '--ack']),
    );
    const send = track(
      spawnNetkit([
        'mcast',
        'send',
        group,
        String(listener.port),
        'hello',
        '-i',
        LO,
        '--collect',
        '60000',
        '-v',
      ]),
    );
    await send.waitFor(`${LO}:${listener.port}: ack`, { stream: 'stdout', timeout: 10_000 });
    // -v says what was sent as soon as it was sent, not after the replies were collected.
    expect(send.stderr()).toMatch(/^sent 5 bytes to 239\.255\.61\.6 port \d+ with TTL 1$/m);
    send.child.kill('SIGINT');
    const sent = await send.exited;
    expect(sent.code, send.stderr()).toBe(130);
    expect(send.stdout()).toBe(`${LO}:${listener.port}: ack\ninterrupted, 1 response\n`);

    await listener.waitFor(/hello/, { stream: 'stdout', timeout: 5000 });
    listener.child.kill('SIGINT');
    const heard = await listener.exited;
    expect(heard.code, listener.stderr()).toBe(0);
    expect(listener.stderr()).toMatch(/^1 datagram, 1 ack$/m);
  });

  it('Ctrl-C before any reply: "interrupted, 0 responses" and --json says why it stopped', async () => {
    const send = track(
      spawnNetkit([
        'mcast',
        'send',
        '239.255.61.7',
        '9',
        'x',
        '-i',
        LO,
        '--collect',
        '60000',
        '--json',
        '-v',
      ]),
    );
    await send.waitFor(/^sent 1 bytes/m, { stream: 'stderr', timeout: 10_000 });
    send.child.kill('SIGINT');
    expect((await send.exited).code, send.stderr()).toBe(130);
    expect(jsonLines(send.stdout())).toEqual([{ responses: 0, reason: 'interrupted' }]);
  });

  it('listen without --ack counts datagrams only; --count stops after N', async () => {
    const group = '239.255.61.8';
    const listener = track(
      await startNetkitServer(['mcast', 'listen', group, '0', '-i', LO, '-c', '1']),
    );
    const sent = await netkit([
      'mcast',
      'send',
      group,
      String(listener.port),
      'one',
      '-i',
      LO,
      '--collect',
      '150',
    ]);
    expect(sent.code).toBe(3); // nobody acks
    expect((await listener.exited).code, listener.stderr()).toBe(0);
    expect(listener.stdout()).toMatch(/^127\.0\.0\.1:\d+: one\n$/);
    expect(listener.stderr()).toMatch(/^1 datagram$/m);
  });

  it("send's help says plainly that same-host receivers need --loopback, and its examples use it", async () => {
    const help = await netkit(['mcast', 'send', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('hear the datagram only\nwith --loopback');
    const examples = help.stdout.split('examples:\n')[1]?.split('\n\n')[0] ?? '';
    const lines = examples.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('--loopback');
  });
});
