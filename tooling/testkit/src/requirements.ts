// What a test needs from the machine, and the skip-or-fail decision: locally a missing
// requirement skips with a visible reason; in CI it fails, so nothing silently stops being tested.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Need = 'root' | 'netns' | 'nftables' | (string & {});

export interface RequirementResult {
  ok: boolean;
  reason: string;
}

export interface SkipDecision {
  skip: boolean;
  reason: string;
  /** ' (skipped: <reason>)' when skipping, else '': append to a describe title. */
  note: string;
}

export function isCI(): boolean {
  const ci = process.env.CI;
  return ci === 'true' || ci === '1';
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const commandCache = new Map<string, boolean>();

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `name` is an executable on PATH (or an executable path, when it contains '/'). */
export function hasCommand(name: string): boolean {
  const cached = commandCache.get(name);
  if (cached !== undefined) return cached;
  const found = name.includes('/')
    ? isExecutable(name)
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .some((dir) => isExecutable(join(dir, name)));
  commandCache.set(name, found);
  return found;
}

function sh(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

let netnsProbe: boolean | undefined;
let nftProbe: boolean | undefined;

/**
 * Probes in a throwaway namespace named like the others (`nk-<pid>-0-probe`), so one left behind
 * by a crash is removed by cleanupStale().
 */
function withProbeNamespace(fn: (name: string) => boolean): boolean {
  const name = `nk-${process.pid}-0-probe`;
  if (!sh('ip', ['netns', 'add', name])) return false;
  try {
    return fn(name);
  } finally {
    sh('ip', ['netns', 'del', name]);
  }
}

/** Whether this process can create network namespaces (tried once, then cached). */
export function canCreateNetns(): boolean {
  if (netnsProbe === undefined) {
    netnsProbe =
      process.platform === 'linux' &&
      hasCommand('ip') &&
      withProbeNamespace((name) => sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']));
  }
  return netnsProbe;
}

/** Whether nft can install a table inside a namespace (tried once, then cached). */
export function canUseNftables(): boolean {
  if (nftProbe === undefined) {
    nftProbe =
      canCreateNetns() &&
      hasCommand('nft') &&
      withProbeNamespace((name) =>
        sh('ip', ['netns', 'exec', name, 'nft', 'add', 'table', 'inet', 'nk_probe']),
      );
  }
  return nftProbe;
}

function missing(need: Need): string | undefined {
  switch (need) {
    case 'root':
      return isRoot() ? undefined : 'not running as root';
    case 'netns':
      if (process.platform !== 'linux') return 'network namespaces need Linux';
      if (!hasCommand('ip')) return "command 'ip' (iproute2) not found";
      return canCreateNetns()
        ? undefined
        : 'cannot create network namespaces (`ip netns add` failed: needs root or CAP_SYS_ADMIN)';
    case 'nftables':
      if (!hasCommand('nft')) return "command 'nft' (nftables) not found";
      return canUseNftables() ? undefined : 'nft cannot install a table in a network namespace';
    default:
      return hasCommand(need) ? undefined : `command '${need}' not found on PATH`;
  }
}

export function requirements(needs: readonly Need[]): RequirementResult {
  const reasons = needs.map(missing).filter((r): r is string => r !== undefined);
  return { ok: reasons.length === 0, reason: reasons.join('; ') };
}

const warned = new Set<string>();

/**
 * `describe.skipIf(req.skip)` helper. In CI a missing requirement throws instead of skipping;
 * elsewhere the reason is printed once per distinct reason.
 */
export function skipUnless(needs: readonly Need[]): SkipDecision {
  const { ok, reason } = requirements(needs);
  if (ok) return { skip: false, reason: '', note: '' };
  if (isCI()) {
    throw new Error(`test requirement missing in CI (CI fails instead of skipping): ${reason}`);
  }
  if (!warned.has(reason)) {
    warned.add(reason);
    console.warn(`[testkit] skipping tests: ${reason}`);
  }
  return { skip: true, reason, note: ` (skipped: ${reason})` };
}
