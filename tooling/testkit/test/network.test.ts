import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupStale,
  createLink,
  createNetwork,
  listNamespaces,
  run,
  skipUnless,
  startNcat,
  type TestNetwork,
} from '../src/index.js';
import { stopsRunning } from './helpers.js';

const req = skipUnless(['netns', 'ping', 'ncat']);
const udpSend = fileURLToPath(new URL('./fixtures/udp-send.mjs', import.meta.url));

async function rootLinks(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link'], { check: true });
  // "2: eth0@if5: <...>" -> "eth0@if5"; names only, since flags and state of unrelated links vary.
  return stdout
    .split('\n')
    .map((line) => line.split(':')[1]?.trim() ?? '')
    .filter((name) => name !== '')
    .sort();
}

async function ping(from: { run: TestNetwork['run'] }, address: string): Promise<number | null> {
  const { code } = await from.run('ping', ['-c', '1', '-W', '2', address], { timeout: 5000 });
  return code;
}

describe.skipIf(req.skip)(`network of 3 hosts on a bridge${req.note}`, () => {
  let net: TestNetwork;
  let linksBefore: string[];

  beforeAll(async () => {
    linksBefore = await rootLinks();
    net = await createNetwork({ hosts: 3, ipv6: true });
  });

  afterAll(async () => {
    await net?.destroy();
  });

  it('addresses hosts in 198.18.0.0/24 and fd00:198:18::/64 with eth0', () => {
    expect(net.hosts.map((h) => h.ipv4)).toEqual(['198.18.0.1', '198.18.0.2', '198.18.0.3']);
    expect(net.hosts.map((h) => h.ipv6)).toEqual([
      'fd00:198:18::1',
      'fd00:198:18::2',
      'fd00:198:18::3',
    ]);
    for (const h of net.hosts) {
      expect(h.name).toMatch(new RegExp(`^nk-${process.pid}-\\d+-h\\d$`));
      expect(h.iface).toBe('eth0');
      expect(h.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    }
    expect(new Set(net.hosts.map((h) => h.mac)).size).toBe(3);
    expect(net.bridge).toBe('br0');
    expect(net.broadcastAddress).toBe('198.18.0.255');
  });

  it('lets every host ping every other over IPv4 and IPv6', async () => {
    const pairs = net.hosts.flatMap((from) =>
      net.hosts.filter((to) => to !== from).map((to) => [from, to] as const),
    );
    const codes = await Promise.all(
      pairs.flatMap(([from, to]) => [ping(from, to.ipv4), ping(from, to.ipv6 ?? '')]),
    );
    expect(codes).toEqual(codes.map(() => 0));
  });

  it('leaves the root namespace alone', async () => {
    expect(await rootLinks()).toEqual(linksBefore);
    const addrs = await run('ip', ['-o', 'addr'], { check: true });
    expect(addrs.stdout).not.toMatch(/198\.18\.|fd00:198:18/);
    const routes = await run('ip', ['route'], { check: true });
    expect(routes.stdout).not.toMatch(/198\.18\./);
  });

  it('has multicast snooping off on the bridge', async () => {
    const { stdout } = await net.run('ip', ['-d', 'link', 'show', 'br0'], { check: true });
    expect(stdout).toMatch(/mcast_snooping 0/);
  });

  it('delivers unicast and broadcast datagrams to a peer in another host', async () => {
    const [h0, h1] = net.hosts;
    if (h0 === undefined || h1 === undefined) throw new Error('hosts missing');
    for (const [target, mode] of [
      [h1.ipv4, ''],
      ['198.18.0.255', 'broadcast'],
      ['255.255.255.255', 'broadcast'],
    ] as const) {
      const listener = await startNcat({ udp: true, listen: true, netns: h1.name, port: 7000 });
      try {
        const sender = h0.node(udpSend, [target, '7000', `to-${target}`, mode]);
        await sender.waitFor('sent', { stream: 'stdout' });
        await listener.waitFor(`to-${target}`, { stream: 'stdout' });
      } finally {
        await listener.stop();
      }
    }
  });

  it('sends multicast without a default route', async () => {
    const [h0] = net.hosts;
    const sender = h0!.node(udpSend, ['239.1.2.3', '7001', 'group']);
    await expect(sender.exited).resolves.toEqual({ code: 0, signal: null });
  });
});

describe.skipIf(req.skip)(`namespace lifecycle${req.note}`, () => {
  it('destroy removes every namespace and the processes inside, and is idempotent', async () => {
    const net = await createNetwork({ hosts: 2, name: 'life' });
    const names = [net.switchNs, ...net.hosts.map((h) => h.name)];
    expect(names.every((n) => n.includes('-life-'))).toBe(true);
    expect(await listNamespaces()).toEqual(expect.arrayContaining(names));
    const sleeper = net.hosts[0]!.spawn('sleep', ['60']);
    await net.destroy();
    await net.destroy();
    expect((await sleeper.exited).signal).not.toBeNull();
    const after = await listNamespaces();
    for (const n of names) expect(after).not.toContain(n);
  });

  it('joins two namespaces with one veth pair', async () => {
    const link = await createLink({ ipv6: true });
    try {
      expect([link.a.ipv4, link.b.ipv4]).toEqual(['198.18.1.1', '198.18.1.2']);
      expect(await ping(link.a, '198.18.1.2')).toBe(0);
      expect(await ping(link.b, 'fd00:198:18:1::1')).toBe(0);
      const { stdout } = await link.a.run('ip', ['-o', 'link'], { check: true });
      expect(stdout).toMatch(/eth0@/);
    } finally {
      await link.destroy();
    }
    const after = await listNamespaces();
    expect(after).not.toContain(link.a.name);
    expect(after).not.toContain(link.b.name);
  });

  it('cleanupStale removes namespaces of dead processes, and what runs inside them', async () => {
    let pid = 999_999;
    while (isAlive(pid)) pid += 1;
    const name = `nk-${pid}-1-x`;
    await run('ip', ['netns', 'add', name], { check: true });
    try {
      const inside = await run('sh', ['-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], {
        netns: name,
        check: true,
      });
      const sleeper = Number(inside.stdout.trim());
      await cleanupStale();
      expect(await listNamespaces()).not.toContain(name);
      expect(await stopsRunning(sleeper)).toBe(true);
    } finally {
      await run('ip', ['netns', 'del', name]);
    }
  });

  it('cleanupStale keeps namespaces of live processes', async () => {
    const link = await createLink();
    try {
      await cleanupStale();
      expect(await listNamespaces()).toEqual(expect.arrayContaining([link.a.name, link.b.name]));
    } finally {
      await link.destroy();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
