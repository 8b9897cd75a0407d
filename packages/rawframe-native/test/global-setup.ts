// Tests load the addon from build/Release and the pack and AddressSanitizer tests use dist/.
// Under turbo the build task already ran (TURBO_HASH is set); run alone
// (`pnpm --filter @netkit/rawframe-native test`), build both here, once (node-gyp is incremental).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.TURBO_HASH !== undefined) return;
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe', timeout: 300_000 });
}
