import { fileURLToPath } from 'node:url';
import { type Installed, packAndInstall, runReadmeExample } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const udp = fileURLToPath(new URL('../../udp', import.meta.url));
const tcp = fileURLToPath(new URL('../../tcp', import.meta.url));

describe('published package', () => {
  let installed: Installed;
  beforeAll(async () => {
    // Its siblings are not on a registry here: install their tarballs alongside.
    installed = await packAndInstall([udp, tcp, pkg]);
  }, 240_000);
  afterAll(() => installed?.cleanup());

  it('installs alone from its tarball and runs the README example', async () => {
    const { example, result } = await runReadmeExample(installed, pkg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(example.output);
  });
});
