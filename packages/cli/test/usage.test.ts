import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { netkit } from './netkit.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const SEND = 'usage: netkit udp send HOST PORT [MESSAGE] [flags]';

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

// Each case is a separate short-lived process: run them side by side.
describe.concurrent('usage errors exit 2 with the usage line on stderr', () => {
  it.each<[string, string[], RegExp, string]>([
    ['missing HOST', ['udp', 'send'], /missing HOST/, SEND],
    ['missing PORT', ['udp', 'send', 'localhost'], /missing PORT/, SEND],
    ['port abc', ['udp', 'send', 'localhost', 'abc', 'hi'], /PORT .*'abc'/, SEND],
    ['port 70000', ['udp', 'send', 'localhost', '70000', 'hi'], /PORT .*'70000'/, SEND],
    [
      'unknown flag',
      ['udp', 'send', 'localhost', '9', 'hi', '--bogus'],
      /unknown flag --bogus/,
      SEND,
    ],
    [
      '--fragment with --wait-reply',
      ['udp', 'send', 'localhost', '9', 'hi', '--fragment', '--wait-reply'],
      /--fragment and --wait-reply/,
      SEND,
    ],
    [
      'an extra argument',
      ['udp', 'send', 'localhost', '9', 'a', 'b'],
      /unexpected argument: b/,
      SEND,
    ],
    ['--timeout -5', ['udp', 'send', 'localhost', '9', 'hi', '--timeout', '-5'], /--timeout/, SEND],
    [
      '--timeout=-5',
      ['udp', 'send', 'localhost', '9', 'hi', '--timeout=-5'],
      /--timeout .*'-5'/,
      SEND,
    ],
    [
      '--timeout 0',
      ['udp', 'send', 'localhost', '9', 'hi', '--timeout', '0'],
      /--timeout .*'0'/,
      SEND,
    ],
    [
      '-i without broadcast',
      ['udp', 'send', 'localhost', '9', 'hi', '-i', 'lo'],
      /-i\/--interface/,
      SEND,
    ],
    [
      'udp serve without --reply',
      ['udp', 'serve', '--port', '0'],
      /--reply is required/,
      'usage: netkit udp serve [flags]',
    ],
    [
      'udp listen without --port',
      ['udp', 'listen'],
      /--port is required/,
      'usage: netkit udp listen [flags]',
    ],
    [
      'udp listen --port 65536',
      ['udp', 'listen', '--port', '65536'],
      /--port .*'65536'/,
      'usage: netkit udp listen [flags]',
    ],
    [
      'udp echo -c 0',
      ['udp', 'echo', '--port', '0', '-c', '0'],
      /--count .*'0'/,
      'usage: netkit udp echo [flags]',
    ],
    [
      'udp echo with an argument',
      ['udp', 'echo', 'extra', '--port', '0'],
      /unexpected argument: extra/,
      'usage: netkit udp echo [flags]',
    ],
    [
      'udp chat missing PORT',
      ['udp', 'chat', 'localhost'],
      /missing PORT/,
      'usage: netkit udp chat HOST PORT [flags]',
    ],
    [
      'demo with an argument',
      ['demo', 'now'],
      /unexpected argument: now/,
      'usage: netkit demo [flags]',
    ],
  ])('%s', async (_title, args, message, usage) => {
    const result = await netkit(args);
    expectUsageError(result, message);
    expect(result.stderr.split('\n')).toContain(usage);
    expect(result.stderr).toContain(
      `run 'netkit ${args[0] === 'demo' ? 'demo' : `udp ${args[1]}`} --help'`,
    );
  });

  // CLI.md: exit 2 is "usage (bad flag or argument, with the usage line and a hint)".
  it.each<[string, string[], RegExp]>([
    ['an unknown area', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown verb', ['udp', 'frobnicate'], /unknown command 'netkit udp frobnicate'/],
    ['an area without a verb', ['udp'], /netkit udp needs a command/],
  ])(
    '%s: names it, hints at the choices and shows the usage line',
    async (_title, args, message) => {
      const result = await netkit(args);
      expectUsageError(result, message);
      expect(result.stderr).toMatch(/^hint: one of: /m);
      expect(result.stderr).toMatch(/^usage: netkit /m);
    },
  );

  it('netkit alone exits 2 and shows the commands on stderr', async () => {
    const result = await netkit([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('usage: netkit AREA VERB [ARGS] [flags]');
    expect(result.stderr).toContain('netkit udp send');
  });
});

describe.concurrent('help and version', () => {
  it('netkit --help lists every command and exits 0', async () => {
    const result = await netkit(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const cmd of ['demo', 'udp send', 'udp listen', 'udp echo', 'udp serve', 'udp chat']) {
      expect(result.stdout).toContain(`netkit ${cmd} `);
    }
    expect(result.stdout).toContain('exit codes: 0 ok, 1 error, 2 usage, 3 timeout');
  });

  it('netkit --version prints the package version and exits 0', async () => {
    const result = await netkit(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });

  it.each([
    ['demo', 'usage: netkit demo [flags]'],
    ['udp send', SEND],
    ['udp listen', 'usage: netkit udp listen [flags]'],
    ['udp echo', 'usage: netkit udp echo [flags]'],
    ['udp serve', 'usage: netkit udp serve [flags]'],
    ['udp chat', 'usage: netkit udp chat HOST PORT [flags]'],
  ])('netkit %s --help exits 0 with its usage line and an example', async (cmd, usage) => {
    const result = await netkit([...cmd.split(' '), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toContain(usage);
    // The examples section starts with a runnable example of this very command.
    expect(result.stdout).toMatch(new RegExp(`\\nexamples:\\n  netkit ${cmd}[ \\n]`));
    expect(result.stdout).toContain('exit codes: 0 ok, 1 error, 2 usage, 3 timeout');
  });

  it('-h is --help, even with the required arguments missing', async () => {
    const result = await netkit(['udp', 'send', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toContain(SEND);
  });
});
