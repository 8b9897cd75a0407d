// `netkit mcast send` and `netkit mcast listen` on loopback (Linux loops IPv4 multicast on lo).
import { describe, expect, it } from 'vitest';
import { jsonLines, netkit, startNetkitServer, useProcesses } from './netkit.js';

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
    expect(lines.slice(0, 2).sort()).toEqual([
      `${LO}:${first.port}: ack`,
      `${LO}:${first.port}: got it`,
    ]);
    expect(lines[2]).toBe('timed out, 2 responses');
    expect(lines).toHaveLength(3);
    for (const listener of [first, second]) {
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
    expect(listenNotGroup.code).toBe(1);
    expect(listenNotGroup.stderr).toContain('not a multicast group');
    const unknown = await netkit(['mcast', 'listen', '239.255.61.4', '0', '-i', 'nk-nope0']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nk-nope0');
    const text = await netkit(['mcast', 'listen', '239.255.61.4', '0', 'hello']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--ack');
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
});
