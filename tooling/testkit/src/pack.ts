import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.js';

export interface Installed {
  /** A fresh folder outside the repository with the packed packages installed by npm. */
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * Packs each package as it would be published (`pnpm pack` rewrites workspace: ranges) and
 * installs the tarballs with npm into a fresh temporary folder, as a user would. Sibling packages
 * a package depends on must be in the list (they are not on a registry). dist/ must be built:
 * prepack is skipped, because its clean rebuild would pull dist/ from under tests running beside.
 */
export async function packAndInstall(packageDirs: string[]): Promise<Installed> {
  const dir = await mkdtemp(join(tmpdir(), 'netkit-pack-'));
  const tarballs: string[] = [];
  for (const pkg of packageDirs) {
    if (!existsSync(join(pkg, 'dist'))) throw new Error(`${pkg}/dist is missing: build it first`);
    const packed = await run('pnpm', ['pack', '--pack-destination', dir], {
      cwd: pkg,
      timeout: 120_000,
      check: true,
      env: { npm_config_ignore_scripts: 'true' },
    });
    const tarball = packed.stdout
      .trim()
      .split('\n')
      .find((l) => l.trim().endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack printed no tarball in ${pkg}:\n${packed.stdout}`);
    tarballs.push(tarball.trim().startsWith('/') ? tarball.trim() : join(dir, tarball.trim()));
  }
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'netkit-pack-check', private: true, type: 'module' }),
  );
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...tarballs],
    {
      cwd: dir,
      timeout: 180_000,
      check: true,
    },
  );
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface ReadmeExample {
  /** The first ```js block under the README's "## Example" heading. */
  code: string;
  /** The ```text block right after it, when the README shows the output. */
  output: string | undefined;
}

/** Reads the example a package's README promises, so a test can run exactly that. */
export async function readmeExample(readmePath: string): Promise<ReadmeExample> {
  const text = await readFile(readmePath, 'utf8');
  const section = text.split(/^## Example\s*$/m)[1];
  if (!section) throw new Error(`${readmePath} has no "## Example" section`);
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error(`${readmePath}: no \`\`\`js block under "## Example"`);
  const after = section.slice(section.indexOf(code) + code.length + 3);
  const output = /^\s*(?:[^`\n]*\n)?\s*```text\n([\s\S]*?)```/.exec(after)?.[1];
  return { code, output };
}

/** Runs the README example of the package at `packageDir` inside an installed folder. */
export async function runReadmeExample(installed: Installed, packageDir: string) {
  const example = await readmeExample(join(packageDir, 'README.md'));
  const result = await run(process.execPath, ['--input-type=module', '-e', example.code], {
    cwd: installed.dir,
    timeout: 20_000,
  });
  return { example, result };
}
