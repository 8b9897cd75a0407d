// Synchronous cleanup when the test process goes away, so a crashed or interrupted run does not
// leave processes running or namespaces behind. Hooks run in ascending `order`: processes are
// killed (order 0) before the namespaces they live in are deleted (order 1).

type Hook = { order: number; fn: () => void };

const hooks: Hook[] = [];
let installed = false;

function runHooks(): void {
  for (const hook of [...hooks].sort((a, b) => a.order - b.order)) {
    try {
      hook.fn();
    } catch {
      // Best effort: the process is going away and has nowhere to report to.
    }
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  runHooks();
  // Our listener was a `once`: with no one else listening, re-raise so the process still dies of
  // the signal (default action) instead of being kept alive by our having listened.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers `fn` to run synchronously on 'exit' and on SIGINT/SIGTERM/SIGHUP. */
export function onProcessExit(order: number, fn: () => void): void {
  hooks.push({ order, fn });
  if (installed) return;
  installed = true;
  process.on('exit', runHooks);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}
