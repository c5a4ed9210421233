import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HRESULT,
  ErrorCode,
  describeOptions,
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
  provider: BackupProvider<any, any> | (() => Promise<BackupProvider<any, any>>);
  createFixture(): Promise<ConformanceFixture>;
  /** Option values the provider must reject with E_INVALIDARG before writing anything. */
  invalidOptions?: unknown[];
  /** Switch groups off or on; defaults follow the provider's declared capabilities. */
  capabilities?: { restore?: boolean; list?: boolean; cancel?: boolean };
  /** Prefix for test names. */
  name?: string;
}

/**
 * Registers the provider conformance tests with the caller's runner. The suite imports
 * no test runner and asserts with node:assert, so any runner that fails a test on a
 * thrown error can run it.
 */
export function runConformanceSuite(config: ConformanceOptions): void {
  const prefix = config.name ?? 'coffer provider conformance';
  const getProvider = async () => (typeof config.provider === 'function' ? config.provider() : config.provider);
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

  t('satisfies the specification version 1 contract', async (provider) => {
    validateProvider(provider, provider.id);
    assert.equal(provider.specificationVersion, 1);
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
      assertProgressSane(reports);
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
        assert.equal(result.status, 'failed');
        assert.equal(result.error?.hresult, HRESULT.E_INVALIDARG, JSON.stringify(result.error));
        assert.ok(result.messages.some((m) => m.severity === 'error'), 'the failure is also a status message');
        assert.deepEqual(await snapshotDirectory(fixture.destination), {});
      });
    });
  }

  if (config.capabilities?.cancel !== false) {
    t('a signal aborted before the start ends as cancelled and writes nothing', async (provider) => {
      await withFixture(async (fixture) => {
        const controller = new AbortController();
        controller.abort();
        const result = await runBackup(provider, { destination: fixture.destination, options: fixture.options, signal: controller.signal });
        assert.equal(result.status, 'cancelled');
        assert.ok(result.error, 'a cancelled result says why');
        assert.deepEqual(await snapshotDirectory(fixture.destination), {});
      });
    });

    t('cancelling at any progress report leaves nothing partial', async (provider) => {
      // First learn how many reports a full run makes, then cancel at the first, middle and last of them.
      const reportCount = await countProgressReports(provider, config);
      const points = [...new Set([1, Math.ceil(reportCount / 2), Math.max(1, reportCount - 1)])];
      for (const point of points) {
        await withFixture(async (fixture) => {
          const before = await snapshotDirectory(fixture.destination);
          const controller = new AbortController();
          let seen = 0;
          const result = await runBackup(provider, {
            destination: fixture.destination,
            options: fixture.options,
            signal: controller.signal,
            onProgress: () => {
              seen += 1;
              if (seen === point) controller.abort();
            },
          });
          const after = await snapshotDirectory(fixture.destination);
          assert.deepEqual(leftovers(after), [], `no staging left after cancelling at report ${point}`);
          if (result.status === 'cancelled') {
            assert.deepEqual(after, before, `cancel at report ${point} of ${reportCount} left the destination as it was`);
          } else {
            // Past the commit point a provider may finish: then the backup must be whole.
            assertSucceeded(result);
            const verification = await verifyDirectory(fixture.destination);
            assert.deepEqual(verification.backups.flatMap((b) => b.problems), []);
          }
        });
      }
    });
  }

  t('lists what it backed up', async (provider) => {
    if (!(config.capabilities?.list ?? provider.capabilities.list)) return;
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
    if (!(config.capabilities?.restore ?? provider.capabilities.restore)) return;
    await withFixture(async (fixture) => {
      const backup = await runBackup(provider, { destination: fixture.destination, options: fixture.options });
      assertSucceeded(backup);
      const restored = await runRestore(provider, { source: fixture.destination, options: fixture.restoreOptions ?? {} });
      assertSucceeded(restored);
      await fixture.checkRestored?.();
    });
  });
}

async function countProgressReports(provider: BackupProvider<any, any>, config: ConformanceOptions): Promise<number> {
  const fixture = await config.createFixture();
  try {
    let count = 0;
    const result = await runBackup(provider, { destination: fixture.destination, options: fixture.options, onProgress: () => (count += 1) });
    assertSucceeded(result);
    assert.ok(count > 0, 'a backup reports progress at least once');
    return count;
  } finally {
    await fixture.cleanup();
  }
}

function assertSucceeded(result: OperationResult<unknown>): void {
  assert.ok(
    result.status === 'succeeded' || result.status === 'succeeded-with-warnings',
    `expected success, got ${result.status}: ${JSON.stringify(result.error ?? result.messages)}`,
  );
  for (const message of result.messages) {
    assert.ok(['info', 'warning', 'error'].includes(message.severity), `severity ${message.severity}`);
    assert.equal(typeof message.code, 'string');
    assert.equal(typeof message.message, 'string');
  }
}

/** Progress is monotonic, bounded by its total, and ends complete. */
export function assertProgressSane(reports: readonly ProgressReport[]): void {
  assert.ok(reports.length > 0, 'progress was reported');
  let previous = -1;
  for (const report of reports) {
    assert.ok(Number.isFinite(report.completed) && Number.isFinite(report.total), 'finite progress numbers');
    assert.ok(report.completed >= previous, `completed went down: ${previous} -> ${report.completed}`);
    assert.ok(report.completed <= report.total, `completed ${report.completed} > total ${report.total}`);
    assert.equal(typeof report.phase, 'string');
    previous = report.completed;
  }
  const last = reports.at(-1)!;
  assert.equal(last.completed, last.total, 'the last report shows all work done');
}

/** A fresh empty folder under the OS temp dir, for fixtures. */
export async function makeTempDirectory(prefix = 'coffer-conformance-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
