// netkit tcp listen / echo / serve / send / chat: output formats, --count, SIGTERM, timeouts, OS
// and usage errors. Peers are netkit itself or node:net sockets opened here.

import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@netkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, netkit, startNetkitServer, useProcesses, useTempDirs } from './netkit.js';

const tempDir = useTempDirs();
const track = useProcesses();

/** Sockets and servers opened in-process by a test, closed after it. */
const opened: (Socket | Server)[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) {
    if (s instanceof Server) s.close();
    else s.destroy();
  }
});

/** Connects to 127.0.0.1:port; resolves with the socket once connected. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    opened.push(socket);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function write(socket: Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (e) => (e ? reject(e) : resolve())));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A usage error: exit 2, nothing on stdout, one `netkit: ...` line first, no stack trace. */
function expectUsageError(
  result: { code: number | null; stdout: string; stderr: string },
  message: RegExp,
): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const first = result.stderr.split('\n')[0] ?? '';
  expect(first).toMatch(/^netkit: /);
  expect(first).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('tcp listen', () => {
  it('prints "PEER connected", "PEER: TEXT", "PEER closed (N bytes received)"; -c 1 exits 0', async () => {
    const listener = await startNetkitServer(['tcp', 'listen', '--port', '0', '-c', '1']);
    track(listener);
    expect(listener.endpoint).toBe(`127.0.0.1:${listener.port}`);
    const socket = await open(listener.port);
    const peer = `127.0.0.1:${socket.localPort}`;
    await listener.waitFor(`${peer} connected\n`, { stream: 'stdout', timeout: 5000 });
    await write(socket, 'hello');
    await listener.waitFor(`${peer}: hello\n`, { stream: 'stdout', timeout: 5000 });
    await write(socket, Buffer.from([0, 0xab]));
    await listener.waitFor(`${peer}: <2 bytes: 00ab>\n`, { stream: 'stdout', timeout: 5000 });
    socket.end();
    expect(await listener.exited).toEqual({ code: 0, signal: null });
    expect(listener.stdout()).toBe(
      `${peer} connected\n${peer}: hello\n${peer}: <2 bytes: 00ab>\n${peer} closed (7 bytes received)\n`,
    );
    expect(listener.stderr()).toBe(
      `listening on 127.0.0.1:${listener.port} (tcp)\n` +
        'accepted 1, refused 0, completed 1, errors 0, idle timeouts 0\n',
    );
  });

  it('--json prints connect, data and close events, one object per line', async () => {
    const listener = track(
      await startNetkitServer(['tcp', 'listen', '--port', '0', '--json', '-c', '1']),
    );
    const socket = await open(listener.port);
    const peer = `127.0.0.1:${socket.localPort}`;
    await write(socket, 'hi');
    await listener.waitFor('"event":"data"', { stream: 'stdout', timeout: 5000 });
    socket.end();
    expect((await listener.exited).code, listener.stderr()).toBe(0);
    expect(jsonLines(listener.stdout())).toEqual([
      { event: 'connect', peer },
      { event: 'data', peer, size: 2, base64: 'aGk=' },
      { event: 'close', peer, bytes: 2 },
    ]);
  });

  it('serves several connections at once and counts them', async () => {
    const listener = track(await startNetkitServer(['tcp', 'listen', '--port', '0', '-c', '2']));
    const [a, b] = await Promise.all([open(listener.port), open(listener.port)]);
    await write(a, 'from a');
    await write(b, 'from b');
    await listener.waitFor(/: from a\n[\s\S]*: from b\n|: from b\n[\s\S]*: from a\n/, {
      stream: 'stdout',
      timeout: 5000,
    });
    a.end();
    b.end();
    expect((await listener.exited).code).toBe(0);
    expect(listener.stderr()).toMatch(/^accepted 2, refused 0, completed 2, errors 0/m);
  });

  it.each([
    ['listen', []],
    ['echo', []],
    ['serve', ['--reply', 'Thank you.']],
  ])('tcp %s exits 0 on SIGTERM with its counters on stderr', async (verb, extra) => {
    const server = track(await startNetkitServer(['tcp', verb, '--port', '0', ...extra]));
    const sent = await netkit(['tcp', 'send', '127.0.0.1', String(server.port), 'one', '-w']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe({ listen: '', echo: 'one', serve: 'Thank you.' }[verb]);
    await server.waitFor(/ closed \(3 bytes received\)\n/, { stream: 'stdout', timeout: 5000 });
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(
      /^accepted 1, refused 0, completed 1, errors 0, idle timeouts 0$/m,
    );
  });

  it('a port in use exits 1 with one line naming EADDRINUSE, no stack trace', async () => {
    const holder = track(await startNetkitServer(['tcp', 'listen', '--port', '0']));
    const result = await netkit(['tcp', 'listen', '--port', String(holder.port)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^netkit: tcp listen: listening on localhost:${holder.port}: EADDRINUSE \\(.+\\)\\n$`,
      ),
    );
  });

  it('--unix on a regular file exits 1 in one line and leaves the file alone', async () => {
    const path = join(await tempDir(), 'not-a-socket');
    await writeFile(path, 'keep me');
    const result = await netkit(['tcp', 'echo', '--unix', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^netkit: tcp echo: listening on ${escapeRegExp(path)}: .+\\n$`),
    );
    expect(await readFile(path, 'utf8')).toBe('keep me');
  });

  it('--unix replaces the socket a killed server left behind', async () => {
    const path = join(await tempDir(), 'stale.sock');
    const first = await startNetkitServer(['tcp', 'echo', '--unix', path]);
    await first.stop('SIGKILL', 0);
    const second = track(await startNetkitServer(['tcp', 'echo', '--unix', path]));
    expect(second.endpoint).toBe(path);
    const sent = await netkit(['tcp', 'send', '--unix', path, '-w'], { input: 'still here' });
    expect(sent.stdout, sent.stderr).toBe('still here');
  });

  // Regression: the UDP hint ("... give --reuse-addr to every listener") once reached TCP's
  // "listening on ..." errors, though no tcp command has --reuse-addr.
  it('the EADDRINUSE hint names no flag the tcp command lacks', async () => {
    const holder = track(await startNetkitServer(['tcp', 'listen', '--port', '0']));
    const result = await netkit(['tcp', 'echo', '--port', String(holder.port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EADDRINUSE/);
    expect(result.stderr).not.toContain('--reuse-addr');
  });
});

describe('tcp send', () => {
  it('sends stdin as the payload, as is', async () => {
    const listener = track(
      await startNetkitServer(['tcp', 'listen', '--port', '0', '--json', '-c', '1']),
    );
    const payload = Buffer.from([0x68, 0x69, 0x0a, 0x00, 0xff]);
    const sent = await netkit(['tcp', 'send', '127.0.0.1', String(listener.port), '-v'], {
      input: payload,
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('');
    expect(sent.stderr).toBe(`sent 5 bytes to 127.0.0.1:${listener.port}\n`);
    expect((await listener.exited).code).toBe(0);
    const events = jsonLines(listener.stdout());
    expect(events.filter((e) => e.event === 'data').map((e) => e.base64)).toEqual([
      payload.toString('base64'),
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'close', bytes: 5 });
  });

  it('--wait-reply prints the whole reply raw; no newline is added', async () => {
    const echo = track(await startNetkitServer(['tcp', 'echo', '--port', '0']));
    const sent = await netkit(['tcp', 'send', 'localhost', String(echo.port), '--wait-reply'], {
      input: 'line one\nline two',
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('line one\nline two');
  });

  it('--wait-reply against a server that never closes exits 3 after --timeout', async () => {
    // Reads, answers part of a reply, and never closes (not even after the client's FIN).
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      opened.push(socket);
      socket.once('data', () => socket.write('partial'));
    });
    opened.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const sent = await netkit([
      'tcp',
      'send',
      '127.0.0.1',
      String(port),
      'hello',
      '--wait-reply',
      '--timeout',
      '300',
    ]);
    expect(sent.code, sent.stderr).toBe(3);
    expect(sent.stdout).toBe('');
    expect(sent.stderr).toBe(
      `netkit: tcp send: no end of reply from 127.0.0.1:${port} within 300 ms (raise --timeout)\n`,
    );
  });

  it('--wait-reply against tcp listen: it closes after our FIN, so the empty reply ends at once', async () => {
    const listener = track(await startNetkitServer(['tcp', 'listen', '--port', '0', '-c', '1']));
    const sent = await netkit([
      'tcp',
      'send',
      '127.0.0.1',
      String(listener.port),
      'hi',
      '-w',
      '--timeout',
      '5000',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('');
    expect((await listener.exited).code).toBe(0);
  });

  it('connection refused exits 1 with ECONNREFUSED and a hint, in one line', async () => {
    const port = await freePort('tcp');
    const sent = await netkit(['tcp', 'send', '127.0.0.1', String(port), 'hello']);
    expect(sent.code).toBe(1);
    expect(sent.stdout).toBe('');
    expect(sent.stderr).toMatch(
      new RegExp(
        `^netkit: tcp send: connecting to 127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(nothing is listening there; .+\\)\\n$`,
      ),
    );
  });

  it('a Unix socket path with nothing there exits 1 with ENOENT and a hint, in one line', async () => {
    const path = join(await tempDir(), 'nobody.sock');
    const sent = await netkit(['tcp', 'send', '--unix', path], { input: 'hello' });
    expect(sent.code).toBe(1);
    expect(sent.stderr).toBe(
      `netkit: tcp send: connecting to ${path}: ENOENT (no Unix socket at that path; is the server running?)\n`,
    );
  });

  it('--unix PATH with the message on stdin and --wait-reply', async () => {
    const path = join(await tempDir(), 'echo.sock');
    const echo = track(await startNetkitServer(['tcp', 'echo', '--unix', path]));
    expect(echo.endpoint).toBe(path);
    const sent = await netkit(['tcp', 'send', '--unix', path, '-w'], { input: 'over unix' });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('over unix');
    await echo.waitFor('unix peer: over unix\n', { stream: 'stdout', timeout: 5000 });
  });

  // Regression: with --unix the first positional was taken as HOST, so the help's own example
  // exited 2. With --unix, a single positional is the MESSAGE.
  it('--unix PATH MESSAGE, as in the help example, sends MESSAGE', async () => {
    const path = join(await tempDir(), 'echo.sock');
    track(await startNetkitServer(['tcp', 'echo', '--unix', path]));
    const sent = await netkit(['tcp', 'send', '--unix', path, 'hello', '-w']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe('hello');
  });
});

describe('tcp chat', () => {
  it('prints what comes back for each piped line and exits 0 at EOF', async () => {
    const echo = track(await startNetkitServer(['tcp', 'echo', '--port', '0']));
    const result = await netkit(['tcp', 'chat', 'localhost', String(echo.port)], {
      input: 'one\ntwo\nthree\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('one\ntwo\nthree\n');
    expect(result.stderr).toBe('');
    // One connection for the whole session.
    await echo.waitFor(/ closed \(14 bytes received\)\n/, { stream: 'stdout', timeout: 5000 });
    expect(echo.stdout().match(/ connected\n/g)).toHaveLength(1);
  });

  it('over a Unix socket against tcp serve --lines: one reply per line', async () => {
    const path = join(await tempDir(), 'serve.sock');
    track(await startNetkitServer(['tcp', 'serve', '--unix', path, '--reply', 'ok.', '--lines']));
    const result = await netkit(['tcp', 'chat', '--unix', path], { input: 'a\nb\nc\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('ok.ok.ok.');
  });

  it('connection refused exits 1 with one line', async () => {
    const port = await freePort('tcp');
    const result = await netkit(['tcp', 'chat', '127.0.0.1', String(port)], { input: 'x\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^netkit: tcp chat: connecting to .+: ECONNREFUSED \(.+\)\n$/);
  });
});

const SEND = 'usage: netkit tcp send [HOST] [PORT] [MESSAGE] [flags]';
const CHAT = 'usage: netkit tcp chat [HOST] [PORT] [flags]';

// Each case is a separate short-lived process: run them side by side.
describe.concurrent('usage errors exit 2 with the usage line on stderr', () => {
  it.each<[string, string[], RegExp, string]>([
    ['tcp send without HOST', ['tcp', 'send'], /missing HOST/, SEND],
    ['tcp send without PORT', ['tcp', 'send', 'localhost'], /missing PORT/, SEND],
    [
      'tcp send with --unix and HOST PORT',
      ['tcp', 'send', 'localhost', '5000', 'hi', '--unix', '/tmp/netkit-none.sock'],
      /give HOST PORT or --unix PATH, not both/,
      SEND,
    ],
    [
      'tcp send --timeout 0',
      ['tcp', 'send', 'localhost', '9', 'hi', '--timeout', '0'],
      /--timeout .*'0'/,
      SEND,
    ],
    ['tcp chat without HOST', ['tcp', 'chat'], /missing HOST/, CHAT],
    [
      'tcp chat with --unix and HOST',
      ['tcp', 'chat', 'localhost', '--unix', '/tmp/netkit-none.sock'],
      /not both/,
      CHAT,
    ],
    [
      'clients join without --name',
      ['clients', 'join', '--port', '5000'],
      /--name is required/,
      'usage: netkit clients join [flags]',
    ],
    [
      'clients join with --unix and --host',
      ['clients', 'join', '-n', 'a', '--host', 'localhost', '--unix', '/tmp/netkit-none.sock'],
      /give --host\/--port or --unix PATH, not both/,
      'usage: netkit clients join [flags]',
    ],
    [
      'tcp serve without --reply',
      ['tcp', 'serve', '--port', '0'],
      /--reply is required/,
      'usage: netkit tcp serve [flags]',
    ],
    [
      'tcp listen without --port',
      ['tcp', 'listen'],
      /--port is required/,
      'usage: netkit tcp listen [flags]',
    ],
    [
      'tcp listen -c 0',
      ['tcp', 'listen', '--port', '0', '-c', '0'],
      /--count .*'0'/,
      'usage: netkit tcp listen [flags]',
    ],
    ...(['listen', 'echo'] as const).map<[string, string[], RegExp, string]>((verb) => [
      `tcp ${verb} with --port and --unix`,
      ['tcp', verb, '--port', '0', '--unix', '/tmp/netkit-none.sock'],
      /give --host\/--port or --unix PATH, not both/,
      `usage: netkit tcp ${verb} [flags]`,
    ]),
    [
      'tcp serve with --port and --unix',
      ['tcp', 'serve', '--reply', 'x', '--port', '0', '--unix', '/tmp/netkit-none.sock'],
      /give --host\/--port or --unix PATH, not both/,
      'usage: netkit tcp serve [flags]',
    ],
    [
      'clients serve with --port and --unix',
      ['clients', 'serve', '--port', '0', '--unix', '/tmp/netkit-none.sock'],
      /give --host\/--port or --unix PATH, not both/,
      'usage: netkit clients serve [flags]',
    ],
  ])('%s', async (_title, args, message, usage) => {
    const result = await netkit(args);
    expectUsageError(result, message);
    expect(result.stderr.split('\n')).toContain(usage);
    expect(result.stderr).toContain(`run 'netkit ${args[0]} ${args[1]} --help' for more`);
  });

  it('tcp send without HOST hints at --unix', async () => {
    const result = await netkit(['tcp', 'send']);
    expect(result.stderr).toMatch(/^hint: or connect to a Unix socket with --unix PATH$/m);
  });

  it.each([
    ['tcp send'],
    ['tcp listen'],
    ['tcp echo'],
    ['tcp serve'],
    ['tcp chat'],
    ['clients serve'],
    ['clients join'],
  ])('netkit %s --help exits 0 with its usage line and an example', async (cmd) => {
    const result = await netkit([...cmd.split(' '), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^usage: netkit ${cmd} `, 'm'));
    expect(result.stdout).toMatch(new RegExp(`\\nexamples:\\n  netkit ${cmd}[ \\n]`));
  });

  it('netkit --help lists the tcp and clients commands', async () => {
    const result = await netkit(['--help']);
    expect(result.code).toBe(0);
    for (const cmd of [
      'tcp send',
      'tcp listen',
      'tcp echo',
      'tcp serve',
      'tcp chat',
      'clients serve',
      'clients join',
    ]) {
      expect(result.stdout).toContain(`netkit ${cmd} `);
    }
  });
});
