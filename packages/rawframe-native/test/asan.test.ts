// The addon's native code under AddressSanitizer: builds an ASan variant of the addon in a
// temporary package folder (next to a copy of dist/), runs test/fixtures/asan-exercise.mjs with
// libasan preloaded into node, and requires a clean run. A deliberate out-of-bounds read in a
// test-only entry point (compiled only into this build) proves the check can fail.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLink, hasCommand, run, skipUnless, type TestLink } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const exercise = fileURLToPath(new URL('./fixtures/asan-exercise.mjs', import.meta.url));

function libasan(): string | undefined {
  if (!hasCommand('g++')) return undefined;
  const path = execFileSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  return path.startsWith('/') && existsSync(path) ? path : undefined;
}

const asan = libasan();
const req = skipUnless(['root', 'netns', 'g++', 'make', ...(asan ? [] : ['libasan.so'])]);

describe.skipIf(req.skip)(`AddressSanitizer${req.note}`, () => {
  let dir: string;
  let link: TestLink;
  const env = () => ({
    LD_PRELOAD: asan ?? '',
    // Node itself leaks at exit by design; V8 and libuv are not instrumented anyway.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0:exitcode=86',
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netkit-asan-'));
    for (const f of ['package.json', 'binding.gyp', 'src/native', 'dist']) {
      cpSync(join(packageDir, f), join(dir, f), { recursive: true });
    }
    symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'));
    const flags = '-fsanitize=address -fno-omit-frame-pointer -O1 -g -DNETKIT_TEST_HOOKS';
    // Offline like the install: the headers of the running node (~/.npmrc nodedir, or /usr).
    const nodedir =
      process.env.npm_config_nodedir ??
      (existsSync('/usr/include/node/common.gypi') ? '/usr' : undefined);
    const args = ['rebuild', '-j', '2', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    await run(join(packageDir, 'node_modules/.bin/node-gyp'), args, {
      cwd: dir,
      timeout: 240_000,
      check: true,
      env: { CXXFLAGS: flags, LDFLAGS: '-fsanitize=address' },
    });
    link = await createLink();
  }, 300_000);
  afterAll(async () => {
    await link?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every native entry point runs clean under ASan', async () => {
    const result = await run(
      process.execPath,
      ['--expose-gc', exercise, dir, link.a.name, link.b.name, link.a.mac, link.b.mac],
      { timeout: 90_000, env: env() },
    );
    expect(result.stderr).not.toContain('AddressSanitizer');
    expect(result.stdout).toMatch(/EXERCISED \d{3,}/);
    expect(result.code).toBe(0);
  }, 120_000);

  it('the harness is real: an out-of-bounds read in the addon is reported', async () => {
    const result = await run(
      process.execPath,
      [exercise, dir, link.a.name, link.b.name, link.a.mac, link.b.mac, 'oob'],
      { timeout: 60_000, env: env() },
    );
    expect(result.stderr).toContain('ERROR: AddressSanitizer: heap-buffer-overflow');
    expect(result.stderr).toContain('TestOutOfBounds');
    expect(result.code).toBe(86);
  }, 90_000);
});
