/**
 * Resolves when the command's signal fires (SIGINT/SIGTERM) or `stop()` is called (a --count
 * was reached). Servers await this, then close gracefully and print their counters.
 */
export function untilStopped(signal: AbortSignal): { stopped: Promise<void>; stop: () => void } {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    stop = () => setImmediate(done);
    signal.addEventListener('abort', done, { once: true });
  });
  return { stopped, stop };
}
