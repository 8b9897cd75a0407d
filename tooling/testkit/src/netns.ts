// Named network namespaces owned by this process. Names are `nk-<pid>-<counter>-<role>`: the pid
// tells a later run whether the owner is still alive (cleanupStale), the prefix keeps us from ever
// touching a namespace we did not make.
import { execFileSync } from 'node:child_process';
import { run, stopProcessesIn } from './exec.js';
import { onProcessExit } from './exit-hooks.js';

const PREFIX = 'nk-';
const owned = new Set<string>();
let counter = 0;
let hookInstalled = false;

/** A new number for names made by this process (counter in `nk-<pid>-<counter>-<role>`). */
export function nextId(): number {
  counter += 1;
  return counter;
}

export function namespaceName(id: number, role: string): string {
  return `${PREFIX}${process.pid}-${id}-${role}`;
}

function killPidsInSync(name: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 });
    for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  } catch {
    // No such namespace, or `ip` failed: deleting it below is all that is left to try.
  }
}

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  onProcessExit(1, () => {
    for (const name of owned) {
      killPidsInSync(name);
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
      } catch {
        // Left for cleanupStale() in a later run.
      }
    }
    owned.clear();
  });
}

/** Creates a namespace and registers it for deletion when this process exits. */
export async function addNamespace(name: string): Promise<void> {
  installExitHook();
  await run('ip', ['netns', 'add', name], { check: true });
  owned.add(name);
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], { check: true });
  // Lines look like "name (id: 3)" or just "name".
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

async function killPidsIn(name: string): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'pids', name]);
  for (const pid of stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Deletes namespaces after stopping what runs in them: our tracked processes get SIGTERM (then
 * SIGKILL), anything else still inside gets SIGKILL, since a namespace with live processes outlives
 * `ip netns del`. Never throws: failures are logged.
 */
export async function deleteNamespaces(names: readonly string[]): Promise<void> {
  try {
    await stopProcessesIn(new Set(names));
  } catch (e) {
    console.warn(`[testkit] stopping processes in ${names.join(', ')}: ${String(e)}`);
  }
  await Promise.all(
    names.map(async (name) => {
      try {
        await killPidsIn(name);
        const { code, stderr } = await run('ip', ['netns', 'del', name]);
        if (code !== 0 && !/No such file/.test(stderr)) {
          console.warn(`[testkit] ip netns del ${name} failed: ${stderr.trim()}`);
        }
      } catch (e) {
        console.warn(`[testkit] deleting namespace ${name}: ${String(e)}`);
      } finally {
        owned.delete(name);
      }
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes every `nk-<pid>-*` namespace whose pid is not a live process (left by a crashed run). */
export async function cleanupStale(): Promise<void> {
  let names: string[];
  try {
    names = await listNamespaces();
  } catch (e) {
    console.warn(`[testkit] cleanupStale: cannot list namespaces: ${String(e)}`);
    return;
  }
  const stale = names.filter((name) => {
    const m = /^nk-(\d+)-/.exec(name);
    return m !== null && !isAlive(Number(m[1]));
  });
  if (stale.length > 0) await deleteNamespaces(stale);
}

let cleanedOnce: Promise<void> | undefined;

/** cleanupStale(), run at most once per process (before the first namespace is made). */
export function cleanupStaleOnce(): Promise<void> {
  cleanedOnce ??= cleanupStale();
  return cleanedOnce;
}
