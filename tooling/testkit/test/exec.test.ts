import { describe, expect, it } from 'vitest';
import { run, spawnProcess, stopAll } from '../src/index.js';
import { stopsRunning } from './helpers.js';

describe('run', () => {
  it('collects output, exit code and feeds input', async () => {
    const r = await run('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hi there' });
    expect(r).toEqual({ stdout: 'hi there', stderr: 'oops\n', code: 3, signal: null });
  });

  it('rejects with check when the code is not 0', async () => {
    await expect(run('sh', ['-c', 'echo bad >&2; exit 2'], { check: true })).rejects.toThrow(
      /code 2[\s\S]*bad/,
    );
  });

  it('rejects when the command does not exist', async () => {
    await expect(run('nk-no-such-command-xyz', [])).rejects.toThrow(/cannot start.*ENOENT/);
  });

  it('times out cleanly and kills the whole process tree', async () => {
    const started = Date.now();
    const err: unknown = await run('sh', ['-c', 'echo $$; sleep 30 & echo $!; wait'], {
      timeout: 300,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/timed out after 300 ms.*sh -c/);
    const pids = [...message.matchAll(/^(\d+)$/gm)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await stopsRunning(pid)).toBe(true);
  });
});

describe('spawnProcess', () => {
  it('waits for output on either stream', async () => {
    const p = spawnProcess('sh', ['-c', 'echo ready; echo warn >&2; sleep 30']);
    await expect(p.waitFor('ready', { stream: 'stdout' })).resolves.toBe('ready');
    const m = await p.waitFor(/w(a)rn/, { stream: 'stderr' });
    expect(m[1]).toBe('a');
    const status = await p.stop();
    expect(status.signal).toBe('SIGTERM');
    expect(p.stdout()).toBe('ready\n');
  });

  it('rejects waitFor when the process exits first, with its output', async () => {
    const p = spawnProcess('sh', ['-c', 'echo something else; exit 4']);
    await expect(p.waitFor('never', { timeout: 5000 })).rejects.toThrow(
      /exited \(code 4\)[\s\S]*something else/,
    );
  });

  it('rejects waitFor on timeout', async () => {
    const p = spawnProcess('sleep', ['30']);
    await expect(p.waitFor(/never/, { timeout: 200 })).rejects.toThrow(/timed out after 200 ms/);
    await p.stop();
  });

  it('writes to stdin and ends it', async () => {
    const p = spawnProcess('cat', [], { stdin: 'pipe' });
    await p.write('ping\n');
    await p.waitFor('ping');
    p.endInput();
    await expect(p.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('escalates to SIGKILL when the signal is ignored', async () => {
    const p = spawnProcess('sh', ['-c', 'trap "" TERM; echo up; sleep 30']);
    await p.waitFor('up');
    const started = Date.now();
    const status = await p.stop('SIGTERM', 300);
    expect(status.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('stopAll stops everything still running', async () => {
    const a = spawnProcess('sleep', ['30']);
    const b = spawnProcess('sleep', ['30']);
    await stopAll();
    expect((await a.exited).signal).toBe('SIGTERM');
    expect((await b.exited).signal).toBe('SIGTERM');
  });
});
