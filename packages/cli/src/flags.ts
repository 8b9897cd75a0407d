import { UsageError } from './exit-codes.js';

/** Integer flag or argument within bounds, or a usage error naming it. */
export function intArg(
  name: string,
  value: string | boolean | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return Number(text);
}

export function requiredInt(
  name: string,
  value: string | boolean | undefined,
  min: number,
  max: number,
): number {
  const n = intArg(name, value, min, max);
  if (n === undefined) throw new UsageError(`${name} is required`);
  return n;
}

export function portArg(
  name: string,
  value: string | boolean | undefined,
  allowZero = false,
): number {
  return requiredInt(name, value, allowZero ? 0 : 1, 65_535);
}

export function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function flag(value: string | boolean | undefined): boolean {
  return value === true;
}
