// Broadcast between network namespaces on one bridge (198.18.0.0/24): three hosts, netkit
// listening on two of them and sending from the third. Nothing leaves the namespaces.
import {
  createNetwork,
  type ManagedProcess,
  skipUnless,
  type TestHost,
  type TestNetwork,
} from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, listeningPort, NETKIT_BIN, useProcesses } from './netkit.js';

const req = skipUnless(['root', 'netns']);
const PORT = 9999;

describe.skipIf(req.skip)(`udp broadcast across namespaces${req.note}`, () => {
  const track = useProcesses();
  let net: TestNetwork;
  beforeAll(async () => {
    net = await createNetwork({ hosts: 3, name: 'clibc' });
  });
  afterAll(async () => {
    await net?.destroy();
  });

  const netkitIn = (host: TestHost, args: string[]): ManagedProcess =>
    host.spawn(process.execPath, [NETKIT_BIN, ...args], { env: { NO_COLOR: '1' } });

  /** `udp listen --host 0.0.0.0 --port 9999 -c 1 --json` on hosts 1 and 2, once both are bound. */
  async function listeners(): Promise<ManagedProcess[]> {
    const started = [1, 2].map((i) =>
      track(
        netkitIn(net.hosts[i]!, [
          'udp',
          'listen',
          '--host',
          '0.0.0.0',
          '--port',
          String(PORT),
          '-c',
          '1',
          '--json',
        ]),
      ),
    );
    const ports = await Promise.all(started.map((p) => listeningPort(p)));
    expect(ports).toEqual([PORT, PORT]);
    return started;
  }

  async function expectHello(listener: ManagedProcess): Promise<void> {
    const status = await Promise.race([
      listener.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    expect(status, listener.stdout() + listener.stderr()).toEqual({ code: 0, signal: null });
    const [d, ...more] = jsonLines(listener.stdout());
    expect(more).toEqual([]);
    expect(d).toMatchObject({ from: '198.18.0.1', family: 'IPv4', size: 5, text: 'hello' });
  }

  async function send(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return net.hosts[0]!.run(process.execPath, [NETKIT_BIN, 'udp', 'send', ...args], {
      env: { NO_COLOR: '1' },
      timeout: 15_000,
    });
  }

  it('udp send broadcast -i eth0 reaches every host via the directed broadcast 198.18.0.255', async () => {
    const [a, b] = await listeners();
    const sent = await send(['broadcast', String(PORT), 'hello', '-i', 'eth0', '-v']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(`sent 5 bytes to ${net.broadcastAddress}:${PORT}`);
    await expectHello(a!);
    await expectHello(b!);
  });

  it('udp send 255.255.255.255 --broadcast reaches every host', async () => {
    const [a, b] = await listeners();
    const sent = await send(['255.255.255.255', String(PORT), 'hello', '--broadcast', '-v']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(`sent 5 bytes to 255.255.255.255:${PORT}`);
    await expectHello(a!);
    await expectHello(b!);
  });

  it('a broadcast address without --broadcast is refused by the kernel: exit 1, EACCES, one line', async () => {
    const sent = await send([net.broadcastAddress, String(PORT), 'hello']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(/^netkit: udp send: .*198\.18\.0\.255:9999: EACCES \(.+\)\n$/);
    // The hint must name the flag that fixes it (today it names the library's `broadcast: true`).
    expect(sent.stderr).toContain('--broadcast');
  });

  it('-i names an interface the host does not have: exit 1 with the ones it has', async () => {
    const sent = await send(['broadcast', String(PORT), 'hello', '-i', 'nk-nope0']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(
      /^netkit: udp send: interface nk-nope0 has no IPv4 address .*eth0.*\n$/,
    );
  });
});
