// Random packet loss inside one namespace with nftables, to test retries and timeouts against
// a lossy network without touching the root namespace's firewall.
import { run } from './exec.js';

export type DropProtocol = 'udp' | 'tcp' | 'icmp';

export interface DropOptions {
  /** Only this protocol (IPv4 and IPv6). Default: every incoming packet. */
  protocol?: DropProtocol;
}

/** The namespace to act in; a TestHost fits. */
export interface NamespaceRef {
  readonly name: string;
}

const MATCH: Record<DropProtocol, string> = {
  udp: 'meta l4proto udp',
  tcp: 'meta l4proto tcp',
  icmp: 'meta l4proto { icmp, ipv6-icmp }',
};

function tableName(opts: DropOptions): string {
  return `nk_drop_${opts.protocol ?? 'all'}`;
}

/**
 * Drops `percent`% (0 to 100) of incoming packets at random, on the input hook of a table of its
 * own (one per protocol; calling again replaces it). IPv6 neighbour discovery is always let
 * through: losing it would turn a partial loss into no IPv6 at all (ARP is not seen by the inet
 * family, so IPv4 is the same).
 */
export async function addNftDropRule(
  host: NamespaceRef,
  percent: number,
  opts: DropOptions = {},
): Promise<void> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`addNftDropRule: percent must be from 0 to 100, got ${percent}`);
  }
  const table = tableName(opts);
  const match = opts.protocol === undefined ? '' : `${MATCH[opts.protocol]} `;
  // `numgen random mod 100` yields 0..99, so `< 100` is rejected by nft: 100% is a plain drop.
  // Whole percents use mod 100; fractions use mod 10000 for 0.01% steps.
  const chance =
    percent >= 100
      ? ''
      : Number.isInteger(percent)
        ? `numgen random mod 100 < ${percent} `
        : `numgen random mod 10000 < ${Math.round(percent * 100)} `;
  const rules = [
    'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, nd-redirect } accept',
  ];
  if (percent > 0) rules.push(`${match}${chance}drop`);
  // Declaring then deleting the table makes the script replace an earlier one atomically.
  const script = [
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    ...rules.map((r) => `    ${r}`),
    '  }',
    '}',
    '',
  ].join('\n');
  await run('nft', ['-f', '-'], { netns: host.name, input: script, check: true });
}

/** Removes what addNftDropRule installed for this protocol (or for all packets). */
export async function removeNftDropRule(host: NamespaceRef, opts: DropOptions = {}): Promise<void> {
  const table = tableName(opts);
  await run('nft', ['-f', '-'], {
    netns: host.name,
    input: `table inet ${table} {}\ndelete table inet ${table}\n`,
    check: true,
  });
}
