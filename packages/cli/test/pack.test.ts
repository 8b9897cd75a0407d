import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Installed, packAndInstall, run, runReadmeExample } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('..', import.meta.url));
const udp = fileURLToPath(new URL('../../udp', import.meta.url));
const tcp = fileURLToPath(new URL('../../tcp', import.meta.url));
const dns = fileURLToPath(new URL('../../dns', import.meta.url));
const multicast = fileURLToPath(new URL('../../multicast', import.meta.url));
const rawframe = fileURLToPath(new URL('../../rawframe-native', import.meta.url));

describe('published package', () => {
  let installed: Installed;
  beforeAll(async () => {
    // The packages it uses are not on a registry here: install their tarballs alongside.
    installed = await packAndInstall([udp, tcp, dns, multicast, rawframe, cli]);
  }, 240_000);
  afterAll(() => installed?.cleanup());

  it('installs with npm and its netkit binary runs the demo', async () => {
    const result = await run(join(installed.dir, 'node_modules/.bin/netkit'), ['demo'], {
      cwd: installed.dir,
      timeout: 30_000,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^(\d+) of \1 demo steps passed$/m);
  });

  it('runs the README example', async () => {
    const { result } = await runReadmeExample(installed, cli);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Send a datagram/);
    expect(result.stdout).toMatch(/exit 0\n$/);
  });
});
