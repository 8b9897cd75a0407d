import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLink, skipUnless, type TestLink, thrownBy } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../src/addon.js';
import { RawFrameSystemError } from '../src/errors.js';
import { interfaceInfo } from '../src/interfaces.js';
import { openPacketSocket, type PacketSocket } from '../src/packet-socket.js';
import { frame } from './socket-helpers.js';

const run = promisify(execFile);
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('argument errors never reach the kernel (or crash)', () => {
  it('openPacketSocket validates its options with TypeError/RangeError', () => {
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { interface: 5 },
      { interface: '' },
      { interface: 'a/b' },
      { interface: 'x'.repeat(16) },
      { interface: 'lo', netns: '../etc' },
      { interface: 'lo', protocol: 'ip' },
      { interface: 'lo', promiscuous: 'yes' },
      { interface: 'lo', filter: 'arp' },
    ];
    for (const options of bad) {
      const err = thrownBy(() => openPacketSocket(options as never));
      expect(err, JSON.stringify(options)).toBeInstanceOf(TypeError);
    }
    for (const options of [
      { interface: 'lo', protocol: 0x10000 },
      { interface: 'lo', protocol: 0 },
      { interface: 'lo', snapLength: 13 },
      { interface: 'lo', filter: [{ code: 6, jt: 0, jf: 0, k: -1 }] },
      { interface: 'lo', filter: [{ code: 0x10000, jt: 0, jf: 0, k: 0 }] },
      { interface: 'lo', filter: [] },
    ]) {
      expect(thrownBy(() => openPacketSocket(options as never))).toBeInstanceOf(RangeError);
    }
  });

  it('the addon itself checks every argument (no crash on any shape)', () => {
    const native = addon();
    const Native = native.PacketSocket;
    const noop = () => {};
    const shapes: unknown[][] = [
      [],
      [null, noop],
      [{ interface: 'lo' }],
      [{ interface: 'lo' }, 'not a function'],
      [{ interface: 7 }, noop],
      [{ interface: 'lo', protocol: 'all' }, noop],
      [{ interface: 'lo', protocol: 1.5 }, noop],
      [{ interface: 'lo', snapLength: -1 }, noop],
      [{ interface: 'lo', filter: [1, 2, 3] }, noop],
      [{ interface: 'lo', filter: new Uint32Array(3) }, noop],
      [{ interface: 'lo', filter: new Uint32Array([0x10000, 0, 0, 0]) }, noop],
      [{ interface: 'lo', netns: 5 }, noop],
      [{ interface: 'lo', netns: 'a/b' }, noop],
      [{ interface: 'lo', promiscuous: 1 }, noop],
    ];
    for (const args of shapes) {
      const err = thrownBy(() => new Native(...(args as [never, never])));
      expect(err, String(args[0] && JSON.stringify(args[0]))).toBeInstanceOf(Error);
      expect(['TypeError', 'RangeError']).toContain((err as Error).name);
    }
    expect(thrownBy(() => (Native as unknown as () => void)())).toBeInstanceOf(TypeError);
    expect(thrownBy(() => native.interfaceInfo(5 as never))).toBeInstanceOf(TypeError);
    expect(thrownBy(() => native.interfaceInfo('lo', 5 as never))).toBeInstanceOf(TypeError);
    expect(thrownBy(() => native.crc32(new Float64Array(2) as never, 0))).toBeInstanceOf(TypeError);
  });

  it('interfaceInfo: ENODEV names the interface; a missing namespace is ENOENT', () => {
    const err = thrownBy(() => interfaceInfo('nk-nope0'));
    expect(err).toBeInstanceOf(RawFrameSystemError);
    expect(err).toMatchObject({ code: 'ENODEV', errno: 19, syscall: 'ioctl' });
    expect((err as Error).message).toContain('"nk-nope0"');
    const ns = thrownBy(() => interfaceInfo('lo', { netns: 'nk-no-such-ns' }));
    expect(ns).toMatchObject({ code: 'ENOENT' });
    expect((ns as Error).message).toContain('ip netns add nk-no-such-ns');
  });
});

