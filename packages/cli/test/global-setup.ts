import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The tests run the built `netkit` binary. Under turbo (TURBO_HASH set) the build already ran;
 * run alone (`pnpm --filter @netkit/cli test`), build the CLI and the packages it uses first.
 */
export default function setup(): void {
  if (process.env.TURBO_HASH) return;
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  execFileSync('pnpm', ['--filter', '@netkit/cli...', 'build'], {
    cwd: root,
    stdio: 'ignore',
    timeout: 180_000,
  });
}
