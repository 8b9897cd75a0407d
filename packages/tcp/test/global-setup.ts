// Fixtures run as child processes (the load clients, the server whose memory is measured) and the
// pack test installs the tarball: they use the built package in dist/. Under turbo the build task
// already ran (TURBO_HASH is set); run alone (`pnpm --filter @netkit/tcp test`), build it here, once.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.TURBO_HASH !== undefined) return;
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('pnpm', ['exec', 'tsup'], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 });
}