const req = skipUnless(['root', 'netns', 'setpriv']);

describe.skipIf(req.skip)(`system errors${req.note}`, () => {
  let link: TestLink;
  let s: PacketSocket;

  beforeAll(async () => {
    link = await createLink();
    s = openPacketSocket({ interface: 'eth0', netns: link.a.name });
  });
  afterAll(async () => {
    await s?.close();
    await link?.destroy();
  });

  it('ENODEV for an interface that does not exist, naming it', () => {
    const err = thrownBy(() => openPacketSocket({ interface: 'bogus0', netns: link.a.name }));
    expect(err).toBeInstanceOf(RawFrameSystemError);
    expect(err).toMatchObject({ code: 'ENODEV', errno: 19 });
    expect((err as Error).message).toContain('"bogus0"');
    expect((err as Error).message).toContain(link.a.name);
  });

  it('ENOENT for a namespace that does not exist', () => {
    const err = thrownBy(() => openPacketSocket({ interface: 'eth0', netns: 'nk-missing-ns' }));
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect((err as Error).message).toContain('no network namespace named "nk-missing-ns"');
  });

  it('EMSGSIZE for a frame over the MTU, with the MTU and the frame size', () => {
    const big = frame(link.b.mac, link.a.mac, 'x', 0x88b5, 1515);
    const err = thrownBy(() => s.send(big));
    expect(err).toBeInstanceOf(RawFrameSystemError);
    expect(err).toMatchObject({ code: 'EMSGSIZE', mtu: 1500, size: 1515, syscall: 'send' });
    expect((err as Error).message).toContain('MTU of eth0 is 1500');
    expect((err as Error).message).toContain('1515 bytes');
    s.send(frame(link.b.mac, link.a.mac, 'x', 0x88b5, 1514)); // exactly MTU + header passes
    const batch = thrownBy(() => s.sendBatch([frame(link.b.mac, link.a.mac), big]));
    expect(batch).toMatchObject({ code: 'EMSGSIZE', framesSent: 1, syscall: 'sendmmsg' });
  });

  it('TypeError/RangeError for bad frames', () => {
    expect(thrownBy(() => s.send('frame' as never))).toBeInstanceOf(TypeError);
    expect(thrownBy(() => s.send(new Uint8Array(13)))).toBeInstanceOf(RangeError);
    expect(thrownBy(() => s.sendBatch('x' as never))).toBeInstanceOf(TypeError);
    const notBytes = thrownBy(() => s.sendBatch([new Uint8Array(60), 5 as never]));
    expect(notBytes).toBeInstanceOf(TypeError);
    expect((notBytes as Error).message).toBe('frames[1] must be a Uint8Array or Buffer');
    const short = thrownBy(() =>
      s.sendBatch([new Uint8Array(60), new Uint8Array(60), new Uint8Array(9)]),
    );
    expect(short).toBeInstanceOf(RangeError);
    expect((short as Error).message).toBe(
      'frames[2] must be at least 14 bytes (an Ethernet header), got 9',
    );
    expect(thrownBy(() => s.receive({ timeout: -1 }))).toBeInstanceOf(Error);
  });

  it('EPERM without CAP_NET_RAW, naming the capability and setcap', async () => {
    const script = `import('${dist}').then((m) => {
      try { m.openPacketSocket({ interface: 'lo' }); console.log('OPENED'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, name: e.name, message: e.message })); }
    })`;
    // Root keeps every capability in its bounding set: drop CAP_NET_RAW there and from the
    // inheritable set, so the node started by setpriv runs without it.
    const { stdout } = await run(
      'setpriv',
      ['--inh-caps=-net_raw', '--bounding-set=-net_raw', process.execPath, '-e', script],
      { timeout: 20_000 },
    );
    const result = JSON.parse(stdout) as { code: string; name: string; message: string };
    expect(result.code).toBe('EPERM');
    expect(result.name).toBe('RawFrameSystemError');
    expect(result.message).toContain('CAP_NET_RAW');
    expect(result.message).toContain('setcap cap_net_raw+ep $(command -v node)');
  });
});
