// SPDX-License-Identifier: Apache-2.0
// Sums every test report (packages/*/reports/*.json, apps/*/reports/*.json; vitest JSON or
// {numPassedTests,numFailedTests}) and prints one closing line: "N passed, N failed".
// Skipped tests are counted and fail the run under CI=true: a skipped GPU suite hides a broken install.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0,
  failed = 0,
  skipped = 0,
  files = 0;
const perSuite = [];
for (const group of ['packages', 'apps']) {
  if (!existsSync(group)) continue;
  for (const pkg of readdirSync(group)) {
    const dir = join(group, pkg, 'reports');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      files++;
      const p = r.numPassedTests ?? 0;
      const fl = (r.numFailedTests ?? 0) + (r.success === false && !r.numFailedTests ? 1 : 0);
      const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      passed += p;
      failed += fl;
      skipped += s;
      perSuite.push(`${group}/${pkg}/reports/${f}: ${p} passed, ${fl} failed${s ? `, ${s} skipped` : ''}`);
    }
  }
}
if (files === 0) {
  console.error('test-summary: no reports found');
  process.exit(1);
}
for (const line of perSuite) console.log(`  ${line}`);
const skippedFails = skipped > 0 && process.env.CI === 'true';
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 || passed === 0 || skippedFails ? 1 : 0);
