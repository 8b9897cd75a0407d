// The published tarball carries no compiled addon: npm must build it from source on install
// (binding.gyp + src/native, the `install` script), and the result must load and work.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Installed, packAndInstall, run, runReadmeExample } from '@netkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('published package', () => {
  let installed: Installed;
  let installedDir: string;
  beforeAll(async () => {
    installed = await packAndInstall([pkg]);
    installedDir = join(installed.dir, 'node_modules/@netkit/rawframe-native');
  }, 300_000);
  afterAll(() => installed?.cleanup());

  it('ships the sources and builds the addon from them on install', async () => {
    expect(existsSync(join(installedDir, 'binding.gyp'))).toBe(true);
    expect(existsSync(join(installedDir, 'src/native/packet_socket.cc'))).toBe(true);
    // Only an install-time build can have made this: the tarball has no build/ folder.
    expect(existsSync(join(installedDir, 'build/Release/rawframe.node'))).toBe(true);
    expect(existsSync(join(installedDir, 'build/Release/obj.target'))).toBe(true);
  });

  it('loads the installed addon: checksums and interface facts', async () => {
    const code = `
      import { internetChecksum, crc32, interfaceInfo } from '@netkit/rawframe-native';
      const big = new Uint8Array(4096).fill(0xff);
      const header = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
      console.log(internetChecksum(header).toString(16), internetChecksum(big), crc32(Buffer.from('123456789')).toString(16), interfaceInfo('lo').loopback);`;
    const result = await run(process.execPath, ['--input-type=module', '-e', code], {
      cwd: installed.dir,
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('b861 0 cbf43926 true');
  });

  it('runs the README example', async () => {
    const { example, result } = await runReadmeExample(installed, pkg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(example.output);
  });
});
