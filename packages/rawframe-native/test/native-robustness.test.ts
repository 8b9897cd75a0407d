// The addon where JS, the kernel and Node's teardown meet: workers ending mid-read, sendBatch
// getters that run JS mid-call, socket errors after an interface went down, snapLength with a
// VLAN tag put back, labelled addresses, the namespace error text, and checksumNotReady.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  createLink,
  freePort,
  rejectionOf,
  run,
  skipUnless,
  type TestLink,
  thrownBy,
} from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BpfInstruction } from '../src/bpf.js';
import { filters } from '../src/bpf.js';
import { internetChecksum, pseudoHeaderSum } from '../src/checksum.js';
import { RawFrameSystemError } from '../src/errors.js';
import { interfaceInfo } from '../src/interfaces.js';
import { openPacketSocket, type ReceivedFrame } from '../src/packet-socket.js';
import { frame } from './socket-helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** IPv4 UDP to `port` only (assumes a 20-byte IP header, as the kernel sends them). */
function udpToPort(port: number): BpfInstruction[] {
  const i = (code: number, jt: number, jf: number, k: number) => ({ code, jt, jf, k });
  return [
    i(0x28, 0, 0, 12), // ldh [12]
    i(0x15, 0, 5, 0x0800), // IPv4, else drop
    i(0x30, 0, 0, 23), // ldb [23]
    i(0x15, 0, 3, 17), // UDP, else drop
    i(0x28, 0, 0, 36), // ldh [36]: destination port
    i(0x15, 0, 1, port),
    i(0x06, 0, 0, 0x40000),
    i(0x06, 0, 0, 0),
  ];
}

const reqRoot = skipUnless(['root']);

