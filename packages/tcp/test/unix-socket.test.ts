// Unix socket servers: a stale socket file (its server killed) is replaced, a live server's is
// not (EADDRINUSE), and a path holding a regular file is refused and left untouched.
import { existsSync, lstatSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnProcess } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { connect, createEchoServer, createServer, TcpServer } from '../src/index.js';
import { closeAfterEach, rejectionOf } from './helpers.js';

const open = closeAfterEach();

/** Connects over the Unix socket, sends `text`, half-closes and reads the answer. */
async function exchange(path: string, text: string): Promise<string> {
  const c = open.connection(await connect({ path }));
  await c.end(text);
  return (await c.readAll({ maxBytes: 1024, timeout: 5000 })).toString();
}

const LISTEN = `require('node:net').createServer().listen(process.argv[1], () => console.log('listening'))`;

describe('Unix socket servers', () => {
  it('serves over a socket file and removes it on close', async () => {
    const path = join(await open.tempDir(), 'echo.sock');
    const server = await createEchoServer({ path });
    expect(server.address()).toBe(path);
    expect(() => server.port).toThrow(TypeError);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await exchange(path, 'unix')).toBe('unix');
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('names Unix peers by path on the client and as "unix peer" on the server', async () => {
    const path = join(await open.tempDir(), 'peer.sock');
    const remotes: (string | undefined)[] = [];
    const server = open.server(
      await createServer(
        async (connection) => {
          remotes.push(connection.remote, connection.remoteAddress);
          await connection.send(connection.remote);
        },
        { path },
      ),
    );
    expect(server.endpoint).toBe(path);
    const c = open.connection(await connect({ path }));
    expect(c.remote).toBe(path);
    expect((await c.readAll({ maxBytes: 100, timeout: 5000 })).toString()).toBe('unix peer');
    expect(remotes).toEqual(['unix peer', undefined]);
  });

  it('replaces a stale socket file left by a server that was killed', async () => {
    const path = join(await open.tempDir(), 'stale.sock');
    const crashed = open.process(spawnProcess(process.execPath, ['-e', LISTEN, path]));
    await crashed.waitFor('listening', { stream: 'stdout' });
    await crashed.stop('SIGKILL', 0);
    expect(lstatSync(path).isSocket()).toBe(true); // left behind, nobody listening
    expect((await rejectionOf(connect({ path }))).code).toBe('ECONNREFUSED');

    open.server(await createEchoServer({ path }));
    expect(await exchange(path, 'took over')).toBe('took over');
  });

  it('refuses with EADDRINUSE when a live server listens there', async () => {
    const path = join(await open.tempDir(), 'live.sock');
    open.server(await createEchoServer({ path }));
    const err = await rejectionOf(createEchoServer({ path }));
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain(`listening on ${path}: another server is listening there`);
    // The live server kept its socket file and serves on.
    expect(await exchange(path, 'still mine')).toBe('still mine');

    // A live server that is not netkit's is left alone too.
    const other = join(await open.tempDir(), 'other.sock');
    const foreign = open.process(spawnProcess(process.execPath, ['-e', LISTEN, other]));
    await foreign.waitFor('listening', { stream: 'stdout' });
    expect((await rejectionOf(createEchoServer({ path: other }))).code).toBe('EADDRINUSE');
    expect(lstatSync(other).isSocket()).toBe(true);
  });

  it('refuses a path that holds a regular file, and leaves the file untouched', async () => {
    const path = join(await open.tempDir(), 'notes.txt');
    await writeFile(path, 'precious data\n');
    const err = await rejectionOf(createEchoServer({ path }));
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain(
      `listening on ${path}: a file that is not a socket is in the way`,
    );
    expect(await readFile(path, 'utf8')).toBe('precious data\n');
    // A server object that never listened closes cleanly.
    await new TcpServer(() => undefined, { path }).close();
    expect(await readFile(path, 'utf8')).toBe('precious data\n');
  });

  it('fails with a hint when the folder does not exist', async () => {
    const path = join(await open.tempDir(), 'missing', 'x.sock');
    const err = await rejectionOf(createEchoServer({ path }));
    // libuv reports a missing folder as EACCES for Unix sockets.
    expect(err.code).toBe('EACCES');
    expect(err.message).toContain(`listening on ${path}: EACCES (`);
    expect(err.message).toContain('a Unix socket path needs write access to its folder');
  });
});
