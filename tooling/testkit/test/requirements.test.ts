import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasCommand, isCI, requirements, skipUnless } from '../src/index.js';

const savedCI = process.env.CI;

afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
  vi.restoreAllMocks();
});

describe('requirements', () => {
  it('reads CI from the environment', () => {
    process.env.CI = 'true';
    expect(isCI()).toBe(true);
    process.env.CI = '1';
    expect(isCI()).toBe(true);
    process.env.CI = 'false';
    expect(isCI()).toBe(false);
    delete process.env.CI;
    expect(isCI()).toBe(false);
  });

  it('finds commands on PATH', () => {
    expect(hasCommand('sh')).toBe(true);
    expect(hasCommand('nk-no-such-command-xyz')).toBe(false);
    expect(hasCommand('/bin/sh')).toBe(true);
  });

  it('names what is missing', () => {
    const r = requirements(['sh', 'nk-no-such-command-xyz']);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('nk-no-such-command-xyz');
    expect(requirements(['sh'])).toEqual({ ok: true, reason: '' });
  });

  it('skips with a warning outside CI, throws in CI', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const decision = skipUnless(['nk-no-such-command-abc']);
    expect(decision.skip).toBe(true);
    expect(decision.reason).toContain('nk-no-such-command-abc');
    skipUnless(['nk-no-such-command-abc']);
    expect(warn).toHaveBeenCalledTimes(1);

    process.env.CI = 'true';
    expect(() => skipUnless(['nk-no-such-command-abc'])).toThrow(/nk-no-such-command-abc/);
    expect(skipUnless(['sh'])).toEqual({ skip: false, reason: '', note: '' });
  });
});
