import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HRESULT,
  ErrorCode,
  INTEGRITY_MANIFEST_NAME,
  SPECIFICATION_VERSION,
  describeOptions,
  parseIntegrityManifest,
  providerCapabilities,
  runBackup,
  runList,
  runRestore,
  validateProvider,
  verifyDirectory,
  type BackupProvider,
  type OperationResult,
  type ProgressReport,
} from '@coffer/core';
import { leftovers, snapshotDirectory } from './directory-snapshot.js';

/** The `test` (or `it`) function of any runner: vitest, jest, node:test, mocha. */
export type TestFunction = (name: string, body: () => Promise<void>) => unknown;

export interface ConformanceFixture {
  /** An existing, empty directory to back up into. */
  destination: string;
  /** Valid backup options for this provider in this fixture. */
  options: unknown;
  /** Valid restore options, when the provider restores. */
  restoreOptions?: unknown;
  /** Called after the restore test; throw if the restored data is wrong. */
  checkRestored?: () => Promise<void>;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  test: TestFunction;
  /** The provider, or how to get it (e.g. through core's loadProvider, to test the published entry point). */
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any> | (() => Promise<BackupProvider<any, any>>);
  createFixture(): Promise<ConformanceFixture>;
  /** Option values the provider must reject with E_INVALIDARG before writing anything. */
  invalidOptions?: unknown[];
  /** Switch groups off or on; restore and list default to the methods the provider has. */
  capabilities?: { restore?: boolean; list?: boolean; cancel?: boolean };
  /** Prefix for test names. */
  name?: string;
  /**
   * `strict` (default): the total is announced before the work it counts, so the share done never goes down.
   * `totals-may-grow`: a provider that discovers its work as it goes (a stream of unknown length) may raise the
   * total mid-run; completed must still never exceed the total announced, and must reach it.
   */
  progress?: 'strict' | 'totals-may-grow';
  /**
   * Cancellation bounds. After an abort the provider must return within `withinMs` (default 10,000) and must not
   * do the rest of the work anyway: units completed after the abort may be at most `slackUnits` (default: half of
   * what was left, rounded down — enough for work already in flight in a provider that writes several things at once).
   */
  cancel?: { withinMs?: number; slackUnits?: number };
}

/**
 * Registers the provider conformance tests with the caller's runner. The suite imports
 * no test runner and asserts with node:assert, so any runner that fails a test on a
 * thrown error can run it.
 */
