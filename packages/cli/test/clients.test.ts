// netkit clients serve / join: the seed's client-list service, against the Python 3 port of the
// seed's client_list.py (packages/tcp/test/fixtures) and against netkit itself.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type ManagedProcess, run, skipUnless, spawnProcess } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { netkit, startNetkitServer, useProcesses, useTempDirs } from './netkit.js';

const python = skipUnless(['python3']);
const CLIENT_LIST_PY = fileURLToPath(
  new URL('../../tcp/test/fixtures/client_list.py', import.meta.url),
);

const tempDir = useTempDirs();
const track = useProcesses();

interface Entry {
  name: string;
  address: string;
  port: number;
}

/** What Python's json.dumps(entries, indent=4) prints for these entries (ASCII names). */
function pythonIndent4(entries: Entry[]): string {
  const body = entries.map(
    (e) =>
      `    "${e.name}": {\n        "name": "${e.name}",\n        "address": "${e.address}",\n` +
      `        "port": ${e.port}\n    }`,
  );
  return `{\n${body.join(',\n')}\n}\n`;
}

/** Starts the Python server on a free port; resolves with it and its port once it listens. */
async function startPythonServer(): Promise<{ proc: ManagedProcess; port: number }> {
  const proc = track(
    spawnProcess('python3', [CLIENT_LIST_PY, '--host', '127.0.0.1', '--port', '0'], {
      env: { PYTHONUNBUFFERED: '1' },
    }),
  );
  const m = await proc.waitFor(/Listening on 127\.0\.0\.1:(\d+)/, {
    stream: 'stdout',
    timeout: 10_000,
  });
  return { proc, port: Number(m[1]) };
}

function pythonClient(name: string, host: string, port: number) {
  return run(
    'python3',
    [CLIENT_LIST_PY, '-c', '-n', name, '--host', host, '--port', String(port)],
    {
      timeout: 10_000,
    },
  );
}

describe.skipIf(python.skip)(`the Python client_list.py and netkit${python.note}`, () => {
  it('client_list.py -c joins netkit clients serve and gets the list, netkit entries included', async () => {
    const server = track(await startNetkitServer(['clients', 'serve', '--port', '0', '-c', '2']));
    expect(server.kind).toBe('client list, plain protocol');
    const first = await netkit(['clients', 'join', '-n', 'nk', '--port', String(server.port)]);
    expect(first.code, first.stderr).toBe(0);

    const py = await pythonClient('py', '127.0.0.1', server.port);
    expect(py.code, py.stderr).toBe(0);
    const list = JSON.parse(py.stdout) as Record<string, Entry>;
    expect(Object.keys(list)).toEqual(['nk', 'py']);
    expect(list.py).toEqual({ name: 'py', address: '127.0.0.1', port: expect.any(Number) });
    expect(list.nk).toEqual((JSON.parse(first.stdout) as Record<string, Entry>).nk);

    // -c 2: two joins, then the server exits by itself, 0, with its summary.
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toBe(
      `nk joined from 127.0.0.1:${list.nk?.port} (1 client)\n` +
        `py joined from 127.0.0.1:${list.py?.port} (2 clients)\n`,
    );
    expect(server.stderr()).toMatch(/^2 clients in the list; accepted 2, errors 0$/m);
  });

  it('netkit clients join against client_list.py prints exactly what json.dumps(indent=4) does', async () => {
    const server = await startPythonServer();
    const args = ['--host', '127.0.0.1', '--port', String(server.port)];

    const alice = await netkit(['clients', 'join', '--name', 'alice', ...args]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stderr).toBe('');
    const a = (JSON.parse(alice.stdout) as Record<string, Entry>).alice;
    expect(a).toEqual({ name: 'alice', address: '127.0.0.1', port: expect.any(Number) });
    expect(alice.stdout).toBe(pythonIndent4([a as Entry]));

    const bob = await netkit(['clients', 'join', '-n', 'bob', ...args]);
    expect(bob.code, bob.stderr).toBe(0);
    const b = (JSON.parse(bob.stdout) as Record<string, Entry>).bob as Entry;
    expect(bob.stdout).toBe(pythonIndent4([a as Entry, b]));

    // And Python itself, given the same list, prints the same text.
    const dumped = await run(
      'python3',
      ['-c', 'import json,sys; print(json.dumps(json.loads(sys.stdin.read()), indent=4))'],
      { input: bob.stdout, timeout: 10_000 },
    );
    expect(dumped.code, dumped.stderr).toBe(0);
    expect(bob.stdout).toBe(dumped.stdout);

    // The Python client sees netkit's entries too.
    const py = await pythonClient('py', '127.0.0.1', server.port);
    expect(Object.keys(JSON.parse(py.stdout) as object)).toEqual(['alice', 'bob', 'py']);
  });
});

