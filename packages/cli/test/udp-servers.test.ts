// netkit udp listen / echo / serve: output formats, --count, SIGTERM, and OS errors.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { jsonLines, netkit, startNetkit, useProcesses } from './netkit.js';

const track = useProcesses();

/** Sends each payload from one socket bound to `host` port 0; resolves with that socket's port. */
function sendFrom(host: string, port: number, payloads: (string | Buffer)[]): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<number>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, async () => {
      try {
        for (const p of payloads) {
          await new Promise<void>((done, fail) =>
            socket.send(p, port, host, (e) => (e ? fail(e) : done())),
          );
        }
        resolve(socket.address().port);
      } catch (e) {
        reject(e);
      }
    });
  }).finally(() => socket.close());
}

describe('udp listen', () => {
  it('--json prints one object per datagram with from/port/family/size/text/base64', async () => {
    const listener = track(
      await startNetkit(['udp', 'listen', '--port', '0', '--json', '-c', '2']),
    );
    const binary = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    const from = await sendFrom('127.0.0.1', listener.port, ['hello', binary]);
    const status = await listener.exited;
    expect(status.code, listener.stderr()).toBe(0);
    expect(jsonLines(listener.stdout())).toEqual([
      { from: '127.0.0.1', port: from, family: 'IPv4', size: 5, text: 'hello', base64: 'aGVsbG8=' },
      // Not text: no `text`, the bytes only in base64.
      { from: '127.0.0.1', port: from, family: 'IPv4', size: 5, base64: binary.toString('base64') },
    ]);
  });

  it('on IPv6 reports family IPv6 and the bracketed bound address', async () => {
    const listener = track(
      await startNetkit(['udp', 'listen', '--host', '::1', '--port', '0', '--json', '-c', '1']),
    );
    expect(listener.stderr()).toContain(`listening on [::1]:${listener.port} (udp)`);
    const from = await sendFrom('::1', listener.port, ['six']);
    expect((await listener.exited).code).toBe(0);
    expect(jsonLines(listener.stdout())).toEqual([
      { from: '::1', port: from, family: 'IPv6', size: 3, text: 'six', base64: 'c2l4' },
    ]);
  });

  it('prints "ADDRESS:PORT: TEXT" lines, binary as a hex marker, and exits 0 after -c N', async () => {
    const listener = track(await startNetkit(['udp', 'listen', '--port', '0', '-c', '3']));
    const from = await sendFrom('127.0.0.1', listener.port, [
      'hello',
      'line\n',
      Buffer.from([0, 0xab]),
    ]);
    expect((await listener.exited).code, listener.stderr()).toBe(0);
    expect(listener.stdout()).toBe(
      `127.0.0.1:${from}: hello\n127.0.0.1:${from}: line\n127.0.0.1:${from}: <2 bytes: 00ab>\n`,
    );
  });

  it('exits 0 on SIGTERM', async () => {
    const listener = track(await startNetkit(['udp', 'listen', '--port', '0']));
    await sendFrom('127.0.0.1', listener.port, ['one']);
    await listener.waitFor(': one', { stream: 'stdout', timeout: 5000 });
    const status = await listener.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
  });
});

describe('udp echo and udp serve', () => {
  it('echo -c 2 answers two datagrams, then exits 0 with its counters', async () => {
    const echo = track(
      await startNetkit(['udp', 'echo', '--port', '0', '-c', '2', '--prefix', 'OK...']),
    );
    for (const word of ['one', 'two']) {
      const r = await netkit(['udp', 'send', '127.0.0.1', String(echo.port), word, '-w']);
      expect(r.stdout).toBe(`OK...${word}\n`);
    }
    const status = await echo.exited;
    expect(status.code, echo.stderr()).toBe(0);
    expect(echo.stderr()).toMatch(/^received 2, replied 2, errors 0, dropped 0$/m);
  });

  it.each([
    ['echo', ['udp', 'echo', '--port', '0']],
    ['serve', ['udp', 'serve', '--port', '0', '--reply', 'Ack']],
  ])('%s exits 0 on SIGTERM and prints its counters on stderr', async (_name, args) => {
    const server = track(await startNetkit(args));
    const r = await netkit(['udp', 'send', 'localhost', String(server.port), 'hi', '-w']);
    expect(r.code, r.stderr).toBe(0);
    const status = await server.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/^received 1, replied 1, errors 0, dropped 0$/m);
    expect(server.stdout()).toMatch(/^127\.0\.0\.1:\d+: hi$/m);
  });

  it('--json logs each datagram as one JSON object per line', async () => {
    const server = track(
      await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Ack', '--json']),
    );
    const from = await sendFrom('127.0.0.1', server.port, ['a', 'b']);
    await server.waitFor(/"text":"b"/, { stream: 'stdout', timeout: 5000 });
    expect(jsonLines(server.stdout())).toEqual([
      { from: '127.0.0.1', port: from, family: 'IPv4', size: 1, text: 'a', base64: 'YQ==' },
      { from: '127.0.0.1', port: from, family: 'IPv4', size: 1, text: 'b', base64: 'Yg==' },
    ]);
  });
});

describe('OS errors', () => {
  it.each([['listen'], ['echo'], ['serve']])(
    'udp %s on a port in use exits 1 with one line naming EADDRINUSE, no stack trace',
    async (verb) => {
      const holder = track(await startNetkit(['udp', 'listen', '--port', '0']));
      const extra = verb === 'serve' ? ['--reply', 'x'] : [];
      const result = await netkit(['udp', verb, '--port', String(holder.port), ...extra]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `^netkit: udp ${verb}: binding 127\\.0\\.0\\.1:${holder.port}: EADDRINUSE \\(.+\\)\\n$`,
        ),
      );
    },
  );

  it('--debug adds the stack trace', async () => {
    const holder = track(await startNetkit(['udp', 'listen', '--port', '0']));
    const result = await netkit(['udp', 'listen', '--port', String(holder.port), '--debug']);
    expect(result.code).toBe(1);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toMatch(/^netkit: udp listen: binding 127\.0\.0\.1:\d+: EADDRINUSE \(.+\)$/);
    expect(rest.join('\n')).toMatch(/^\s+at /m);
  });
});
