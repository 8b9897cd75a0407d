// Interface facts from the kernel (ioctls and getifaddrs in the addon), no `ip` child process.
import { addon } from './addon.js';
import { fromNative } from './errors.js';

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefixLength: number;
}

export interface InterfaceInfo {
  name: string;
  index: number;
  /** 'aa:bb:cc:dd:ee:ff' */
  mac: string;
  mtu: number;
  up: boolean;
  multicast: boolean;
  broadcast: boolean;
  loopback: boolean;
  addresses: InterfaceAddress[];
}

/** Validates an interface name the way the kernel will (IFNAMSIZ, no '/'). */
export function checkInterfaceName(name: unknown): string {
  if (typeof name !== 'string') {
    throw Object.assign(new TypeError('interface must be a string (an interface name)'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  if (name.length === 0 || Buffer.byteLength(name) > 15 || /[/\0\s]/.test(name)) {
    throw Object.assign(
      new TypeError(
        `interface must be a name of 1 to 15 bytes without '/' or spaces (got "${name}")`,
      ),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
  }
  return name;
}

/** Validates a namespace name (a file under /var/run/netns). */
export function checkNetns(netns: unknown): string | undefined {
  if (netns === undefined) return undefined;
  if (
    typeof netns !== 'string' ||
    netns === '' ||
    netns === '.' ||
    netns === '..' ||
    /[/\0]/.test(netns)
  ) {
    throw Object.assign(
      new TypeError(
        'netns must be the name of a namespace under /var/run/netns (as `ip netns add` makes)',
      ),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
  }
  return netns;
}

/**
 * Index, MAC, MTU, flags and addresses of interface `name` (inside network namespace `netns` when
 * given). Throws RawFrameSystemError ENODEV naming the interface when there is none.
 */
export function interfaceInfo(name: string, options: { netns?: string } = {}): InterfaceInfo {
  checkInterfaceName(name);
  const netns = checkNetns(options?.netns);
  try {
    const info = addon().interfaceInfo(name, netns);
    return {
      name: info.name,
      index: info.index,
      mac: info.mac,
      mtu: info.mtu,
      up: info.up,
      multicast: info.multicast,
      broadcast: info.broadcast,
      loopback: info.loopback,
      addresses: info.addresses,
    };
  } catch (err) {
    throw fromNative(err);
  }
}
