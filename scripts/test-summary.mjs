#!/usr/bin/env node
// Adds up the vitest JSON reports every workspace (packages, examples, tests) wrote (test-results.json) and prints one
// closing line, "Tests: N passed, N failed, N skipped", so the whole monorepo run has a
// single verdict a person or CI can read. Exits 1 when any test failed, none ran, or a workspace
// with a test script left no report (its run crashed, or its vitest config lost the JSON reporter).
// When tests of the GPMC corpus tier were skipped (suites named "[corpus] ..." by @coffer/test-support's
// describeCorpus, skipped where the corpus is absent), one line before the verdict says how many and how to run
// them; the verdict stays the last line (CI reads it).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
let corpusSkipped = 0;
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
    corpusSkipped += corpusTierSkips(report);
    passed += p;
    failed += f;
    skipped += s;
    perPackage.push(`${group}/${name}: ${p} passed, ${f} failed, ${s} skipped`);
  }
}
console.log(perPackage.join('\n'));
for (const workspace of missing) console.log(`${workspace}: no test report (its tests did not run to the end)`);
if (corpusSkipped > 0)
  console.log(
    `${corpusSkipped} corpus tests skipped: no GPMC corpus at ${await corpusLocation()}; set COFFER_CORPUS_DIR=/path/to/gpmc-backups to run them`,
  );
console.log(`Tests: ${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
if (failed > 0 || missing.length > 0 || passed === 0) process.exitCode = 1;

/** Skipped tests of the corpus tier in one report: their outermost suite carries the "[corpus]" prefix. */
function corpusTierSkips(report) {
  let count = 0;
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if ((test.status === 'skipped' || test.status === 'pending') && test.ancestorTitles?.[0]?.startsWith('[corpus] '))
        count++;
    }
  }
  return count;
}

/** Where the corpus was looked for, from the one locator (built with the packages before tests run). */
async function corpusLocation() {
  try {
    const { corpusDir } = await import('@coffer/test-support/corpus-locator');
    return corpusDir();
  } catch {
    return process.env.COFFER_CORPUS_DIR || 'its default location (@coffer/test-support is not built)';
  }
}
