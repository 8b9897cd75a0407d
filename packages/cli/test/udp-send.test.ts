// netkit udp send against netkit servers on loopback: replies, timeouts, JSON, repeats, stdin.
import { describe, expect, it } from 'vitest';
import { jsonLines, netkit, startNetkit, useProcesses } from './netkit.js';

const track = useProcesses();

describe('udp send --wait-reply', () => {
  it('prints the reply of netkit udp serve and exits 0', async () => {
    const server = track(
      await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Got your message!']),
    );
    const result = await netkit([
      'udp',
      'send',
      'localhost',
      String(server.port),
      'Hello you there!',
      '--wait-reply',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Got your message!\n');
    expect(result.stderr).toBe('');
    await server.waitFor(/^127\.0\.0\.1:\d+: Hello you there!$/m, {
      stream: 'stdout',
      timeout: 5000,
    });
  });

  it('--json prints the reply as one JSON document', async () => {
    const server = track(await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Ack']));
    const result = await netkit([
      'udp',
      'send',
      '127.0.0.1',
      String(server.port),
      'hi',
      '-w',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      from: '127.0.0.1',
      port: server.port,
      family: 'IPv4',
      size: 3,
      text: 'Ack',
      base64: Buffer.from('Ack').toString('base64'),
      attempts: 1,
    });
    expect(typeof lines[0]?.rtt).toBe('number');
  });

  it('against a silent peer exits 3 after --timeout and says there was no reply', async () => {
    // A bound socket that never answers.
    const silent = track(await startNetkit(['udp', 'listen', '--port', '0']));
    const started = performance.now();
    const result = await netkit([
      'udp',
      'send',
      'localhost',
      String(silent.port),
      'anyone?',
      '-w',
      '--timeout',
      '300',
    ]);
    const waited = performance.now() - started;
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^netkit: udp send: no reply from 127\\.0\\.0\\.1:${silent.port} after 1 attempt .*300 ms.*\\(.*--timeout.*\\)\\n$`,
      ),
    );
    // It waited for the reply rather than giving up at once (no upper bound: machines are slow).
    expect(waited).toBeGreaterThanOrEqual(300);
    await silent.waitFor(/: anyone\?$/m, { stream: 'stdout', timeout: 5000 });
  });

  it('--retries sends again before giving up; --json reports the timeout', async () => {
    const silent = track(await startNetkit(['udp', 'listen', '--port', '0', '--json']));
    const result = await netkit([
      'udp',
      'send',
      '127.0.0.1',
      String(silent.port),
      'ping',
      '-w',
      '--timeout',
      '100',
      '--retries',
      '2',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/after 3 attempts/);
    expect(jsonLines(result.stdout)).toEqual([
      { timeout: true, to: '127.0.0.1', port: silent.port, waited: 100 },
    ]);
    // All three attempts came from the same socket.
    await silent.waitFor(/(?:"text":"ping"[\s\S]*){3}/, { stream: 'stdout', timeout: 5000 });
    expect(new Set(jsonLines(silent.stdout()).map((d) => d.port)).size).toBe(1);
  });
});

describe('udp send', () => {
  it('--repeat 3 --interval 50 delivers 3 datagrams from one socket', async () => {
    const listener = track(
      await startNetkit(['udp', 'listen', '--port', '0', '-c', '3', '--json']),
    );
    const result = await netkit([
      'udp',
      'send',
      'localhost',
      String(listener.port),
      'tick',
      '--repeat',
      '3',
      '--interval',
      '50',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const status = await listener.exited;
    expect(status.code, listener.stderr()).toBe(0);
    const got = jsonLines(listener.stdout());
    expect(got).toHaveLength(3);
    for (const d of got)
      expect(d).toMatchObject({ from: '127.0.0.1', family: 'IPv4', size: 4, text: 'tick' });
    expect(new Set(got.map((d) => d.port)).size).toBe(1);
  });

  it('sends stdin, byte for byte, when MESSAGE is omitted', async () => {
    const listener = track(
      await startNetkit(['udp', 'listen', '--port', '0', '-c', '1', '--json']),
    );
    const result = await netkit(['udp', 'send', 'localhost', String(listener.port)], {
      input: 'from stdin\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await listener.exited).code).toBe(0);
    const [d] = jsonLines(listener.stdout());
    // The datagram keeps the newline; the text shown drops it (it is the sender's line ending).
    expect(d).toMatchObject({
      size: 11,
      text: 'from stdin',
      base64: Buffer.from('from stdin\n').toString('base64'),
    });
  });

  it('sends the largest IPv4 UDP payload (65507 bytes) from stdin', async () => {
    const listener = track(
      await startNetkit(['udp', 'listen', '--port', '0', '-c', '1', '--json']),
    );
    const payload = Buffer.alloc(65_507, 'x');
    const result = await netkit(['udp', 'send', '127.0.0.1', String(listener.port)], {
      input: payload,
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await listener.exited).code).toBe(0);
    const [d] = jsonLines(listener.stdout());
    expect(d?.size).toBe(65_507);
    expect(Buffer.from(String(d?.base64), 'base64').equals(payload)).toBe(true);
  });

  it('refuses a stdin payload over 65507 bytes without --fragment: exit 1, one line', async () => {
    const listener = track(await startNetkit(['udp', 'listen', '--port', '0', '--json']));
    const result = await netkit(['udp', 'send', '127.0.0.1', String(listener.port)], {
      input: Buffer.alloc(65_508, 'x'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^netkit: udp send: .*65507 bytes.*--fragment.*\n$/);
    // Nothing was sent: a datagram to the listener would show within the next request.
    const probe = await netkit(['udp', 'send', '127.0.0.1', String(listener.port), 'probe']);
    expect(probe.code).toBe(0);
    await listener.waitFor('"text":"probe"', { stream: 'stdout', timeout: 5000 });
    expect(jsonLines(listener.stdout())).toHaveLength(1);
  });
});
