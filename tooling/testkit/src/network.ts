// Test networks made of namespaces: a bridge ("switch") with N hosts, or two hosts joined by one
// veth pair. Every interface is created directly inside a namespace, so the root namespace gets no
// interface, address or route. Addresses come only from 198.18.0.0/15 and fd00:198:18::/48.
import {
  type ManagedProcess,
  nodeScriptIn,
  type RunOptions,
  type RunResult,
  run,
  type SpawnOptions,
  spawnProcess,
} from './exec.js';
import {
  addNamespace,
  cleanupStaleOnce,
  deleteNamespaces,
  namespaceName,
  nextId,
} from './netns.js';

export interface TestHost {
  /** The network namespace name. */
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6?: string;
  readonly iface: 'eth0';
  readonly mac: string;
  run(cmd: string, args: string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  spawn(cmd: string, args: string[], opts?: Omit<SpawnOptions, 'netns'>): ManagedProcess;
  /** `node scriptPath ...args` inside this host's namespace. */
  node(scriptPath: string, args: string[], opts?: Omit<SpawnOptions, 'netns'>): ManagedProcess;
}

export interface TestNetwork {
  readonly hosts: TestHost[];
  /** The namespace holding the bridge (capture all traffic there: `tshark -i br0`). */
  readonly switchNs: string;
  readonly bridge: 'br0';
  readonly broadcastAddress: '198.18.0.255';
  /** Runs a command in the switch namespace. */
  run(cmd: string, args: string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  /** Spawns a command in the switch namespace. */
  spawn(cmd: string, args: string[], opts?: Omit<SpawnOptions, 'netns'>): ManagedProcess;
  /** Stops the processes inside and deletes every namespace. Idempotent; never throws. */
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestLink {
  readonly a: TestHost;
  readonly b: TestHost;
  readonly broadcastAddress: '198.18.1.255';
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface NetworkOptions {
  /** Number of hosts, 1 to 254. */
  hosts: number;
  /** Also give each host fd00:198:18::(i+1)/64. */
  ipv6?: boolean;
  /** Short tag added to the namespace names, to tell networks apart in `ip netns list`. */
  name?: string;
}

export interface LinkOptions {
  /** Also give a and b fd00:198:18:1::1/64 and ::2/64. */
  ipv6?: boolean;
}

/** Runs several `ip` commands in one process inside `ns`; stops at the first failure. */
async function ipBatch(ns: string, lines: string[]): Promise<void> {
  await run('ip', ['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n`, check: true });
}

/** Writes fixed sysctl files inside `ns`; ignored where the kernel lacks them (no IPv6). */
async function sysctls(ns: string, settings: Record<string, 0 | 1>): Promise<void> {
  const script = Object.entries(settings)
    .map(([key, value]) => `echo ${value} > /proc/sys/${key.replaceAll('.', '/')}`)
    .join('; ');
  await run('sh', ['-c', script], { netns: ns });
}

async function readMac(ns: string): Promise<string> {
  const { stdout } = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', 'eth0'], {
    check: true,
  });
  const parsed: unknown = JSON.parse(stdout);
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first === 'object' && first !== null && 'address' in first) {
    const { address } = first;
    if (typeof address === 'string') return address;
  }
  throw new Error(`cannot read the MAC address of eth0 in ${ns}: ${stdout}`);
}

function makeHost(name: string, ipv4: string, ipv6: string | undefined, mac: string): TestHost {
  const host: TestHost = {
    name,
    ipv4,
    iface: 'eth0',
    mac,
    run: (cmd, args, opts = {}) => run(cmd, args, { ...opts, netns: name }),
    spawn: (cmd, args, opts = {}) => spawnProcess(cmd, args, { ...opts, netns: name }),
    node: (scriptPath, args, opts = {}) => nodeScriptIn(name, scriptPath, args, opts),
  };
  return ipv6 === undefined ? host : { ...host, ipv6 };
}

/**
 * Brings up lo and eth0 and addresses eth0. Multicast and limited broadcast get routes via eth0
 * because there is no default route, and without one sending to 224/4 or 255.255.255.255 fails
 * with ENETUNREACH.
 */
async function configureHost(
  ns: string,
  ipv4: string,
  ipv6: string | undefined,
): Promise<TestHost> {
  const lines = [
    'link set lo up',
    'link set eth0 up',
    `addr add ${ipv4}/24 dev eth0`,
    'route add 224.0.0.0/4 dev eth0',
    'route add 255.255.255.255/32 dev eth0',
  ];
  // nodad: the address is usable at once instead of "tentative" for a second or two.
  if (ipv6 !== undefined) lines.push(`addr add ${ipv6}/64 dev eth0 nodad`);
  await ipBatch(ns, lines);
  return makeHost(ns, ipv4, ipv6, await readMac(ns));
}

/** Skips duplicate address detection on interfaces created later in `ns` (link-local included). */
async function disableDad(ns: string): Promise<void> {
  await sysctls(ns, {
    'net.ipv6.conf.all.accept_dad': 0,
    'net.ipv6.conf.default.accept_dad': 0,
  });
}

function tag(name: string | undefined): string {
  const clean = (name ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  return clean.slice(0, 8);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn().catch((e: unknown) => console.warn(`[testkit] destroy: ${String(e)}`));
    return done;
  };
}

/**
 * Creates namespaces in order (concurrent first-time `ip netns add` calls can race setting up
 * /run/netns), then hands them to `build`; if building fails, everything made is deleted.
 */
async function withNamespaces<T>(names: string[], build: () => Promise<T>): Promise<T> {
  await cleanupStaleOnce();
  const created: string[] = [];
  try {
    for (const name of names) {
      await addNamespace(name);
      created.push(name);
    }
    return await build();
  } catch (e) {
    await deleteNamespaces(created);
    throw e;
  }
}

/** A Linux bridge `br0` in a switch namespace, with `hosts` host namespaces plugged into it. */
export async function createNetwork(opts: NetworkOptions): Promise<TestNetwork> {
  const count = opts.hosts;
  if (!Number.isInteger(count) || count < 1 || count > 254) {
    throw new RangeError(`createNetwork: hosts must be an integer from 1 to 254, got ${count}`);
  }
  const ipv6 = opts.ipv6 === true;
  const id = nextId();
  const prefix = tag(opts.name);
  const role = (r: string): string => (prefix === '' ? r : `${prefix}-${r}`);
  const switchNs = namespaceName(id, role('sw'));
  const hostNs = Array.from({ length: count }, (_, i) => namespaceName(id, role(`h${i}`)));

  return withNamespaces([switchNs, ...hostNs], async () => {
    // The switch only forwards frames: no IPv6 there means it sends nothing (no MLD, no ND)
    // that would show up in captures. Multicast snooping off makes the bridge flood multicast
    // like a plain hub instead of waiting for IGMP/MLD joins.
    await sysctls(switchNs, {
      'net.ipv6.conf.all.disable_ipv6': 1,
      'net.ipv6.conf.default.disable_ipv6': 1,
    });
    await ipBatch(switchNs, [
      'link set lo up',
      'link add br0 type bridge mcast_snooping 0',
      'link set br0 up',
    ]);
    const hosts = await Promise.all(
      hostNs.map(async (ns, i) => {
        if (ipv6) await disableDad(ns);
        // Interface names are at most 15 characters and unique within the switch namespace.
        const port = `v${id}h${i}`;
        await ipBatch(switchNs, [
          `link add ${port} type veth peer name eth0 netns ${ns}`,
          `link set ${port} master br0`,
          `link set ${port} up`,
        ]);
        return configureHost(ns, `198.18.0.${i + 1}`, ipv6 ? `fd00:198:18::${i + 1}` : undefined);
      }),
    );
    const destroy = once(() => deleteNamespaces([...hostNs, switchNs]));
    return {
      hosts,
      switchNs,
      bridge: 'br0',
      broadcastAddress: '198.18.0.255',
      run: (cmd, args, o = {}) => run(cmd, args, { ...o, netns: switchNs }),
      spawn: (cmd, args, o = {}) => spawnProcess(cmd, args, { ...o, netns: switchNs }),
      destroy,
      [Symbol.asyncDispose]: destroy,
    } satisfies TestNetwork;
  });
}

/** Two namespaces joined by one veth pair, eth0 at each end: 198.18.1.1 (a) and 198.18.1.2 (b). */
export async function createLink(opts: LinkOptions = {}): Promise<TestLink> {
  const ipv6 = opts.ipv6 === true;
  const id = nextId();
  const nsA = namespaceName(id, 'a');
  const nsB = namespaceName(id, 'b');
  return withNamespaces([nsA, nsB], async () => {
    if (ipv6) await Promise.all([disableDad(nsA), disableDad(nsB)]);
    await ipBatch(nsA, [`link add eth0 type veth peer name eth0 netns ${nsB}`]);
    const [a, b] = await Promise.all([
      configureHost(nsA, '198.18.1.1', ipv6 ? 'fd00:198:18:1::1' : undefined),
      configureHost(nsB, '198.18.1.2', ipv6 ? 'fd00:198:18:1::2' : undefined),
    ]);
    const destroy = once(() => deleteNamespaces([nsA, nsB]));
    return {
      a,
      b,
      broadcastAddress: '198.18.1.255',
      destroy,
      [Symbol.asyncDispose]: destroy,
    } satisfies TestLink;
  });
}
