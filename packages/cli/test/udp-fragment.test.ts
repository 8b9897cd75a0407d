// udp send --fragment into udp listen --reassemble: a message far bigger than a datagram.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, spawnProcess } from '@netkit/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listeningPort, NETKIT_BIN, useProcesses } from './netkit.js';

const track = useProcesses();

describe('udp send --fragment / udp listen --reassemble', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netkit-cli-fragment-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('3 MB of random bytes piped from a file arrive byte-identical', async () => {
    const message = randomBytes(3 * 2 ** 20);
    const input = join(dir, 'message.bin');
    const output = join(dir, 'received.bin');
    await writeFile(input, message);

    // The listener's stdout is the raw message: straight into a file, not through a text pipe.
    const listener = track(
      spawnProcess(
        'sh',
        [
          '-c',
          'exec "$0" "$1" udp listen --port 0 --reassemble -c 1 > "$2"',
          process.execPath,
          NETKIT_BIN,
          output,
        ],
        { env: { NO_COLOR: '1' } },
      ),
    );
    const port = await listeningPort(listener);

    const sent = await run(
      'sh',
      [
        '-c',
        'cat "$3" | "$0" "$1" udp send localhost "$2" --fragment',
        process.execPath,
        NETKIT_BIN,
        String(port),
        input,
      ],
      { timeout: 20_000 },
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe('');

    const status = await Promise.race([
      listener.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000)),
    ]);
    expect(status, listener.stderr()).toEqual({ code: 0, signal: null });
    expect(listener.stderr()).not.toMatch(/lost/);
    const received = await readFile(output);
    expect(received.length).toBe(message.length);
    expect(received.equals(message)).toBe(true);
  });
});