describe.skipIf(reqRoot.skip)(`teardown and checksum offload on loopback${reqRoot.note}`, () => {
  it('a worker ending while a socket waits in receive() leaves the process running', async () => {
    for (const mode of ['terminate', 'exit']) {
      const r = await run(
        process.execPath,
        [fixture('worker-teardown.mjs'), packageDir, mode, '3'],
        { timeout: 30_000 },
      );
      expect(r.signal, `${mode}: ${r.stderr}`).toBeNull();
      expect(r.code, `${mode}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`worker 2 (${mode}) exited ${mode === 'exit' ? 0 : 1}`);
      expect(r.stdout).toContain('PARENT ALIVE');
    }
  }, 60_000);

  it('marks outgoing UDP whose checksum the kernel left to offload as checksumNotReady', async () => {
    const port = await freePort('udp');
    const rx = openPacketSocket({ interface: 'lo', filter: udpToPort(port) });
    const server = createSocket('udp4');
    const client = createSocket('udp4');
    try {
      server.bind(port, '127.0.0.1');
      await once(server, 'listening');
      const frames: ReceivedFrame[] = [];
      const reading = (async () => {
        for await (const f of rx) {
          frames.push(f);
          if (frames.length === 2) break; // lo shows the outgoing copy and the received one
        }
      })();
      await sleep(10);
      client.send(Buffer.from('checksum offload'), port, '127.0.0.1');
      await Promise.race([reading, sleep(5000)]);
      const outgoing = frames.find((f) => f.packetType === 'outgoing');
      expect(outgoing, JSON.stringify(frames.map((f) => f.packetType))).toBeDefined();
      expect(outgoing?.checksumNotReady).toBe(true);
      // What the flag is for: as captured, the UDP checksum field holds only the pseudo-header sum.
      const data = outgoing?.data ?? new Uint8Array();
      const udp = data.subarray(34);
      const pseudo = pseudoHeaderSum(data.subarray(26, 30), data.subarray(30, 34), 17, udp.length);
      expect(internetChecksum(udp, pseudo)).not.toBe(0);
    } finally {
      await rx.close();
      server.close();
      client.close();
    }
  });
});

const req = skipUnless(['root', 'netns', 'unshare']);

describe.skipIf(req.skip)(`native edges on a veth pair${req.note}`, () => {
  let link: TestLink;

  beforeAll(async () => {
    link = await createLink();
  });
  afterAll(async () => {
    await link?.destroy();
  });

  it('sendBatch getters cannot make it send freed memory or corrupt an outer call', async () => {
    const r = await run(
      process.execPath,
      [
        '--expose-gc',
        fixture('send-batch-getters.mjs'),
        packageDir,
        link.a.name,
        link.b.name,
        link.a.mac,
        link.b.mac,
      ],
      { timeout: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    // A frame detached (and freed) by a later element's getter: a clean TypeError, nothing sent.
    expect(out.detach).toMatchObject({ threw: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect((out.detach as { message: string }).message).toContain('frames[0] is detached');
    expect(out.detachReceived).toEqual([]);
    // A nested sendBatch from a getter sends its own frames and leaves the outer call intact.
    expect(out.inner).toEqual({ returned: 50 });
    expect(out.reentrant).toEqual({ returned: 3 });
    expect(out.reentrantTags).toEqual({ 1: 1, 2: 1, 3: 1, 100: 50 });
    expect(out.closed).toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    for (const key of ['clampedSend', 'clampedBatch', 'detachedSend', 'detachedBatch']) {
      expect(out[key], key).toMatchObject({ threw: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    }
    expect(out.lateReceived).toEqual([]);
  });

  it('the public API rejects Uint8ClampedArray and detached frames alike', async () => {
    const s = openPacketSocket({ interface: 'eth0', netns: link.a.name });
    try {
      const clamped = new Uint8ClampedArray(60) as unknown as Uint8Array;
      const gone = new Uint8Array(60);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      for (const bad of [clamped, gone]) {
        expect(thrownBy(() => s.send(bad))).toBeInstanceOf(TypeError);
        expect(thrownBy(() => s.sendBatch([bad]))).toBeInstanceOf(TypeError);
      }
      expect(thrownBy(() => s.send(gone)).message).toContain('detached');
      expect(s.stats.sent).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('an interface going down rejects with ENETDOWN, and reading works again once it is up', async () => {
    const type = 0x88bd;
    const rx = openPacketSocket({ interface: 'eth0', netns: link.b.name, protocol: type });
    const tx = openPacketSocket({ interface: 'eth0', netns: link.a.name, protocol: type });
    try {
      const pending = rejectionOf(rx.receive({ timeout: 5000 }));
      await sleep(20);
      await link.b.run('ip', ['link', 'set', 'eth0', 'down'], { check: true });
      const err = await pending;
      expect(err).toBeInstanceOf(RawFrameSystemError);
      expect(err.code).toBe('ENETDOWN');
      expect(err.message).toContain('eth0 went down');
      await link.b.run('ip', ['link', 'set', 'eth0', 'up'], { check: true });
      let got: ReceivedFrame | undefined;
      const receiving = rx.receive({ timeout: 5000 }).then((f) => {
        got = f;
      });
      // The carrier takes a moment to come back: send until one arrives.
      for (let i = 0; i < 100 && got === undefined; i++) {
        tx.send(frame(link.b.mac, link.a.mac, 'again', type));
        await sleep(50);
      }
      await receiving;
      expect(Buffer.from(got?.data.subarray(14, 19) ?? []).toString()).toBe('again');
    } finally {
      await rx.close();
      await tx.close();
    }
  });

  it('snapLength caps a frame whose VLAN tag was put back', async () => {
    const tagged = Buffer.alloc(64);
    frame(link.b.mac, link.a.mac).copy(tagged, 0, 0, 12);
    tagged.writeUInt16BE(0x8100, 12);
    tagged.writeUInt16BE((3 << 13) | 20, 14);
    tagged.writeUInt16BE(0x88b9, 16);
    tagged.write('snapped', 18);
    const rx = openPacketSocket({
      interface: 'eth0',
      netns: link.b.name,
      filter: filters.ethertype(0x88b9),
      snapLength: 20,
    });
    const tx = openPacketSocket({ interface: 'eth0', netns: link.a.name });
    try {
      const p = rx.receive({ timeout: 5000 });
      tx.send(tagged);
      const got = await p;
      expect(got.vlan).toEqual({ id: 20, priority: 3, tpid: 0x8100 });
      expect(got.data.length).toBe(20);
      expect(Buffer.from(got.data)).toEqual(tagged.subarray(0, 20));
      expect(got.originalLength).toBe(64);
      expect(got.checksumNotReady).toBeUndefined();
    } finally {
      await rx.close();
      await tx.close();
    }
  });

  it('interfaceInfo lists labelled IPv4 addresses (eth0:1) with their interface', async () => {
    await link.b.run('ip', ['addr', 'add', '198.18.1.200/32', 'dev', 'eth0', 'label', 'eth0:1'], {
      check: true,
    });
    const info = interfaceInfo('eth0', { netns: link.b.name });
    expect(info.addresses).toContainEqual({ family: 4, address: '198.18.1.200', prefixLength: 32 });
    expect(info.addresses).toContainEqual({ family: 4, address: link.b.ipv4, prefixLength: 24 });
  });

  it('without /proc the namespace error says so, not that the namespace is missing', async () => {
    const script = `import(${JSON.stringify(dist)}).then((m) => {
      for (const f of [() => m.openPacketSocket({ interface: 'eth0', netns: ${JSON.stringify(link.a.name)} }),
                       () => m.interfaceInfo('eth0', { netns: ${JSON.stringify(link.a.name)} })]) {
        try { f(); console.log('OPENED'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
      }
    })`;
    // A private mount namespace without /proc: this thread's own namespace cannot be opened.
    const r = await run(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'umount -l /proc && exec "$0" -e "$1"',
        process.execPath,
        script,
      ],
      { timeout: 20_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const e = JSON.parse(line) as { code: string; message: string };
      expect(e.code).toBe('ENOENT');
      expect(e.message).toContain('/proc/thread-self/ns/net');
      expect(e.message).not.toContain('no network namespace named');
    }
  });
});
