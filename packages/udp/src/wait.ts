import { makeWaitFor } from '@netkit/internal';
import { AbortedError, TimeoutError } from './errors.js';

export interface WaitOptions {
  /** Milliseconds to wait before rejecting with ERR_NETKIT_TIMEOUT; none by default. */
  timeout?: number | undefined;
  /** Rejects with ERR_NETKIT_ABORTED when it fires. */
  signal?: AbortSignal | undefined;
}

/** A bounded wait that rejects with this package's ERR_NETKIT_TIMEOUT and ERR_NETKIT_ABORTED errors. */
export const waitFor = makeWaitFor({
  timeout: (message) => new TimeoutError(message),
  aborted: (message, reason) => new AbortedError(message, reason),
});

/** Resolves after `ms`, or rejects at once when the signal fires. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return waitFor<void>('delay', { signal }, (resolve) => {
    const t = setTimeout(resolve, ms);
    return () => clearTimeout(t);
  });
}