export function runConformanceSuite(config: ConformanceOptions): void {
  const prefix = config.name ?? 'coffer provider conformance';
  const getProvider = async () => (typeof config.provider === 'function' ? config.provider() : config.provider);
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  const t = (name: string, body: (provider: BackupProvider<any, any>) => Promise<void>) =>
    config.test(`${prefix}: ${name}`, async () => body(await getProvider()));
  const withFixture = async (body: (fixture: ConformanceFixture) => Promise<void>) => {
    const fixture = await config.createFixture();
    try {
      await body(fixture);
    } finally {
      await fixture.cleanup();
    }
  };

  t(`satisfies the specification version ${SPECIFICATION_VERSION} contract`, async (provider) => {
    validateProvider(provider, provider.id);
    assert.equal(provider.specificationVersion, SPECIFICATION_VERSION);
    const schema = describeOptions(provider.options);
    assert.equal(typeof schema, 'object');
    if (provider.restoreOptions) assert.equal(typeof describeOptions(provider.restoreOptions), 'object');
  });

  t('backs up, reports bounded monotonic progress, and the backup verifies', async (provider) => {
    await withFixture(async (fixture) => {
      const reports: ProgressReport[] = [];
      const result = await runBackup(provider, {
        destination: fixture.destination,
        options: fixture.options,
        comment: 'conformance',
        onProgress: (report) => reports.push({ ...report }),
      });
      assertSucceeded(result);
      assertProgressSane(reports, { strict: config.progress !== 'totals-may-grow' });
      const output = result.output!;
      assert.ok(output.backups.length > 0, 'a successful backup names what it wrote');
      for (const backup of output.backups) {
        assert.equal(typeof backup.id, 'string');
        assert.ok(backup.path.startsWith(fixture.destination), `${backup.path} lies inside the destination`);
        await stat(backup.path);
      }
      for (const [name, count] of Object.entries(output.counts)) assert.equal(typeof count, 'number', `count ${name}`);
      const verification = await verifyDirectory(fixture.destination);
      assert.ok(verification.backups.length >= output.backups.length, 'every backup carries an integrity manifest');
      assert.deepEqual(
        verification.backups.flatMap((b) => b.problems),
        [],
        'a fresh backup verifies without problems',
      );
      assert.deepEqual(leftovers(await snapshotDirectory(fixture.destination)), []);
      assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'results are plain JSON');
    });
  });

  t('refuses a target directory that does not exist, creating nothing', async (provider) => {
    await withFixture(async (fixture) => {
      const missing = join(fixture.destination, 'does-not-exist');
      const result = await runBackup(provider, { destination: missing, options: fixture.options });
      assertCoded(result);
      assert.equal(result.status, 'failed');
      assert.equal(result.error?.code, ErrorCode.PathNotFound);
      assert.equal(result.error?.hresult, HRESULT.ERROR_PATH_NOT_FOUND);
      await assert.rejects(stat(missing));
      assert.deepEqual(await snapshotDirectory(fixture.destination), {});
    });
  });

  for (const [index, invalid] of (config.invalidOptions ?? []).entries()) {
    t(`rejects invalid options #${index + 1} with E_INVALIDARG before writing`, async (provider) => {
      await withFixture(async (fixture) => {
        const result = await runBackup(provider, { destination: fixture.destination, options: invalid });
        assertCoded(result);
        assert.equal(result.status, 'failed');
        assert.equal(result.error?.hresult, HRESULT.E_INVALIDARG, JSON.stringify(result.error));
        assert.ok(
          result.messages.some((m) => m.severity === 'error'),
          'the failure is also a status message',
        );
        assert.deepEqual(await snapshotDirectory(fixture.destination), {});
      });
    });
  }

  if (config.capabilities?.cancel !== false) {
    t('a signal aborted before the start ends as cancelled and writes nothing', async (provider) => {
      await withFixture(async (fixture) => {
        const controller = new AbortController();
        controller.abort();
        const result = await runBackup(provider, {
          destination: fixture.destination,
          options: fixture.options,
          signal: controller.signal,
        });
        assertCoded(result);
        assert.equal(result.status, 'cancelled');
        assert.ok(result.error, 'a cancelled result says why');
        assert.deepEqual(await snapshotDirectory(fixture.destination), {});
      });
    });

    t('cancelling at any progress report stops the provider promptly and leaves nothing partial', async (provider) => {
      // First learn how many reports a full run makes, then cancel at the first, middle and last of them.
      const full = await fullRunProgress(provider, config);
      const withinMs = config.cancel?.withinMs ?? 10_000;
      const points = [...new Set([1, Math.ceil(full.reports / 2), Math.max(1, full.reports - 1)])];
      for (const point of points) {
        await withFixture(async (fixture) => {
          const before = await snapshotDirectory(fixture.destination);
          const controller = new AbortController();
          let seen = 0;
          let abortedAt: { completed: number; time: number } | undefined;
          let completedAfter = 0;
          const result = await runBackup(provider, {
            destination: fixture.destination,
            options: fixture.options,
            signal: controller.signal,
            onProgress: (report) => {
              seen += 1;
              if (abortedAt) completedAfter = Math.max(completedAfter, report.completed - abortedAt.completed);
              if (seen === point) {
                abortedAt = { completed: report.completed, time: Date.now() };
                controller.abort();
              }
            },
          });
          const after = await snapshotDirectory(fixture.destination);
          assertCoded(result);
          assert.deepEqual(leftovers(after), [], `no staging left after cancelling at report ${point}`);
          if (abortedAt) {
            const took = Date.now() - abortedAt.time;
            assert.ok(
              took <= withinMs,
              `the provider took ${took} ms to stop after the abort at report ${point} (bound ${withinMs} ms): check context.signal`,
            );
            const left = full.total - abortedAt.completed;
            const slack = config.cancel?.slackUnits ?? Math.floor(left / 2);
            if (left >= 2) {
              assert.ok(
                completedAfter <= slack,
                `after the abort at report ${point} the provider kept working: ${completedAfter} of the ${left} unit(s) left were completed ` +
                  `(at most ${slack} may be, for work already in flight); call context.throwIfCancelled() between units of work`,
              );
            }
          }
          if (result.status === 'cancelled') {
            assert.deepEqual(
              after,
              before,
              `cancel at report ${point} of ${full.reports} left the destination as it was`,
            );
          } else {
            // Past the commit point a provider may finish: then the backup must be whole.
            assertSucceeded(result);
            const verification = await verifyDirectory(fixture.destination);
            assert.deepEqual(
              verification.backups.flatMap((b) => b.problems),
              [],
            );
          }
        });
      }
    });
  }

  t('stores the comment with every backup, and list shows it', async (provider) => {
    await withFixture(async (fixture) => {
      const comment = `conformance ${Math.random().toString(36).slice(2)} — ünïcode`;
      const result = await runBackup(provider, { destination: fixture.destination, options: fixture.options, comment });
      assertSucceeded(result);
      for (const backup of result.output!.backups) {
        const text = await readFile(join(backup.path, INTEGRITY_MANIFEST_NAME), 'utf8').catch(() => undefined);
        assert.ok(
          text !== undefined,
          `backup ${backup.id} has no integrity manifest, so its comment was dropped: stage it into request.target`,
        );
        assert.equal(
          parseIntegrityManifest(text, backup.path).comment,
          comment,
          `backup ${backup.id} keeps the comment`,
        );
      }
      if (!(config.capabilities?.list ?? providerCapabilities(provider).list)) return;
      const listed = await runList(provider, { source: fixture.destination });
      assertSucceeded(listed);
      for (const backup of result.output!.backups) {
        const listing = listed.output!.find((l) => l.id === backup.id);
        assert.ok(listing, `list shows backup ${backup.id}`);
        assert.equal(listing.comment, comment, `list shows the comment of backup ${backup.id}`);
      }
    });
  });

  t('lists what it backed up', async (provider) => {
    if (!(config.capabilities?.list ?? providerCapabilities(provider).list)) return;
    await withFixture(async (fixture) => {
      const backup = await runBackup(provider, { destination: fixture.destination, options: fixture.options });
      assertSucceeded(backup);
      const listed = await runList(provider, { source: fixture.destination });
      assertSucceeded(listed);
      const ids = new Set(listed.output!.map((l) => l.id));
      for (const b of backup.output!.backups) assert.ok(ids.has(b.id), `list shows backup ${b.id}`);
    });
  });

  t('restores what it backed up', async (provider) => {
    if (!(config.capabilities?.restore ?? providerCapabilities(provider).restore)) return;
    await withFixture(async (fixture) => {
      const backup = await runBackup(provider, { destination: fixture.destination, options: fixture.options });
      assertSucceeded(backup);
      const restored = await runRestore(provider, {
        source: fixture.destination,
        options: fixture.restoreOptions ?? {},
      });
      assertSucceeded(restored);
      await fixture.checkRestored?.();
    });
  });
}

