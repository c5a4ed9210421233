/**
 * A real process running pruneDirectory, killed with SIGKILL by the engine's fault hook at every step after the
 * commit point (COFFER_FAULT_AT=prune:<step>:<n>), and what is left: every reader already sees the new state, and
 * the next prune — or the next backup into the directory — finishes it, leaving exactly the kept backups.
 * (tests/fault-injection does the same with the real CLI against GPO backups, with kills at random instants too.)
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import { listCommittedEntries, pruneDirectory, verifyDirectory, type StatusMessage } from '../../src/index.js';
import { backupIndexIds } from '../../src/retention/backup-index.js';
import { tempDir } from '../helpers.js';
import { gpoBackup, inUtc, writeFixtureBackups, writeManifestXml } from './fixture-backups.js';

inUtc();

const child = fileURLToPath(new URL('../fixtures/prune-child.mjs', import.meta.url));
const POLICY = { last: 1 };

function pruneKilledAt(dir: string, faultAt: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const process_ = spawn(process.execPath, [child, dir, JSON.stringify(POLICY)], {
    stdio: 'ignore',
    env: { ...process.env, COFFER_FAULT_AT: faultAt },
  });
  return new Promise((resolve) => process_.on('exit', (code, signal) => resolve({ code, signal })));
}

/** Five backups of one GPO and two of another: a --keep-last 1 prune removes five. */
async function directory(): Promise<{ dir: string; kept: string[]; removed: string[] }> {
  const dir = await tempDir('coffer-prune-crash-');
  const backups = [
    ...[1, 2, 3, 4, 5].map((n) => gpoBackup(n, 1, `2026-11-0${n}T10:00:00Z`)),
    ...[6, 7].map((n) => gpoBackup(n, 2, `2026-11-0${n - 5}T11:00:00Z`)),
  ];
  await writeFixtureBackups(dir, 'gpo', backups);
  await writeManifestXml(dir, backups);
  const plan = await pruneDirectory(dir, { policy: POLICY, dryRun: true });
  return { dir, kept: plan.kept.map((b) => b.id).sort(), removed: plan.removed.map((b) => b.id).sort() };
}

const STEPS = [
  'journal-written:1',
  'index-written:1',
  'renamed:1',
  'renamed:3',
  'renamed:5',
  'removed:1',
  'removed:3',
  'removed:5',
  'done:1',
];

describe('a prune killed at each step after its commit point', () => {
  test.each(STEPS.map((step, i) => [step, i % 2 === 0 ? 'prune' : 'backup'] as const))(
    'killed at %s: readers see the new state; the next %s finishes it',
    async (step, finisher) => {
      const { dir, kept, removed } = await directory();
      expect(removed).toHaveLength(5);
      const killed = await pruneKilledAt(dir, `prune:${step}`);
      expect(killed.signal).toBe('SIGKILL');

      // Past the commit point: the committed view is the new state, and verify finds no half-removed backup.
      const { entries } = await listCommittedEntries(dir);
      expect(
        entries
          .map((e) => e.name)
          .filter((n) => n !== 'manifest.xml')
          .sort(),
      ).toEqual(kept);
      const verification = await verifyDirectory(dir);
      expect(verification.ok, JSON.stringify(verification.problems)).toBe(true);
      expect(verification.backups.map((b) => b.id).sort()).toEqual(kept);
      // GPMC reads manifest.xml alone: every entry it lists is a complete folder.
      for (const id of backupIndexIds(await readFile(join(dir, 'manifest.xml')), 'manifest.xml'))
        expect((await readdir(join(dir, id))).includes('coffer-manifest.json'), id).toBe(true);

      const messages: StatusMessage[] = [];
      if (finisher === 'prune') {
        const next = await pruneDirectory(dir, { policy: POLICY, report: (m) => messages.push(m) });
        expect(next.removed).toEqual([]);
      } else {
        const destination = await BackupDestination.open(dir, { providerId: 'gpo', report: (m) => messages.push(m) });
        await destination.close();
      }
      const journalWasLeft = step !== 'done:1';
      expect(messages.some((m) => m.code === 'PRUNE_COMPLETED')).toBe(journalWasLeft);
      expect(messages.some((m) => m.code === 'LOCK_TAKEN_OVER')).toBe(true);
      expect((await readdir(dir)).sort()).toEqual([...kept, 'manifest.xml'].sort());
      expect(backupIndexIds(await readFile(join(dir, 'manifest.xml')), 'manifest.xml').sort()).toEqual(kept);
    },
  );
});
