// The raw-frame part of `netkit demo`: frames built and checked by netkit's codecs, and (as
// root) a namespace pair of the demo's own where the kernel answers netkit's ARP and ping.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import {
  buildEthernet,
  buildIcmpv4Echo,
  buildIPv4,
  decodeFrame,
  ping,
  resolveMac,
  summarizeFrame,
} from '@netkit/rawframe-native';

const exec = promisify(execFile);

export interface RawStep {
  title: string;
  run(): Promise<string>;
}

/** The capabilities the namespace step needs, by bit number in CapEff (linux/capability.h). */
const NEEDED = [
  { name: 'NET_RAW', bit: 13n, use: 'raw sockets' },
  { name: 'SYS_ADMIN', bit: 21n, use: 'the namespace pair' },
];

/** The effective capability set (CapEff in /proc/self/status), or undefined if unreadable. */
function effectiveCaps(): bigint | undefined {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex === undefined ? undefined : BigInt(`0x${hex}`);
  } catch {
    return undefined;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the namespace part cannot run here, or undefined when it can. */
export function rawSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'raw frames need Linux';
  if (process.getuid?.() !== 0) {
    return 'not root: raw sockets need CAP_NET_RAW and the namespace pair CAP_SYS_ADMIN (run `sudo netkit demo`)';
  }
  // Root is not enough: a container (Docker's default) takes CAP_SYS_ADMIN away.
  const caps = effectiveCaps();
  const missing = NEEDED.filter((c) => caps !== undefined && ((caps >> c.bit) & 1n) === 0n);
  if (missing.length > 0) {
    const names = missing.map((c) => `CAP_${c.name}`);
    const uses = missing.map((c) => `${c.use} need CAP_${c.name}`).join(', ');
    const add = missing.map((c) => `--cap-add ${c.name}`).join(' ');
    return `root without ${names.join(' and ')}: ${uses} (in a container, run it with ${add})`;
  }
  if (!onPath('ip')) return '`ip` (iproute2) is not on PATH: it makes the namespace pair';
  return undefined;
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** The seed's hand-made ping (192.168.1.7 > 192.168.1.1, checksums 0x368a and 0xc24d hard-coded). */
function codecStep(signal: AbortSignal): RawStep {
  return {
    title: "Raw frames: the seed's hand-made ping, built by netkit with computed checksums",
    async run() {
      signal.throwIfAborted();
      const frameFor = (src: string, dst: string) =>
        buildEthernet({
          dst: '00:23:69:3a:f4:7d',
          src: '90:2b:34:60:dc:2f',
          ethertype: 0x0800,
          payload: buildIPv4({
            src,
            dst,
            protocol: 1,
            id: 0x80c6,
            dontFragment: true,
            payload: buildIcmpv4Echo({
              id: 0,
              sequence: 1,
              data: Uint8Array.from([0xab, 0x5c, 0x8a, 0x54, ...new Uint8Array(52)]),
            }),
          }),
        });
      const seed = decodeFrame(frameFor('192.168.1.7', '192.168.1.1'));
      const moved = decodeFrame(frameFor('198.18.9.1', '198.18.9.2'));
      const ok = seed.ipv4?.checksumValid && seed.icmpv4?.checksumValid;
      if (!ok || seed.ipv4?.checksum !== 0x368a || seed.icmpv4?.checksum !== 0xc24d) {
        throw new Error("netkit's checksums differ from the seed's verified ones");
      }
      return (
        `${summarizeFrame(seed)}: IP ${hex4(seed.ipv4.checksum)}, ICMP ${hex4(seed.icmpv4.checksum)}, as the seed's; ` +
        `from 198.18.9.1 the IP checksum becomes ${hex4(moved.ipv4?.checksum ?? 0)} ("change this!", done for you)`
      );
    },
  };
}

/** ARP and 5 pings across a veth pair in two namespaces made (and always removed) here. */
function namespaceStep(signal: AbortSignal): RawStep {
  return {
    title: 'Raw frames: ARP and 5 pings built by netkit, answered by the kernel across a veth pair',
    async run() {
      signal.throwIfAborted();
      const a = `nkdemo-${process.pid}-a`;
      const b = `nkdemo-${process.pid}-b`;
      const made: string[] = [];
      // A second Ctrl-C exits at once: the namespaces still go.
      const onExit = () => {
        for (const ns of made) {
          try {
            execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
          } catch {
            // Already gone.
          }
        }
      };
      process.on('exit', onExit);
      try {
        for (const ns of [a, b]) {
          // Listed first: a Ctrl-C while `ip netns add` runs must still remove it.
          made.push(ns);
          await exec('ip', ['netns', 'add', ns]);
          signal.throwIfAborted();
        }
        await exec('ip', [
          '-n',
          a,
          'link',
          'add',
          'eth0',
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          b,
        ]);
        for (const [ns, ip] of [
          [a, '198.18.9.1/24'],
          [b, '198.18.9.2/24'],
        ] as const) {
          await exec('ip', ['-n', ns, 'addr', 'add', ip, 'dev', 'eth0']);
          await exec('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
        }
        const arp = await resolveMac('198.18.9.2', { interface: 'eth0', netns: a, signal });
        const session = ping('198.18.9.2', {
          interface: 'eth0',
          netns: a,
          count: 5,
          interval: 20,
          signal,
        });
        for await (const _ of session);
        const s = session.summary();
        if (s.received !== 5) throw new Error(`${s.received} of 5 replies came back`);
        const { min, avg, max } = s.rtt ?? { min: 0, avg: 0, max: 0 };
        return (
          `in ${a} / ${b}: 198.18.9.2 is-at ${arp.mac}; ${s.transmitted} transmitted, ${s.received} received, ` +
          `rtt min/avg/max ${[min, avg, max].map((v) => v.toFixed(3)).join('/')} ms; namespaces removed`
        );
      } finally {
        await Promise.all(
          made.map((ns) => exec('ip', ['netns', 'del', ns]).catch(() => undefined)),
        );
        made.length = 0;
        process.off('exit', onExit);
      }
    },
  };
}

/** The raw steps for this process: the codec step always, the namespace step when it can run. */
export function rawSteps(signal: AbortSignal): RawStep[] {
  return rawSkipReason() === undefined
    ? [codecStep(signal), namespaceStep(signal)]
    : [codecStep(signal)];
}
