// Adds up the vitest JSON reports of every package and prints one closing line:
// "tests: N passed, N failed, N skipped". Exits 1 when a test failed or no test ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
for (const group of ['packages', 'tooling']) {
  for (const name of readdirSync(join(root, group))) {
    const file = join(root, group, name, '.test-results', 'vitest.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += skipped;
    rows.push(
      `  ${`${group}/${name}`.padEnd(28)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`,
    );
  }
}
console.log(['', 'test summary:', ...rows].join('\n'));
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
