/** Up-front option checks: a bad option throws at once, naming the option. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function checkPort(name: string, value: unknown): number {
  return checkInteger(name, value, 0, 65_535);
}

/** The longest delay setTimeout takes; beyond it Node fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMEOUT = 2 ** 31 - 1;

export function checkTimeout(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`${name} must be a number of milliseconds >= 0, got ${describe(value)}`);
  }
  if (value > MAX_TIMEOUT) {
    throw new RangeError(
      `${name} must be at most ${MAX_TIMEOUT} ms (about 24.8 days; a longer timer would fire at once), got ${value}`,
    );
  }
  return value;
}

export function checkSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
