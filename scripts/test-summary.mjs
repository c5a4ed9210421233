#!/usr/bin/env node
// Adds up the vitest JSON reports every workspace (packages, examples, tests) wrote (test-results.json) and prints one
// closing line, "Tests: N passed, N failed, N skipped", so the whole monorepo run has a
// single verdict a person or CI can read. Exits 1 when any test failed or none ran.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
for (const group of ['packages', 'examples', 'tests']) {
  for (const name of await readdir(join(root, group)).catch(() => [])) {
    const file = join(root, group, name, 'test-results.json');
    const report = await readFile(file, 'utf8').then(JSON.parse, () => undefined);
    if (!report) continue;
    const p = report.numPassedTests ?? 0;
    const f = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
    const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    passed += p;
    failed += f;
    skipped += s;
    perPackage.push(`${group}/${name}: ${p} passed, ${f} failed, ${s} skipped`);
  }
}
console.log(perPackage.join('\n'));
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exitCode = 1;
