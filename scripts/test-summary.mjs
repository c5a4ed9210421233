#!/usr/bin/env node
// Adds up the vitest JSON reports every workspace (packages, examples, tests) wrote (test-results.json) and prints one
// closing line, "Tests: N passed, N failed, N skipped", so the whole monorepo run has a
// single verdict a person or CI can read. Exits 1 when any test failed, none ran, or a workspace
// with a test script left no report (its run crashed, or its vitest config lost the JSON reporter).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
const missing = [];
for (const group of ['packages', 'examples', 'tests']) {
  for (const name of await readdir(join(root, group)).catch(() => [])) {
    const manifest = await readFile(join(root, group, name, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
    if (!manifest?.scripts?.test) continue;
    const file = join(root, group, name, 'test-results.json');
    const report = await readFile(file, 'utf8').then(JSON.parse, () => undefined);
    if (!report) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const p = report.numPassedTests ?? 0;
    // A failed file whose tests did not fail (its setup or import broke) counts once; otherwise count the tests.
    const f = (report.numFailedTests ?? 0) || (report.numFailedTestSuites ?? 0);
    const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    passed += p;
    failed += f;
    skipped += s;
    perPackage.push(`${group}/${name}: ${p} passed, ${f} failed, ${s} skipped`);
  }
}
console.log(perPackage.join('\n'));
for (const workspace of missing) console.log(`${workspace}: no test report (its tests did not run to the end)`);
console.log(`Tests: ${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
if (failed > 0 || missing.length > 0 || passed === 0) process.exitCode = 1;
