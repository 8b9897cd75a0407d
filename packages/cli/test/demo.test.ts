import { describe, expect, it } from 'vitest';

/** The tour: five UDP steps, three TCP steps, three DNS steps. */
const STEPS = 11;

import { jsonLines, netkit } from './netkit.js';

describe('netkit demo', () => {
  it('runs every step on loopback and exits 0', async () => {
    const result = await netkit(['demo'], { timeout: 30_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${STEPS} of ${STEPS} demo steps passed$`, 'm'));
    expect(result.stdout).not.toContain('✗');
    // NO_COLOR (set by the helper), and not a terminal anyway: no escape codes.
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('--json prints only JSON objects, one per line, every step ok', async () => {
    const result = await netkit(['demo', '--json'], { timeout: 30_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const steps = lines.filter((l) => 'step' in l);
    expect(steps).toHaveLength(STEPS);
    for (const [i, step] of steps.entries()) {
      expect(step).toMatchObject({ step: i + 1, ok: true });
      expect(typeof step.title).toBe('string');
      expect(typeof step.result).toBe('string');
    }
    expect(lines.at(-1)).toEqual({ passed: STEPS, failed: 0 });
  });
});
