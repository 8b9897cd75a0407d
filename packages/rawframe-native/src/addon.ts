// The one typed loader of the compiled addon (build/Release/rawframe.node, or a prebuild), through
// node-gyp-build, from the package root. The package is ESM, node-gyp-build is CommonJS: createRequire.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { AddonLoadError } from './errors.js';

/** Per-socket counters read from the addon. */
export interface NativeStats {
  kernelPackets: number;
  kernelDrops: number;
  sent: number;
  /** Frames whose control data (timestamp, VLAN tag) did not fit (recvmsg MSG_CTRUNC). */
  controlTruncated: number;
}

/** Options as the addon takes them (validated again in C++). */
export interface NativeSocketOptions {
  interface: string;
  netns?: string | undefined;
  protocol?: number | undefined;
  promiscuous?: boolean | undefined;
  filter?: Uint32Array | undefined;
  ignoreOutgoing?: boolean | undefined;
  snapLength?: number | undefined;
  qdiscBypass?: boolean | undefined;
}

/**
 * Frames arrive flat, 8 values each: data, timestamp (ns), originalLength, packetType, vlanTci
 * (-1 when untagged), vlanTpid, interfaceIndex, checksumNotReady. An error ends reading until
 * resume().
 */
export type NativeFramesCallback = (frames: unknown[], error?: Error) => void;

export interface NativePacketSocket {
  send(frame: Uint8Array): void;
  sendBatch(frames: readonly Uint8Array[]): number;
  resume(): void;
  pause(): void;
  stats(): NativeStats;
  close(): void;
  readonly closed: boolean;
  readonly interfaceIndex: number;
}

export interface NativeInterfaceInfo {
  name: string;
  index: number;
  mac: string;
  mtu: number;
  up: boolean;
  running: boolean;
  multicast: boolean;
  broadcast: boolean;
  loopback: boolean;
  promiscuous: boolean;
  addresses: { family: 4 | 6; address: string; prefixLength: number }[];
}

export interface Addon {
  PacketSocket: new (
    options: NativeSocketOptions,
    onFrames: NativeFramesCallback,
  ) => NativePacketSocket;
  onesComplementSum(bytes: Uint8Array, initial: number): number;
  crc32(bytes: Uint8Array, initial: number): number;
  interfaceInfo(name: string, netns?: string): NativeInterfaceInfo;
}

/** The package root: dist/ (bundled) and src/ (tests) both sit one level below it. */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

let cached: Addon | undefined;

/** Loads the addon once; throws ERR_RAWFRAME_ADDON_MISSING with how to rebuild it. */
export function addon(): Addon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    const load = require('node-gyp-build') as (dir: string) => Addon;
    cached = load(packageRoot);
  } catch (err) {
    throw new AddonLoadError(
      `cannot load the @netkit/rawframe-native addon from ${packageRoot} (${(err as Error).message}); ` +
        'it is compiled on install: rebuild it with `npm rebuild @netkit/rawframe-native` ' +
        '(needs python3, make and a C++ compiler), or `pnpm --filter @netkit/rawframe-native build` in the netkit repository',
      err,
    );
  }
  return cached;
}
