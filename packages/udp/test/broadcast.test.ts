import { fileURLToPath } from 'node:url';
import { createNetwork, skipUnless, type TestNetwork } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BroadcastAddressError,
  directedBroadcastAddress,
  interfaceBroadcastAddress,
  LIMITED_BROADCAST,
  sendBroadcast,
} from '../src/index.js';
import { rejectionOf, thrownBy } from './helpers.js';

const listenScript = fileURLToPath(new URL('./fixtures/listen.mjs', import.meta.url));
const sendScript = fileURLToPath(new URL('./fixtures/broadcast-send.mjs', import.meta.url));

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('directedBroadcastAddress', () => {
  it.each([
    ['198.18.0.7', '255.255.255.0', '198.18.0.255'],
    ['198.18.0.5', '255.255.255.252', '198.18.0.7'],
    ['198.18.0.8', '255.255.255.252', '198.18.0.11'],
    ['198.18.0.9', '255.255.255.255', '198.18.0.9'],
    ['198.19.200.1', '255.254.0.0', '198.19.255.255'],
    ['10.1.2.3', '255.0.0.0', '10.255.255.255'],
    ['192.168.1.1', '0.0.0.0', '255.255.255.255'],
  ])('%s/%s -> %s', (address, netmask, broadcast) => {
    expect(directedBroadcastAddress(address, netmask)).toBe(broadcast);
  });

  it.each([
    ['198.18.0.7', '255.0.255.0', 'netmask'],
    ['198.18.0.7', '255.255.255.1', 'netmask'],
    ['198.18.0.7', '255.255.256.0', 'netmask'],
    ['198.18.0.7', '24', 'netmask'],
    ['not-an-ip', '255.255.255.0', 'address'],
    ['fd00:198:18::1', '255.255.255.0', 'address'],
  ])('rejects %s/%s, naming the %s', (address, netmask, name) => {
    const err = thrownBy(() => directedBroadcastAddress(address, netmask));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toContain(name);
  });

  it('names the limited broadcast address', () => {
    expect(LIMITED_BROADCAST).toBe('255.255.255.255');
  });

  it('explains an interface without an IPv4 address', async () => {
    const err = thrownBy(() => interfaceBroadcastAddress('nk-no-such-if'));
    expect(err).toBeInstanceOf(BroadcastAddressError);
    expect(err.code).toBe('ERR_UDP_NO_BROADCAST_ADDRESS');
    expect(err.message).toContain('nk-no-such-if');
    // sendBroadcast fails the same way before sending anything.
    const refused = await rejectionOf(sendBroadcast('x', { port: 9, interface: 'nk-no-such-if' }));
    expect(refused.code).toBe('ERR_UDP_NO_BROADCAST_ADDRESS');
    expect(
      (await rejectionOf(sendBroadcast('x', { port: 0, address: '198.18.0.255' }))).message,
    ).toContain('port');
  });
});

const req = skipUnless(['netns']);

// Three hosts on one bridge (198.18.0.1-3/24): h0 broadcasts, h1 and h2 listen on 0.0.0.0:PORT.
describe.skipIf(req.skip)(`broadcast between namespaces${req.note}`, () => {
  let net: TestNetwork;
  const port = 47_001;

  beforeAll(async () => {
    net = await createNetwork({ hosts: 3, name: 'bcast' });
  });
  afterAll(async () => {
    await net?.destroy();
  });

  it('reaches every listener on the link, directed and limited', async () => {
    const [sender, ...listenerHosts] = net.hosts;
    const listeners = listenerHosts.map((h) => h.node(listenScript, [String(port), '2', '8000']));
    await Promise.all(listeners.map((l) => l.waitFor('"ready":true', { timeout: 8000 })));

    const send = sender!.node(sendScript, [String(port), 'eth0']);
    const [sendStatus, ...listenStatus] = await Promise.all([
      send.exited,
      ...listeners.map((l) => l.exited),
    ]);
    expect(sendStatus?.code, send.stderr()).toBe(0);

    const steps = jsonLines(send.stdout());
    expect(steps.find((s) => s.step === 'directed')?.address).toBe('198.18.0.255');
    expect(steps.find((s) => s.step === 'limited')?.address).toBe(LIMITED_BROADCAST);
    const interfaces = steps.find((s) => s.step === 'interfaces')?.interfaces;
    expect(interfaces).toEqual([
      { name: 'eth0', address: '198.18.0.1', netmask: '255.255.255.0', broadcast: '198.18.0.255' },
    ]);
    // Without SO_BROADCAST the kernel refuses, and the errno code and a hint come through.
    const noFlag = steps.find((s) => s.step === 'no-flag');
    expect(noFlag?.sent).toBe(false);
    expect(noFlag?.code).toBe('EACCES');
    expect(String(noFlag?.message)).toContain('broadcast: true');

    for (const [i, listener] of listeners.entries()) {
      expect(listenStatus[i]?.code, listener.stderr()).toBe(0);
      const lines = jsonLines(listener.stdout());
      const datagrams = lines.filter((l) => typeof l.data === 'string');
      expect(datagrams.map((d) => d.data).sort()).toEqual(['directed via eth0', 'limited']);
      for (const d of datagrams) expect(d.address).toBe(sender!.ipv4);
      expect(lines.at(-1)).toEqual({ done: true, received: 2 });
    }
  });
});
