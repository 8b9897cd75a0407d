export interface WaitOptions {
  /** Milliseconds to wait before rejecting with ERR_NETKIT_TIMEOUT; none by default. */
  timeout?: number | undefined;
  /** Rejects with ERR_NETKIT_ABORTED when it fires. */
  signal?: AbortSignal | undefined;
}

/** How a package names its timeout and abort errors (each package has its own classes). */
export interface WaitErrors {
  timeout(message: string): Error;
  aborted(message: string, reason: unknown): Error;
}

export type WaitFor = <T>(
  what: string,
  options: WaitOptions,
  start: (resolve: (value: T) => void, reject: (err: unknown) => void) => () => void,
) => Promise<T>;

/**
 * Makes a waitFor for a package's own error classes. waitFor runs `start`, which settles the wait
 * through the callbacks it is given and returns a cleanup. The timeout, the signal and the
 * cleanup are always removed together, whichever way it ends, so nothing outlives the wait.
 */
export function makeWaitFor(errors: WaitErrors): WaitFor {
  return <T>(
    what: string,
    options: WaitOptions,
    start: (resolve: (value: T) => void, reject: (err: unknown) => void) => () => void,
  ): Promise<T> => {
    const { timeout, signal } = options;
    if (signal?.aborted) return Promise.reject(errors.aborted(`${what}: aborted`, signal.reason));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let cleanup: (() => void) | undefined;
      const onAbort = () => done(errors.aborted(`${what}: aborted`, signal?.reason));
      const done = (err: unknown, value?: T) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        cleanup?.();
        if (err === undefined) resolve(value as T);
        else reject(err);
      };
      cleanup = start(
        (value) => done(undefined, value),
        (err) => done(err ?? new Error(`${what}: failed`)),
      );
      if (settled) {
        cleanup();
        return;
      }
      if (timeout !== undefined && Number.isFinite(timeout)) {
        timer = setTimeout(
          () => done(errors.timeout(`${what}: timed out after ${timeout} ms`)),
          timeout,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
}
