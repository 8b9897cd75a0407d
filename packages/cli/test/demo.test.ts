import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, run, skipUnless } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';

/** The tour: five UDP steps, three TCP steps, three DNS steps. */
const LOOPBACK_STEPS = 13;
/** Raw frames: the codec step always, the namespace step as root. */
const STEPS = LOOPBACK_STEPS + 1 + (isRoot() ? 1 : 0);

import { jsonLines, NETKIT_BIN, netkit, spawnNetkit } from './netkit.js';

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

  // Root in a container (Docker's default) has no CAP_SYS_ADMIN: no namespaces, so a skip.
  const asRoot = skipUnless(['root', 'setpriv']);
  it.skipIf(asRoot.skip)(
    `root without CAP_SYS_ADMIN, or without \`ip\`: the raw namespace step is skipped, not failed${asRoot.note}`,
    async () => {
      const n = LOOPBACK_STEPS + 1;
      const noAdmin = await run(
        'setpriv',
        [
          '--bounding-set=-sys_admin',
          '--inh-caps=-sys_admin',
          process.execPath,
          NETKIT_BIN,
          'demo',
        ],
        { timeout: 30_000, env: { NO_COLOR: '1' } },
      );
      expect(noAdmin.code, noAdmin.stdout + noAdmin.stderr).toBe(0);
      expect(noAdmin.stdout).toMatch(
        /^- raw frames across namespaces skipped: root without CAP_SYS_ADMIN: the namespace pair need CAP_SYS_ADMIN \(in a container, run it with --cap-add SYS_ADMIN\)$/m,
      );
      expect(noAdmin.stdout).toMatch(new RegExp(`^${n} of ${n} demo steps passed$`, 'm'));
      const empty = await mkdtemp(join(tmpdir(), 'netkit-demo-path-'));
      try {
        const noIp = await netkit(['demo'], { timeout: 30_000, env: { PATH: empty } });
        expect(noIp.code, noIp.stdout + noIp.stderr).toBe(0);
        expect(noIp.stdout).toMatch(/^- raw frames across namespaces skipped: `ip` \(iproute2\)/m);
        expect(noIp.stdout).toMatch(new RegExp(`^${n} of ${n} demo steps passed$`, 'm'));
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    },
  );

  const withNetns = skipUnless(['root', 'netns']);
  it.skipIf(withNetns.skip)(
    `Ctrl-C: no further step, exit 130, the demo's namespaces gone${withNetns.note}`,
    async () => {
      const p = spawnNetkit(['demo']);
      try {
        // Interrupt as the raw part starts: the namespace step is next or running.
        await p.waitFor("Raw frames: the seed's hand-made ping", {
          stream: 'stdout',
          timeout: 30_000,
        });
        p.child.kill('SIGINT');
        const status = await p.exited;
        expect(status.code, p.stdout() + p.stderr()).toBe(130);
        expect(p.stdout()).toMatch(/^interrupted: \d+ of \d+ demo steps passed$/m);
        expect(p.stdout()).not.toContain('✗');
        const { stdout } = await run('ip', ['netns', 'list'], { check: true });
        expect(stdout).not.toContain(`nkdemo-${p.child.pid}-`);
      } finally {
        await p.stop('SIGKILL', 0);
      }
    },
  );
});
