// The pack test and child-process fixtures use the built packages (dist/). Under turbo the build
// task already ran (TURBO_HASH is set); run alone (`pnpm --filter @netkit/dns test`), build this
// package and the ones it uses (udp, tcp) here, once.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.TURBO_HASH !== undefined) return;
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  execFileSync('pnpm', ['--filter', '@netkit/dns...', 'build'], {
    cwd: root,
    stdio: 'pipe',
    timeout: 180_000,
  });
}
