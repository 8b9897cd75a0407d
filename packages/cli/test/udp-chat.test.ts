// netkit udp chat: one line, one request, one reply; a missing reply is a note, not the end.
import { skipUnless, startNcat } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { netkit, spawnNetkit, startNetkit, useProcesses } from './netkit.js';

const track = useProcesses();
const ncat = skipUnless(['ncat']);

describe('udp chat', () => {
  it('prints the reply to each piped line and exits 0 at EOF', async () => {
    const echo = track(await startNetkit(['udp', 'echo', '--port', '0', '--prefix', 'OK...']));
    const result = await netkit(['udp', 'chat', 'localhost', String(echo.port)], {
      input: 'one\ntwo\nthree\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('OK...one\nOK...two\nOK...three\n');
    expect(result.stderr).toBe('');
    // One socket for the whole session: the server sees one client.
    await echo.waitFor(': three', { stream: 'stdout', timeout: 5000 });
    const senders = echo
      .stdout()
      .trim()
      .split('\n')
      .map((line) => /^127\.0\.0\.1:(\d+): /.exec(line)?.[1]);
    expect(senders).toHaveLength(3);
    expect(new Set(senders).size).toBe(1);
  });

  it('against a silent peer notes each timeout, goes on, and exits 0', async () => {
    const silent = track(await startNetkit(['udp', 'listen', '--port', '0']));
    const result = await netkit(
      ['udp', 'chat', '127.0.0.1', String(silent.port), '--timeout', '200'],
      {
        input: 'first\nsecond\n',
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('netkit: no reply within 200 ms\nnetkit: no reply within 200 ms\n');
    // The second line was still sent after the first went unanswered.
    await silent.waitFor(/: first\n.*: second\n/, { stream: 'stdout', timeout: 5000 });
  });

  it.skipIf(ncat.skip)(
    `goes on after an unanswered line (ncat -u -l answering by hand)${ncat.note}`,
    async () => {
      const peer = track(await startNcat({ udp: true, listen: true }));
      const chat = track(
        spawnNetkit(['udp', 'chat', '127.0.0.1', String(peer.port), '--timeout', '500'], {
          stdin: 'pipe',
        }),
      );
      const wait = { stream: 'stdout', timeout: 5000 } as const;

      await chat.write('one\n');
      // chat sends each line without its newline, so ncat prints them run together.
      await peer.waitFor('one', wait);
      await peer.write('reply one\n');
      await chat.waitFor('reply one\n', wait);

      await chat.write('two\n');
      await peer.waitFor('onetwo', wait);
      await chat.waitFor('netkit: no reply within 500 ms', { stream: 'stderr', timeout: 5000 });

      await chat.write('three\n');
      await peer.waitFor('onetwothree', wait);
      await peer.write('reply three\n');
      await chat.waitFor('reply three\n', wait);

      chat.endInput();
      const status = await Promise.race([
        chat.exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      expect(status).toEqual({ code: 0, signal: null });
      expect(chat.stdout()).toBe('reply one\nreply three\n');
      expect(peer.stdout()).toBe('onetwothree');
    },
  );

  it('--json prints each reply as a JSON object', async () => {
    const server = track(await startNetkit(['udp', 'serve', '--port', '0', '--reply', 'Ack']));
    const result = await netkit(['udp', 'chat', '127.0.0.1', String(server.port), '--json'], {
      input: 'x\n',
    });
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(reply).toMatchObject({ from: '127.0.0.1', port: server.port, text: 'Ack', size: 3 });
  });
});
