// netkit against peers no one here wrote: ncat and socat, over IPv4 and IPv6 loopback.
import { run, skipUnless, startNcat, startSocat } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { netkit, startNetkit, useProcesses } from './netkit.js';

const ncat = skipUnless(['ncat']);
const socat = skipUnless(['socat']);

describe.skipIf(ncat.skip)(`ncat -u as the client of netkit udp echo${ncat.note}`, () => {
  const track = useProcesses();

  it.each([
    ['IPv4', '127.0.0.1', /^127\.0\.0\.1:\d+: hello$/m],
    ['IPv6', '::1', /^\[::1\]:\d+: hello$/m],
  ])('%s: ncat gets OK...hello back and the server logs it', async (_family, host, logged) => {
    const echo = track(
      await startNetkit(['udp', 'echo', '--host', host, '--port', '0', '--prefix', 'OK...']),
    );
    expect(echo.stderr()).toContain(
      `listening on ${host === '::1' ? '[::1]' : host}:${echo.port} (udp)`,
    );
    // ncat -u exits at stdin EOF, before a reply could arrive: its stdin stays open until stop().
    const client = track(await startNcat({ udp: true, host, port: echo.port }));
    await client.write('hello\n');
    await client.waitFor('OK...hello', { stream: 'stdout', timeout: 5000 });
    await echo.waitFor(logged, { stream: 'stdout', timeout: 5000 });
    await client.write('again\n');
    await client.waitFor('OK...again', { stream: 'stdout', timeout: 5000 });
    expect(client.stdout()).toBe('OK...hello\nOK...again\n');

    const status = await echo.stop('SIGTERM');
    expect(status.code).toBe(0);
    expect(echo.stderr()).toContain('received 2, replied 2, errors 0, dropped 0');
  });
});

describe.skipIf(ncat.skip)(`netkit udp send into an ncat -u -l listener${ncat.note}`, () => {
  const track = useProcesses();

  it.each([
    ['IPv4', '127.0.0.1'],
    ['IPv6', '::1'],
  ])('%s: ncat receives the message exactly', async (_family, host) => {
    const listener = track(await startNcat({ udp: true, listen: true, host }));
    const message = 'Hello you there!';
    const sent = await netkit(['udp', 'send', host, String(listener.port), message]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('');
    await listener.waitFor(message, { stream: 'stdout', timeout: 5000 });
    expect(listener.stdout()).toBe(message);
  });

  it('resolves localhost and sends there', async () => {
    const listener = track(await startNcat({ udp: true, listen: true, host: '127.0.0.1' }));
    const sent = await netkit([
      'udp',
      'send',
      'localhost',
      String(listener.port),
      'via name',
      '-v',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(`sent 8 bytes to localhost:${listener.port}`);
    await listener.waitFor('via name', { stream: 'stdout', timeout: 5000 });
    expect(listener.stdout()).toBe('via name');
  });
});

describe.skipIf(socat.skip)(`socat as a UDP client of netkit udp serve${socat.note}`, () => {
  const track = useProcesses();

  it('gets the fixed reply (input piped, socat -T)', async () => {
    const server = track(
      await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Got your message!']),
    );
    // At stdin EOF socat still waits a moment (-t) for the reply; -T 2 ends an idle session.
    const client = await run('socat', ['-T', '2', '-', `UDP:127.0.0.1:${server.port}`], {
      input: 'Hello you there!\n',
      timeout: 10_000,
    });
    expect(client.code, client.stderr).toBe(0);
    expect(client.stdout).toBe('Got your message!');
    await server.waitFor(/^127\.0\.0\.1:\d+: Hello you there!$/m, {
      stream: 'stdout',
      timeout: 5000,
    });
  });

  it('keeps getting replies on one session', async () => {
    const server = track(await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Ack']));
    const client = track(startSocat(['-T', '5', '-', `UDP:127.0.0.1:${server.port}`]));
    await client.write('one\n');
    await client.waitFor('Ack', { stream: 'stdout', timeout: 5000 });
    await client.write('two\n');
    await client.waitFor('AckAck', { stream: 'stdout', timeout: 5000 });
    await server.waitFor(/: one\n.*: two$/m, { stream: 'stdout', timeout: 5000 });
  });
});
