import { isRoot, run, skipUnless } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';

/** The tour: five UDP steps, three TCP steps, three DNS steps. */
const LOOPBACK_STEPS = 13;
/** Raw frames: the codec step always, the namespace step as root. */
const STEPS = LOOPBACK_STEPS + 1 + (isRoot() ? 1 : 0);

import { jsonLines, NETKIT_BIN, netkit } from './netkit.js';

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

  const asNobody = skipUnless(['root', 'setpriv']);
  it.skipIf(asNobody.skip)(
    `not root: says why the raw namespace step is skipped, runs the rest${asNobody.note}`,
    async () => {
      const result = await run(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, NETKIT_BIN, 'demo'],
        { timeout: 30_000, env: { NO_COLOR: '1' } },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /^- raw frames across namespaces skipped: not root: .*CAP_NET_RAW/m,
      );
      const n = LOOPBACK_STEPS + 1;
      expect(result.stdout).toMatch(new RegExp(`^${n} of ${n} demo steps passed$`, 'm'));
    },
  );
});
