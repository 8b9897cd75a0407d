import { fileURLToPath } from 'node:url';
import {
  createNetwork,
  type ManagedProcess,
  skipUnless,
  type TestNetwork,
  tsharkReady,
} from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const receiverScript = fileURLToPath(new URL('./fixtures/receiver.mjs', import.meta.url));
const senderScript = fileURLToPath(new URL('./fixtures/sender.mjs', import.meta.url));
const errorScript = fileURLToPath(new URL('./fixtures/join-error.mjs', import.meta.url));

interface Sent {
  reason?: string;
  replies?: { from: string; port: number; data: string }[];
  error?: string;
  message?: string;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function messagesOf(p: ManagedProcess): Record<string, unknown>[] {
  return jsonLines(p.stdout()).filter((l) => typeof l.data === 'string');
}

async function send(
  host: TestNetwork['hosts'][number],
  config: Record<string, unknown>,
): Promise<Sent> {
  const p = host.node(senderScript, [JSON.stringify(config)]);
  const status = await p.exited;
  expect(status.code, p.stderr() + p.stdout()).toBe(0);
  return JSON.parse(p.stdout().trim()) as Sent;
}

async function startReceivers(
  hosts: TestNetwork['hosts'],
  config: Record<string, unknown>,
): Promise<ManagedProcess[]> {
  const receivers = hosts.map((h) =>
    h.node(receiverScript, [JSON.stringify(config)], { stdin: 'pipe' }),
  );
  await Promise.all(receivers.map((r) => r.waitFor('"ready":true', { timeout: 8000 })));
  return receivers;
}

async function stopReceivers(receivers: ManagedProcess[]): Promise<void> {
  await Promise.all(
    receivers.map(async (r) => {
      await r.write('exit\n').catch(() => undefined);
      await r.exited;
    }),
  );
}

const req = skipUnless(['netns']);

describe.skipIf(req.skip)(`multicast between namespaces on one bridge${req.note}`, () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await createNetwork({ hosts: 4, ipv6: true, name: 'mcast' });
  });
  afterAll(async () => {
    await net?.destroy();
  });

  for (const family of ['IPv4', 'IPv6'] as const) {
    const group = family === 'IPv4' ? '239.1.2.3' : 'ff15::1:2:3';
    const port = family === 'IPv4' ? 47_301 : 47_302;
    const addressOf = (h: TestNetwork['hosts'][number]) =>
      family === 'IPv4' ? h.ipv4 : (h.ipv6 as string);

    it(`${family}: three receivers ack, and one that leaves hears nothing more (${group})`, async () => {
      const [sender, ...hosts] = net.hosts;
      const receivers = await startReceivers(hosts, { group, port, interface: 'eth0' });
      try {
        const first = await send(sender!, {
          group,
          port,
          message: 'Very important data',
          interface: 'eth0',
          timeout: 1500,
        });
        expect(first.reason).toBe('timeout');
        expect(first.replies?.map((r) => r.from).sort()).toEqual(hosts.map(addressOf).sort());
        expect(first.replies?.every((r) => r.data === 'ack' && r.port === port)).toBe(true);
        for (const r of receivers) {
          expect(messagesOf(r)).toEqual([
            {
              data: 'Very important data',
              from: addressOf(sender!),
              port: expect.any(Number),
              group,
            },
          ]);
        }

        // The last receiver leaves; its process keeps running and its socket stays open.
        const leaver = receivers[2]!;
        await leaver.write('leave\n');
        await leaver.waitFor('"left":true', { timeout: 5000 });

        const second = await send(sender!, {
          group,
          port,
          message: 'second',
          interface: 'eth0',
          timeout: 1500,
        });
        expect(second.replies?.map((r) => r.from).sort()).toEqual(
          hosts.slice(0, 2).map(addressOf).sort(),
        );
        expect(messagesOf(receivers[0]!).map((m) => m.data)).toEqual([
          'Very important data',
          'second',
        ]);
        expect(messagesOf(receivers[1]!).map((m) => m.data)).toEqual([
          'Very important data',
          'second',
        ]);
        expect(messagesOf(leaver).map((m) => m.data)).toEqual(['Very important data']);
        expect(leaver.child.exitCode).toBeNull();
      } finally {
        await stopReceivers(receivers);
      }
    });

    it(`${family}: tshark on the bridge sees the TTL / hop limit asked for`, async () => {
      const [sender] = net.hosts;
      const field = family === 'IPv4' ? 'ip.ttl' : 'ipv6.hlim';
      const tshark = net.spawn('tshark', [
        '-l',
        '-n',
        '-i',
        'br0',
        '-c',
        '1',
        '-a',
        'duration:15',
        '-f',
        `udp dst port ${port + 10}`,
        '-T',
        'fields',
        '-e',
        field,
        '-e',
        'udp.payload',
      ]);
      await tsharkReady(tshark);
      const sent = await send(sender!, {
        group,
        port: port + 10,
        message: 'hops',
        interface: 'eth0',
        ttl: 3,
        timeout: 200,
      });
      expect(sent.replies).toEqual([]);
      const status = await tshark.exited;
      expect(status.code, tshark.stderr()).toBe(0);
      const [hops, payload] = tshark.stdout().trim().split('\t');
      expect(hops).toBe('3');
      expect(payload).toBe(Buffer.from('hops').toString('hex'));
    });
  }

  it('loopback off keeps a datagram from receivers on the sending host only', async () => {
    const [self, other] = net.hosts;
    const group = '239.1.2.5';
    const port = 47_321;
    const receivers = await startReceivers([self!, other!], { group, port, interface: 'eth0' });
    try {
      const base = { group, port, message: 'm', interface: 'eth0', timeout: 800 };
      const off = await send(self!, { ...base, loopback: false });
      expect(off.replies?.map((r) => r.from)).toEqual([other!.ipv4]);
      const on = await send(self!, { ...base, loopback: true });
      expect(on.replies?.map((r) => r.from).sort()).toEqual([self!.ipv4, other!.ipv4].sort());
      expect(messagesOf(receivers[0]!)).toHaveLength(1);
      expect(messagesOf(receivers[1]!)).toHaveLength(2);
    } finally {
      await stopReceivers(receivers);
    }
  });

  it("link-local ff02:: bound with the interface's scope, and joins on 'all' interfaces", async () => {
    const [sender, a, b] = net.hosts;
    for (const [group, iface] of [
      ['ff02::4242', 'eth0'],
      ['239.1.2.6', 'all'],
      ['ff15::4243', 'all'],
    ] as const) {
      const port = 47_331;
      const receivers = await startReceivers([a!, b!], { group, port, interface: iface });
      try {
        const sent = await send(sender!, {
          group,
          port,
          message: group,
          interface: 'eth0',
          timeout: 800,
        });
        const v6 = group.includes(':');
        const from = sent.replies?.map((r) => r.from).sort();
        if (group.startsWith('ff02')) {
          // To a link-local group the sender's source is its link-local address (RFC 6724),
          // so the acks come back link-local too.
          expect(from).toHaveLength(2);
          for (const f of from ?? []) expect(f).toMatch(/^fe80:/);
        } else {
          expect(from, `${group} on ${iface}`).toEqual(
            [a!, b!].map((h) => (v6 ? h.ipv6 : h.ipv4)).sort(),
          );
        }
        for (const r of receivers) expect(messagesOf(r).map((m) => m.data)).toEqual([group]);
      } finally {
        await stopReceivers(receivers);
      }
    }
  });

  it('source-specific: a receiver joined for source A gets A and not B', async () => {
    const [a, b, member] = net.hosts;
    const group = '232.1.1.7';
    const port = 47_311;
    const [receiver] = await startReceivers([member!], {
      group,
      port,
      interface: 'eth0',
      source: a!.ipv4,
    });
    try {
      const [fromA, fromB] = await Promise.all([
        send(a!, { group, port, message: 'from A', interface: 'eth0', timeout: 1000 }),
        send(b!, { group, port, message: 'from B', interface: 'eth0', timeout: 1000 }),
      ]);
      expect(fromA.replies?.map((r) => r.from)).toEqual([member!.ipv4]);
      expect(fromB.replies).toEqual([]);
      expect(messagesOf(receiver!).map((m) => [m.data, m.from])).toEqual([['from A', a!.ipv4]]);
    } finally {
      await stopReceivers([receiver!]);
    }
  });

  it('refuses an interface without MULTICAST, naming it, for joins and sends', async () => {
    const [host] = net.hosts;
    // A veth pair inside the namespace (the dummy driver is not in every kernel).
    await host!.run('ip', ['link', 'add', 'nomc0', 'type', 'veth', 'peer', 'name', 'nomc1'], {
      check: true,
    });
    await host!.run('ip', ['link', 'set', 'dev', 'nomc1', 'up'], { check: true });
    await host!.run('ip', ['link', 'set', 'dev', 'nomc0', 'multicast', 'off', 'up'], {
      check: true,
    });
    await host!.run('ip', ['addr', 'add', '198.18.9.1/24', 'dev', 'nomc0'], { check: true });
    const flags = await host!.run('cat', ['/sys/class/net/nomc0/flags'], { check: true });
    expect(Number.parseInt(flags.stdout, 16) & 0x1000).toBe(0);
    for (const [action, group, iface] of [
      ['join', '239.1.2.9', 'nomc0'],
      ['join', '239.1.2.9', '198.18.9.1'],
      ['send', '239.1.2.9', 'nomc0'],
      ['join', 'ff15::9', 'nomc0'],
    ] as const) {
      const p = host!.node(errorScript, [action, group, iface]);
      await p.exited;
      const result = JSON.parse(p.stdout().trim()) as { code: string; message: string };
      expect(result.code, `${action} ${group} on ${iface}`).toBe(
        'ERR_MCAST_INTERFACE_NOT_MULTICAST',
      );
      expect(result.message).toContain('nomc0');
      expect(result.message).toContain('multicast on');
    }
    // The same interface with the flag back on is accepted.
    await host!.run('ip', ['link', 'set', 'dev', 'nomc0', 'multicast', 'on'], { check: true });
    const ok = host!.node(errorScript, ['join', '239.1.2.9', 'nomc0']);
    await ok.exited;
    expect(JSON.parse(ok.stdout().trim())).toEqual({ ok: true });
  });
});
