import { fileURLToPath } from 'node:url';
import { type Installed, packAndInstall, runReadmeExample } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const udp = fileURLToPath(new URL('../../udp', import.meta.url));

describe('published package', () => {
  let installed: Installed;
  beforeAll(async () => {
    installed = await packAndInstall([udp, pkg]);
  }, 240_000);
  afterAll(() => installed?.cleanup());

  it('installs alone from its tarball (with @netkit/udp) and runs the README example', async () => {
    const { example, result } = await runReadmeExample(installed, pkg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(example.output);
  });
});
