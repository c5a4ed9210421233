import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyDirectory } from '../../src/engine/verify.js';
import { ProgressTracker, type ProgressReport } from '../../src/operation/progress.js';
import { pruneDirectory } from '../../src/retention/prune.js';
import { writeFixtureBackups } from '../retention/fixture-backups.js';

/**
 * Core's readers make their system calls synchronously behind settled promises, so a loop over a directory's backups
 * never let a timer or a signal handler run: an abort that the CLI's Ctrl-C handler (an event-loop callback) delivers
 * was only seen once every backup had been read, and verify then reported success. Each long loop gives the event loop
 * turns; here the abort comes from a setImmediate scheduled once the first backup is done, and must stop the loop
 * well before its end.
 */
describe('an abort delivered from the event loop stops a long read of a directory mid-way', () => {
  const BACKUPS = 300;
  let dir: string;

  beforeAll(async () => {
    // One directory for both tests (writing 300 backups takes seconds), so not tempDir's per-test folder.
    dir = await mkdtemp(join(tmpdir(), 'coffer-turns-'));
    await writeFixtureBackups(
      dir,
      'test',
      Array.from({ length: BACKUPS }, (_, i) => ({
        id: `b${String(i).padStart(4, '0')}`,
        at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        metadata: { objectId: `object-${i % 30}` },
      })),
    );
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A tracker that, once the first entry is done, asks the event loop to abort; and the reports it saw. */
  function abortingProgress(controller: AbortController): { progress: ProgressTracker; reports: ProgressReport[] } {
    const reports: ProgressReport[] = [];
    let scheduled = false;
    const progress = new ProgressTracker((report) => {
      reports.push(report);
      if (!scheduled && report.completed >= 1) {
        scheduled = true;
        setImmediate(() => controller.abort());
      }
    });
    return { progress, reports };
  }

  test('verify', async () => {
    const controller = new AbortController();
    const { progress, reports } = abortingProgress(controller);
    await expect(verifyDirectory(dir, { signal: controller.signal, progress })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    const last = reports.at(-1)!;
    expect(last.total).toBe(BACKUPS);
    expect(last.completed).toBeLessThan(last.total);
  });

  test('prune --dry-run', async () => {
    const controller = new AbortController();
    const { progress, reports } = abortingProgress(controller);
    await expect(
      pruneDirectory(dir, { policy: { last: 1 }, dryRun: true, signal: controller.signal, progress }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const last = reports.at(-1)!;
    expect(last.total).toBeGreaterThanOrEqual(BACKUPS);
    expect(last.completed).toBeLessThan(last.total);
  });
});
