// Fixtures that run inside network namespaces (`ip netns exec ... node x.mjs`) cannot load
// TypeScript, so they import the built package from dist/. Under turbo the build task already ran
// (TURBO_HASH is set); run alone (`pnpm --filter @netkit/multicast test`), build it here, once,
// and @netkit/udp too when its dist/ is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.TURBO_HASH !== undefined) return;
  const udpDir = fileURLToPath(new URL('../../udp', import.meta.url));
  if (!existsSync(`${udpDir}/dist/index.js`)) {
    execFileSync('pnpm', ['exec', 'tsup'], { cwd: udpDir, stdio: 'pipe', timeout: 120_000 });
  }
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('pnpm', ['exec', 'tsup'], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 });
}
