/** Every error this package throws on purpose carries a stable `code`; match on it. */
export class RawFrameError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An error from the operating system, raised by the native addon: `code` is the errno name
 * (EPERM, ENODEV, EMSGSIZE, ENOENT...), and the message says what to do about it.
 */
export class RawFrameSystemError extends RawFrameError {
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  /** For EMSGSIZE: the interface MTU and the frame size. */
  readonly mtu: number | undefined;
  readonly size: number | undefined;
  /** For a failed sendBatch: how many frames went out before the error. */
  readonly framesSent: number | undefined;
  constructor(native: NativeErrorShape) {
    super(native.code, native.message);
    this.errno = native.errno;
    this.syscall = native.syscall;
    this.mtu = native.mtu;
    this.size = native.size;
    this.framesSent = native.framesSent;
  }
}

/** Thrown when a packet socket is used after close(), or a pending receive ends because of close(). */
export class SocketClosedError extends RawFrameError {
  constructor(what: string) {
    super('ERR_SOCKET_CLOSED', `${what}: the packet socket is closed`);
  }
}

/** Thrown when a wait (receive) ends because its timeout passed. */
export class TimeoutError extends RawFrameError {
  constructor(message: string) {
    super('ERR_NETKIT_TIMEOUT', message);
  }
}

/** Thrown when a wait ends because its AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends RawFrameError {
  constructor(message: string, reason?: unknown) {
    super('ERR_NETKIT_ABORTED', message, { cause: reason });
  }
}

/** Thrown when the compiled addon cannot be loaded; the message says how to rebuild it. */
export class AddonLoadError extends RawFrameError {
  constructor(message: string, cause: unknown) {
    super('ERR_RAWFRAME_ADDON_MISSING', message, { cause });
  }
}

interface NativeErrorShape {
  code: string;
  message: string;
  errno?: number;
  syscall?: string;
  mtu?: number;
  size?: number;
  framesSent?: number;
}

/**
 * Turns what the addon threw into this package's error classes: errno errors become
 * RawFrameSystemError; TypeError/RangeError (argument checks) and ERR_SOCKET_CLOSED keep their
 * meaning. Anything else passes through.
 */
export function fromNative(err: unknown, what = 'packet socket'): unknown {
  if (err instanceof RawFrameError) return err;
  if (err instanceof TypeError || err instanceof RangeError) return err;
  if (err instanceof Error) {
    const e = err as Error & Partial<NativeErrorShape>;
    if (e.code === 'ERR_SOCKET_CLOSED') return new SocketClosedError(what);
    if (typeof e.code === 'string' && typeof e.syscall === 'string') {
      return new RawFrameSystemError(e as NativeErrorShape);
    }
  }
  return err;
}
