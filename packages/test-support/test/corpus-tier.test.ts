import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_TIER_PREFIX, corpusAvailable, corpusDir, repoRoot, tempDir } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const vitestBin = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');

interface Outcome {
  passed: number;
  failed: number;
  skipped: number;
  tests: Array<{ title: string; suite: string; status: string; failure: string }>;
}

/** Runs the fixture file in a child vitest with exactly this corpus setting and CI flag. */
async function runFixture(corpus: string, ci: boolean): Promise<Outcome> {
  const report = join(await tempDir('coffer-tier-report-'), 'report.json');
  const env: NodeJS.ProcessEnv = { ...process.env, COFFER_CORPUS_DIR: corpus, FIXTURE_REPORT: report };
  delete env.CI;
  delete env.VITEST;
  if (ci) env.CI = 'true';
  const child = spawnSync(process.execPath, [vitestBin, 'run', '--config', 'vitest.fixture.config.ts'], {
    cwd: fixtures,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.error).toBeUndefined();
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const tests = json.testResults.flatMap((file: { assertionResults: Array<Record<string, unknown>> }) =>
    file.assertionResults.map((t) => ({
      title: String(t.title),
      suite: String((t.ancestorTitles as string[])[0] ?? ''),
      status: String(t.status),
      failure: (t.failureMessages as string[]).join('\n'),
    })),
  );
  return {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + json.numTodoTests,
    tests,
  };
}

describe('the corpus tier, in a child vitest per environment', () => {
  it('with the corpus present, every tier test runs and passes', async () => {
    const corpus = await tempDir('coffer-fake-corpus-');
    writeFileSync(join(corpus, 'marker.txt'), 'x');
    const outcome = await runFixture(corpus, false);
    expect(outcome).toMatchObject({ passed: 4, failed: 0, skipped: 0 });
  });

  it('without it and outside CI, the tier is skipped (counted, named [corpus]) and the rest passes', async () => {
    const outcome = await runFixture('/nonexistent/coffer-corpus', false);
    expect(outcome).toMatchObject({ passed: 1, failed: 0, skipped: 3 });
    const skipped = outcome.tests.filter((t) => t.status !== 'passed');
    expect(skipped.every((t) => t.suite.startsWith(`${CORPUS_TIER_PREFIX} `))).toBe(true);
    // The suite that read the corpus while collecting is represented by one placeholder naming the path.
    expect(skipped.map((t) => t.title)).toEqual([
      'reads the corpus',
      'a second corpus test',
      'needs the GPMC corpus at /nonexistent/coffer-corpus',
    ]);
  });

  it('without it in CI, the tier fails and says where the corpus was looked for', async () => {
    const outcome = await runFixture('/nonexistent/coffer-corpus', true);
    expect(outcome).toMatchObject({ passed: 1, failed: 2, skipped: 0 });
    const failures = outcome.tests.filter((t) => t.status === 'failed');
    expect(failures.map((t) => t.failure)).toEqual([
      expect.stringContaining(
        'the GPMC corpus is missing at /nonexistent/coffer-corpus; CI must have it (set COFFER_CORPUS_DIR)',
      ),
      expect.stringContaining('CI must have it'),
    ]);
  });
});

describe('the corpus locator', () => {
  it('finds the checkout root by its workspaces manifest, from any folder inside it', () => {
    const root = repoRoot();
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces).toBeDefined();
    expect(repoRoot(join(root, 'packages', 'test-support', 'src'))).toBe(root);
    expect(() => repoRoot('/')).toThrow(/no package.json with workspaces/);
  });

  it('takes COFFER_CORPUS_DIR when set, else the corpus folder beside the checkout', () => {
    const saved = process.env.COFFER_CORPUS_DIR;
    try {
      process.env.COFFER_CORPUS_DIR = 'relative/corpus';
      expect(corpusDir()).toBe(resolve('relative/corpus'));
      process.env.COFFER_CORPUS_DIR = '/nonexistent/corpus';
      expect(corpusAvailable()).toBe(false);
      delete process.env.COFFER_CORPUS_DIR;
      // Without the variable: a folder beside the checkout (its name is the locator's business alone).
      const fallback = relative(dirname(repoRoot()), corpusDir()).split(sep);
      expect(fallback).toEqual([expect.stringMatching(/^[^.]/), 'corpus', 'gpmc-backups']);
      expect(fallback[0]).not.toBe(basename(repoRoot()));
    } finally {
      if (saved === undefined) delete process.env.COFFER_CORPUS_DIR;
      else process.env.COFFER_CORPUS_DIR = saved;
    }
  });
});