/** How many progress reports a full run makes, and its final total. */
async function fullRunProgress(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  config: ConformanceOptions,
): Promise<{ reports: number; total: number }> {
  const fixture = await config.createFixture();
  try {
    let reports = 0;
    let total = 0;
    const result = await runBackup(provider, {
      destination: fixture.destination,
      options: fixture.options,
      onProgress: (report) => {
        reports += 1;
        total = report.total;
      },
    });
    assertSucceeded(result);
    assert.ok(reports > 0, 'a backup reports progress at least once');
    return { reports, total };
  } finally {
    await fixture.cleanup();
  }
}

/** Every status message carries a code (and a known severity); a failed or cancelled result's error has one too. */
export function assertCoded(result: OperationResult<unknown>): void {
  for (const message of result.messages) {
    assert.ok(
      ['info', 'warning', 'error'].includes(message.severity),
      `message severity ${JSON.stringify(message.severity)}`,
    );
    assert.ok(
      typeof message.code === 'string' && message.code.length > 0,
      `every status message has a code: ${JSON.stringify(message)}`,
    );
    assert.equal(typeof message.message, 'string', `message text of ${message.code}`);
  }
  if (result.status === 'failed' || result.status === 'cancelled') {
    assert.ok(
      result.error && typeof result.error.code === 'string' && result.error.code.length > 0,
      `a ${result.status} result says why, with a code`,
    );
  }
}

function assertSucceeded(result: OperationResult<unknown>): void {
  assert.ok(
    result.status === 'succeeded' || result.status === 'succeeded-with-warnings',
    `expected success, got ${result.status}: ${JSON.stringify(result.error ?? result.messages)}`,
  );
  assertCoded(result);
}

/**
 * Progress is honest: completed never goes down, never passes the total announced before it (core raises a total
 * that completed overshoots, which this sees as both moving in one report), the total never shrinks, and the last
 * report shows all work done. `strict` (default) also wants every total announced before the work it counts: the
 * share done never goes down (1/14 then 18/25 is a bar moving backwards).
 */
export function assertProgressSane(reports: readonly ProgressReport[], options: { strict?: boolean } = {}): void {
  assert.ok(reports.length > 0, 'progress was reported');
  let previous: ProgressReport | undefined;
  for (const report of reports) {
    assert.ok(Number.isFinite(report.completed) && Number.isFinite(report.total), 'finite progress numbers');
    assert.equal(typeof report.phase, 'string');
    assert.ok(report.completed <= report.total, `completed ${report.completed} > total ${report.total}`);
    if (previous) {
      assert.ok(
        report.completed >= previous.completed,
        `completed went down: ${previous.completed} -> ${report.completed}`,
      );
      assert.ok(report.total >= previous.total, `the total went down: ${previous.total} -> ${report.total}`);
      if (report.completed > previous.completed && report.total > previous.total) {
        assert.fail(
          `completed overshot the announced total: ${previous.completed}/${previous.total} -> ${report.completed}/${report.total} ` +
            '(announce the work with progress.phase(name, total) or addTotal before advancing)',
        );
      }
      if (options.strict !== false && previous.total > 0 && report.total > previous.total && previous.completed > 0) {
        const before = previous.completed / previous.total;
        const now = report.completed / report.total;
        assert.ok(
          now >= before,
          `progress moved backwards: ${previous.completed}/${previous.total} -> ${report.completed}/${report.total} (a total raised after work was done)`,
        );
      }
    }
    previous = report;
  }
  const last = reports.at(-1)!;
  assert.equal(
    last.completed,
    last.total,
    `the last report shows all work done (completed never reached the total: ${last.completed}/${last.total})`,
  );
}

/** A fresh empty folder under the OS temp dir, for fixtures. */
export async function makeTempDirectory(
  prefix = 'coffer-conformance-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