describe('netkit clients join against netkit clients serve', () => {
  it.each<[string, 'IPv6' | 'Unix', boolean]>([
    ['IPv6, plain', 'IPv6', false],
    ['IPv6, --framed', 'IPv6', true],
    ['Unix socket, plain', 'Unix', false],
    ['Unix socket, --framed', 'Unix', true],
  ])('%s: each join gets the whole list', async (_title, family, framed) => {
    const framing = framed ? ['--framed'] : [];
    const where =
      family === 'Unix'
        ? ['--unix', join(await tempDir(), 'clients.sock')]
        : ['--host', '::1', '--port', '0'];
    const server = track(
      await startNetkitServer(['clients', 'serve', ...where, ...framing, '-c', '2']),
    );
    expect(server.kind).toBe(`client list, ${framed ? 'framed' : 'plain'} protocol`);
    const to = family === 'Unix' ? where : ['--host', '::1', '--port', String(server.port)];

    const one = await netkit(['clients', 'join', '-n', 'one', ...to, ...framing]);
    expect(one.code, one.stderr).toBe(0);
    const two = await netkit(['clients', 'join', '-n', 'two', ...to, ...framing]);
    expect(two.code, two.stderr).toBe(0);
    const list = JSON.parse(two.stdout) as Record<string, Entry>;
    expect(two.stdout).toBe(`${JSON.stringify(list, null, 4)}\n`);
    expect(Object.keys(list)).toEqual(['one', 'two']);
    for (const name of ['one', 'two']) {
      expect(list[name]).toEqual(
        family === 'Unix'
          ? { name, address: 'unix', port: 0 }
          : { name, address: '::1', port: expect.any(Number) },
      );
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(
      /^one joined from .+ \(1 client\)\ntwo joined from .+ \(2 clients\)\n$/,
    );
  });

  it('a repeated name replaces its entry; --json prints one compact document', async () => {
    const server = track(await startNetkitServer(['clients', 'serve', '--port', '0']));
    const to = ['--port', String(server.port)];
    const first = await netkit(['clients', 'join', '-n', 'alice', ...to, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const firstList = JSON.parse(first.stdout) as Record<string, Entry>;
    expect(first.stdout).toBe(`${JSON.stringify(firstList)}\n`);
    await netkit(['clients', 'join', '-n', 'bob', ...to]);
    const again = await netkit(['clients', 'join', '-n', 'alice', ...to, '--json']);
    const list = JSON.parse(again.stdout) as Record<string, Entry>;
    expect(Object.keys(list)).toEqual(['alice', 'bob']);
    // (The entry is the newest one: the server logs that join with the port now in the list.)
    await server.waitFor(/^alice joined from 127\.0\.0\.1:\d+ \(2 clients\)$/m, {
      stream: 'stdout',
      timeout: 5000,
    });
    expect(server.stdout().split('\n').filter(Boolean)).toEqual([
      `alice joined from 127.0.0.1:${firstList.alice?.port} (1 client)`,
      expect.stringMatching(/^bob joined from 127\.0\.0\.1:\d+ \(2 clients\)$/),
      `alice joined from 127.0.0.1:${list.alice?.port} (2 clients)`,
    ]);
  });

  it('clients serve --json logs each join as a JSON object', async () => {
    const server = track(
      await startNetkitServer(['clients', 'serve', '--port', '0', '--json', '-c', '1']),
    );
    const joined = await netkit(['clients', 'join', '-n', 'j', '--port', String(server.port)]);
    const entry = (JSON.parse(joined.stdout) as Record<string, Entry>).j;
    expect((await server.exited).code).toBe(0);
    expect(JSON.parse(server.stdout())).toEqual({ event: 'join', ...entry, clients: 1 });
  });

  it('a 300-byte name exits 1 with a clear one-line error, and nothing joins', async () => {
    const server = track(await startNetkitServer(['clients', 'serve', '--port', '0']));
    const result = await netkit([
      'clients',
      'join',
      '--name',
      'x'.repeat(300),
      '--port',
      String(server.port),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'netkit: clients join: the name is 300 bytes long; at most 256 are allowed\n',
    );
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toBe('');
    expect(server.stderr()).toMatch(/^0 clients in the list; accepted 0, errors 0$/m);
  });

  it('a name with control characters exits 1 in one line', async () => {
    const result = await netkit(['clients', 'join', '-n', 'a\tb', '--port', '9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('netkit: clients join: the name contains control characters\n');
  });

  it('the server refuses a too-long name from a raw client with {"error"} and goes on', async () => {
    const server = track(await startNetkitServer(['clients', 'serve', '--port', '0']));
    const raw = await netkit(['tcp', 'send', '127.0.0.1', String(server.port), '-w'], {
      input: 'y'.repeat(300),
    });
    expect(raw.code, raw.stderr).toBe(0);
    expect(JSON.parse(raw.stdout)).toEqual({ error: expect.stringMatching(/256 bytes/) });
    await server.waitFor(/^netkit: refused 127\.0\.0\.1:\d+: .*256 bytes/m, {
      stream: 'stderr',
      timeout: 5000,
    });
    const ok = await netkit(['clients', 'join', '-n', 'fine', '--port', String(server.port)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(Object.keys(JSON.parse(ok.stdout) as object)).toEqual(['fine']);
  });

  it('clients serve exits 0 on SIGTERM with the summary on stderr', async () => {
    const server = track(await startNetkitServer(['clients', 'serve', '--port', '0']));
    for (const name of ['a', 'b', 'a']) {
      const r = await netkit(['clients', 'join', '-n', name, '--port', String(server.port)]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe(
      `listening on 127.0.0.1:${server.port} (client list, plain protocol)\n` +
        '2 clients in the list; accepted 3, errors 0\n',
    );
    expect(server.stdout().match(/ joined from /g)).toHaveLength(3);
  });

  it('joining where nothing listens exits 1 with ECONNREFUSED in one line', async () => {
    const port = await freePort('tcp');
    const result = await netkit(['clients', 'join', '-n', 'late', '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^netkit: clients join: connecting to localhost:${port}: ECONNREFUSED \\(.+\\)\\n$`,
      ),
    );
  });
});
