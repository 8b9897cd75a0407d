import { fileURLToPath } from 'node:url';
import { type Installed, packAndInstall, runReadmeExample } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('published package', () => {
  let installed: Installed;
  beforeAll(async () => {
    installed = await packAndInstall([pkg]);
  }, 240_000);
  afterAll(() => installed?.cleanup());

  it('installs alone from its tarball and runs the README example', async () => {
    const { example, result } = await runReadmeExample(installed, pkg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(example.output);
  });
});
