import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import {
  INTEGRITY_MANIFEST_NAME,
  listCommittedEntries,
  lockDirectory,
  pruneDirectory,
  verifyDirectory,
  type PruneResult,
  type StatusMessage,
} from '../../src/index.js';
import { backupIndexIds } from '../../src/retention/backup-index.js';
import { snapshotTree, tempDir } from '../helpers.js';
import { gpoBackup, inUtc, writeFixtureBackups, writeManifestXml, type FixtureBackup } from './fixture-backups.js';

inUtc();

const NOW = new Date('2026-12-05T00:30:00Z');

/**
 * Three GPOs backed up at known times (GPO 1 every 6 hours for three days, GPO 2 once a day, GPO 3 once), a
 * DRM license set, another tool's folder, a backup GPMC wrote (bkupInfo.xml, no Coffer manifest), a stray
 * file and a symbolic link.
 */
async function history(): Promise<{ dir: string; gpo: FixtureBackup[] }> {
  const dir = await tempDir('coffer-prune-');
  const gpo: FixtureBackup[] = [
    ...['2026-12-02T00:05', '2026-12-02T06:05', '2026-12-02T12:05', '2026-12-02T18:05'].map((t, i) =>
      gpoBackup(100 + i, 1, `${t}:00Z`),
    ),
    ...['2026-12-03T00:05', '2026-12-03T06:05', '2026-12-03T12:05', '2026-12-03T18:05'].map((t, i) =>
      gpoBackup(110 + i, 1, `${t}:00Z`),
    ),
    ...['2026-12-04T00:05', '2026-12-04T06:05', '2026-12-04T12:05', '2026-12-04T18:05'].map((t, i) =>
      gpoBackup(120 + i, 1, `${t}:00Z`),
    ),
    gpoBackup(200, 2, '2026-12-02T03:00:00Z', 'Second'),
    gpoBackup(201, 2, '2026-12-03T03:00:00Z', 'Second'),
    gpoBackup(202, 2, '2026-12-04T03:00:00Z', 'Second'),
    gpoBackup(300, 3, '2026-11-01T03:00:00Z', 'Only once'),
  ];
  await writeFixtureBackups(dir, 'gpo', gpo);
  await writeFixtureBackups(dir, 'drm-licenses', [
    { id: 'license-set', at: '2026-12-01T00:00:00Z', kind: 'license-set', metadata: { storeId: 'store-1' } },
  ]);
  await writeManifestXml(dir, gpo);
  await mkdir(join(dir, 'other-tool'));
  await writeFile(join(dir, 'other-tool', 'data.txt'), 'not Coffer');
  await mkdir(join(dir, '{99999999-0000-4000-8000-000000000000}'));
  await writeFile(join(dir, '{99999999-0000-4000-8000-000000000000}', 'bkupInfo.xml'), '<BackupInst/>');
  await writeFile(join(dir, 'README.txt'), 'backups');
  const outside = await tempDir('coffer-outside-');
  await writeFile(join(outside, 'target.txt'), 'outside');
  await symlink(join(outside, 'target.txt'), join(dir, 'link'));
  return { dir, gpo };
}

const ids = (backups: PruneResult['kept']) => backups.map((b) => b.id).sort();

describe('pruneDirectory', () => {
  test('keeps per object what the rules keep, removes the rest with manifest.xml, touches nothing else', async () => {
    const { dir, gpo } = await history();
    const messages: StatusMessage[] = [];
    const result = await pruneDirectory(dir, {
      policy: { last: 2, daily: 2 },
      now: NOW,
      report: (m) => messages.push(m),
    });
    const id = (n: number) => gpo.find((b) => b.id.startsWith(`{${String(n).padStart(8, '0')}`))!.id;
    // GPO 1: last 2 = 12-04 18:05 and 12:05; daily 2 = 12-04 18:05 and 12-03 18:05. GPO 2: 12-04 and 12-03 (last),
    // the same (daily). GPO 3 and the license set: their only backup.
    expect(ids(result.kept)).toEqual([id(113), id(122), id(123), id(201), id(202), id(300), 'license-set'].sort());
    expect(ids(result.removed)).toEqual([100, 101, 102, 103, 110, 111, 112, 120, 121, 200].map(id).sort());
    expect(result.objects).toBe(4);
    expect(result.dryRun).toBe(false);
    const newest = result.kept.find((b) => b.id === id(123))!;
    expect(newest.reasons.map((r) => r.rule)).toEqual(['newest', 'last', 'daily']);
    expect(newest.object).toEqual({ id: '{00000001-1111-4111-8111-111111111111}', name: 'GPO 1' });
    expect(result.kept.find((b) => b.id === id(113))!.reasons).toEqual([{ rule: 'daily', period: '2026-12-03' }]);
    // Each backup is returned with exactly these fields, in this order (--json prints them so), nothing of the plan's own.
    expect(Object.keys(newest)).toEqual(['id', 'path', 'provider', 'kind', 'object', 'createdAt', 'reasons']);
    expect(newest).toMatchObject({ path: join(dir, id(123)), provider: 'gpo', kind: 'gpo' });
    expect(newest.createdAt).toBe('2026-12-04T18:05:00.000Z');
    expect(newest.reasons[0]).toEqual({ rule: 'newest', period: newest.createdAt });
    expect(result.removed.every((b) => b.reasons.length === 0)).toBe(true);
    expect(result.skipped.map((s) => s.name).sort()).toEqual(
      ['README.txt', 'link', 'other-tool', '{99999999-0000-4000-8000-000000000000}'].sort(),
    );

    // On disk: exactly the kept backups, the index listing exactly the kept GPMC-shaped ones, the rest untouched.
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(
      [
        ...ids(result.kept),
        'manifest.xml',
        'other-tool',
        '{99999999-0000-4000-8000-000000000000}',
        'README.txt',
        'link',
      ].sort(),
    );
    expect(backupIndexIds(await readFile(join(dir, 'manifest.xml')), 'manifest.xml').sort()).toEqual(
      ids(result.kept).filter((n) => n.startsWith('{')),
    );
    expect(await readFile(join(dir, 'other-tool', 'data.txt'), 'utf8')).toBe('not Coffer');
    const verification = await verifyDirectory(dir);
    // Every Coffer backup checks out; verify's other findings are about what prune left alone (as before it ran).
    expect(verification.backups.filter((b) => !b.ok).map((b) => b.id)).toEqual(['other-tool']);
    expect(verification.problems.filter((p) => p.severity === 'error').map((p) => `${p.kind} ${p.path}`)).toEqual([
      'symlink link',
      'index-unlisted {99999999-0000-4000-8000-000000000000}/',
    ]);

    // Run again: nothing more to remove (the same policy is stable).
    const again = await pruneDirectory(dir, { policy: { last: 2, daily: 2 }, now: NOW });
    expect(again.removed).toEqual([]);
    expect(ids(again.kept)).toEqual(ids(result.kept));
  });

  test('a backup’s comment is returned in its place among the fields', async () => {
    const dir = await tempDir('coffer-prune-comment-');
    const destination = await BackupDestination.open(dir, { providerId: 'gpo', comment: 'before the upgrade' });
    for (const name of ['A1', 'A2']) {
      const entry = await destination.stage(name, { kind: 'gpo', metadata: { gpoId: 'object-a' } });
      await entry.writeFile('data.txt', name);
    }
    await destination.commit();
    await destination.close();
    const result = await pruneDirectory(dir, { policy: { last: 1 }, dryRun: true });
    expect(result.kept.length + result.removed.length).toBe(2);
    for (const backup of [...result.kept, ...result.removed]) {
      expect(Object.keys(backup)).toEqual([
        'id',
        'path',
        'provider',
        'kind',
        'object',
        'createdAt',
        'comment',
        'reasons',
      ]);
      expect(backup.comment).toBe('before the upgrade');
    }
    expect(result.removed[0]!.reasons).toEqual([]);
  });

  test('--keep-within 1d (from each object’s newest backup) and --keep-hourly', async () => {
    const { dir } = await history();
    const within = await pruneDirectory(dir, { policy: { within: '1d' }, now: NOW, dryRun: true });
    // GPO 1: newer than 12-03 18:05 (exclusive): 12-04's four. GPO 2: newer than 12-03 03:00: 12-04's. GPO 3, DRM: newest.
    expect(within.kept.map((b) => b.createdAt).sort()).toEqual([
      '2026-11-01T03:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-04T00:05:00.000Z',
      '2026-12-04T03:00:00.000Z',
      '2026-12-04T06:05:00.000Z',
      '2026-12-04T12:05:00.000Z',
      '2026-12-04T18:05:00.000Z',
    ]);
    const hourly = await pruneDirectory(dir, { policy: { hourly: 3 }, now: NOW, dryRun: true });
    expect(hourly.kept.filter((b) => b.object.name === 'GPO 1').map((b) => b.createdAt)).toEqual([
      '2026-12-04T18:05:00.000Z',
      '2026-12-04T12:05:00.000Z',
      '2026-12-04T06:05:00.000Z',
    ]);
  });

  test('--dry-run writes nothing and takes no lock: it answers while a backup holds the directory', async () => {
    const { dir } = await history();
    const before = await snapshotTree(dir);
    const held = await lockDirectory(dir);
    try {
      const result = await pruneDirectory(dir, { policy: { last: 1 }, now: NOW, dryRun: true });
      expect(result.dryRun).toBe(true);
      expect(result.removed).toHaveLength(11 + 2);
      await expect(pruneDirectory(dir, { policy: { last: 1 }, now: NOW })).rejects.toMatchObject({
        code: 'DESTINATION_LOCKED',
      });
    } finally {
      await held.release();
    }
    expect(await snapshotTree(dir)).toEqual(before);
  });

  test('GUIDs name one object whatever their case and braces; another provider’s same id is another object', async () => {
    const dir = await tempDir('coffer-prune-');
    await writeFixtureBackups(dir, 'gpo', [
      { id: 'a', at: '2026-12-01T00:00:00Z', metadata: { gpoId: '{abcdef00-1111-4111-8111-111111111111}' } },
      { id: 'b', at: '2026-12-02T00:00:00Z', metadata: { gpoId: 'ABCDEF00-1111-4111-8111-111111111111' } },
      {
        id: 'c',
        at: '2026-12-03T00:00:00Z',
        kind: 'starter-gpo',
        metadata: { starterGpoId: 'ABCDEF00-1111-4111-8111-111111111111' },
      },
      { id: 'd', at: '2026-12-03T00:00:00Z', metadata: { displayName: 'no object id' } },
      { id: 'e', at: '2026-12-04T00:00:00Z', metadata: { displayName: 'no object id' } },
    ]);
    const result = await pruneDirectory(dir, { policy: { last: 1 }, now: NOW });
    expect(ids(result.removed)).toEqual(['a']);
    expect(ids(result.kept)).toEqual(['b', 'c', 'd', 'e']);
    expect(result.objects).toBe(4);
  });

  test('a Coffer manifest that cannot be trusted stops the prune before anything changes', async () => {
    const cases: Array<[string, (dir: string, victim: string) => Promise<void>, RegExp]> = [
      ['unparseable', (d, v) => writeFile(join(d, v, INTEGRITY_MANIFEST_NAME), '{ torn'), /is not valid JSON/],
      [
        'naming another folder',
        async (d, v) => {
          const path = join(d, v, INTEGRITY_MANIFEST_NAME);
          const manifest = JSON.parse(await readFile(path, 'utf8'));
          await writeFile(path, JSON.stringify({ ...manifest, id: 'elsewhere' }));
        },
        /gives the id "elsewhere"/,
      ],
      [
        'dated in the future (a forged newest backup would make every real one "old")',
        async (d, v) => {
          const path = join(d, v, INTEGRITY_MANIFEST_NAME);
          const manifest = JSON.parse(await readFile(path, 'utf8'));
          await writeFile(path, JSON.stringify({ ...manifest, createdAt: '2027-06-01T00:00:00Z' }));
        },
        /after now/,
      ],
      [
        'a symbolic link',
        async (d, v) => {
          const path = join(d, v, INTEGRITY_MANIFEST_NAME);
          await writeFile(join(d, 'elsewhere.json'), await readFile(path));
          await import('node:fs/promises').then((fs) => fs.rm(path));
          await symlink(join(d, 'elsewhere.json'), path);
        },
        /symbolic link/,
      ],
    ];
    for (const [what, damage, message] of cases) {
      const { dir, gpo } = await history();
      await damage(dir, gpo[5]!.id);
      const before = await snapshotTree(dir);
      const failure = pruneDirectory(dir, { policy: { last: 1 }, now: NOW });
      await expect(failure, what).rejects.toMatchObject({ code: 'PRUNE_BACKUP_INVALID', message });
      expect(await snapshotTree(dir), what).toEqual(before);
    }
  });

  test('refuses a damaged manifest.xml, and a directory with an unfinished backup commit', async () => {
    const { dir } = await history();
    await writeFile(join(dir, 'manifest.xml'), '<Backups><BackupInst>');
    await expect(pruneDirectory(dir, { policy: { last: 1 }, now: NOW })).rejects.toMatchObject({
      code: 'PRUNE_INDEX_INVALID',
    });
    await writeFile(join(dir, 'manifest.xml'), '<!DOCTYPE x [<!ENTITY a "b">]><Backups/>');
    await expect(pruneDirectory(dir, { policy: { last: 1 }, now: NOW })).rejects.toMatchObject({
      code: 'XML_DOCTYPE_REFUSED',
    });
    await writeFile(join(dir, 'manifest.xml'), '<Backups/>');
    await writeFile(join(dir, '.coffer-journal.json'), JSON.stringify({ entries: [] }));
    const before = await snapshotTree(dir);
    await expect(pruneDirectory(dir, { policy: { last: 1 }, now: NOW })).rejects.toMatchObject({
      code: 'PRUNE_COMMIT_PENDING',
    });
    expect(await snapshotTree(dir)).toEqual(before);
  });

  test('usage: no rule, a bad count or duration, a missing directory', async () => {
    const dir = await tempDir('coffer-prune-');
    await expect(pruneDirectory(dir, { policy: {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pruneDirectory(dir, { policy: { within: '3 days' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(pruneDirectory(join(dir, 'nope'), { policy: { last: 1 } })).rejects.toMatchObject({
      code: 'PATH_NOT_FOUND',
    });
  });

  test('manifest.xml keeps its encoding (UTF-16 with BOM) and everything around the removed entries', async () => {
    const dir = await tempDir('coffer-prune-');
    const gpo = [gpoBackup(1, 1, '2026-12-01T00:00:00Z'), gpoBackup(2, 1, '2026-12-02T00:00:00Z')];
    await writeFixtureBackups(dir, 'gpo', gpo);
    await writeManifestXml(dir, gpo);
    const text = (await readFile(join(dir, 'manifest.xml'), 'utf8')).replace(
      '<BackupInst>',
      '\r\n<!-- kept -->\r\n<BackupInst>',
    );
    await writeFile(
      join(dir, 'manifest.xml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    await pruneDirectory(dir, { policy: { last: 1 }, now: NOW });
    const bytes = await readFile(join(dir, 'manifest.xml'));
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const after = bytes.subarray(2).toString('utf16le');
    expect(after).toContain('\r\n<!-- kept -->\r\n');
    expect(after).toContain(gpo[1]!.id);
    expect(after).not.toContain(gpo[0]!.id);
    expect(backupIndexIds(bytes, 'manifest.xml')).toEqual([gpo[1]!.id]);
  });
});

describe('an interrupted prune', () => {
  /** The state a prune killed right after its commit point leaves: the journal, nothing else done yet. */
  async function killedAfterJournal(): Promise<{ dir: string; removed: string[]; kept: string[] }> {
    const { dir } = await history();
    const plan = await pruneDirectory(dir, { policy: { last: 1 }, now: NOW, dryRun: true });
    const removed = ids(plan.removed);
    await writeFile(
      join(dir, '.coffer-prune.json'),
      JSON.stringify({
        format: 'coffer-prune-journal',
        version: 1,
        remove: removed.map((name, i) => ({ name, aside: `.coffer-old-${String(i).padStart(16, '0')}` })),
      }),
    );
    return { dir, removed, kept: ids(plan.kept) };
  }

  test('readers see the new state from the commit point on; the next prune finishes it (PRUNE_COMPLETED)', async () => {
    const { dir, removed, kept } = await killedAfterJournal();
    const { entries, pending } = await listCommittedEntries(dir);
    expect(pending.sort()).toEqual(removed);
    expect(
      entries
        .map((e) => e.name)
        .filter((n) => kept.includes(n) || removed.includes(n))
        .sort(),
    ).toEqual(kept);
    const verification = await verifyDirectory(dir);
    // manifest.xml still lists the removed backups, but like their folders they are hidden: no index finding about them.
    expect(verification.problems.filter((p) => p.kind.startsWith('index')).map((p) => p.path)).toEqual([
      '{99999999-0000-4000-8000-000000000000}/',
    ]);

    const messages: StatusMessage[] = [];
    const next = await pruneDirectory(dir, { policy: { last: 1 }, now: NOW, report: (m) => messages.push(m) });
    expect(next.finishedInterrupted).toBe(removed.length);
    expect(next.removed).toEqual([]);
    expect(messages.map((m) => m.code)).toContain('PRUNE_COMPLETED');
    const names = await readdir(dir);
    expect(names.filter((n) => removed.includes(n) || n.startsWith('.coffer'))).toEqual([]);
    expect(backupIndexIds(await readFile(join(dir, 'manifest.xml')), 'm').sort()).toEqual(
      kept.filter((n) => n.startsWith('{')),
    );
  });

  test('the next prune removes what a killed run left half-written (an index temp file, staging and old copies)', async () => {
    const { dir } = await killedAfterJournal();
    // Killed between writing manifest.xml's temp file and renaming it, and with a staging and an old copy about.
    const leftovers = [
      'manifest.xml.coffer-2315-qvt6t6upgp.tmp',
      '.coffer-staging-0000000000000001',
      '.coffer-old-ffffffffffffffff',
    ];
    await writeFile(join(dir, leftovers[0]!), '<Backups');
    for (const folder of leftovers.slice(1)) {
      await mkdir(join(dir, folder));
      await writeFile(join(dir, folder, 'half.txt'), 'half');
    }
    await pruneDirectory(dir, { policy: { last: 1 }, now: NOW });
    const names = await readdir(dir);
    for (const leftover of leftovers) expect(names).not.toContain(leftover);
    expect(names).toContain('other-tool');
    expect(names).toContain('README.txt');
  });

  test('the next backup into the directory finishes it too, before its own commit', async () => {
    const { dir, removed } = await killedAfterJournal();
    const messages: StatusMessage[] = [];
    const destination = await BackupDestination.open(dir, {
      providerId: 'gpo',
      report: (m) => messages.push(m),
    });
    await destination.close();
    expect(messages.map((m) => m.code)).toEqual(['PRUNE_COMPLETED']);
    expect((await readdir(dir)).filter((n) => removed.includes(n) || n.startsWith('.coffer'))).toEqual([]);
  });

  test('a planted journal cannot make it delete anything but Coffer backups of the directory', async () => {
    const { dir } = await history();
    const outside = await tempDir('coffer-outside-');
    await writeFile(join(outside, 'precious'), 'keep me');
    for (const remove of [
      [{ name: '../x', aside: '.coffer-old-0000000000000000' }],
      [{ name: outside, aside: '.coffer-old-0000000000000000' }],
      [{ name: 'other-tool', aside: '../../precious' }],
      [{ name: '.coffer.lock', aside: '.coffer-old-0000000000000000' }],
    ]) {
      await writeFile(
        join(dir, '.coffer-prune.json'),
        JSON.stringify({ format: 'coffer-prune-journal', version: 1, remove }),
      );
      await expect(pruneDirectory(dir, { policy: { last: 1 }, now: NOW })).rejects.toMatchObject({
        code: 'PRUNE_JOURNAL_INVALID',
      });
    }
    // Well-formed, but naming another tool's folder and a GPMC-written backup: both are left in place.
    await writeFile(
      join(dir, '.coffer-prune.json'),
      JSON.stringify({
        format: 'coffer-prune-journal',
        version: 1,
        remove: [
          { name: 'other-tool', aside: '.coffer-old-0000000000000001' },
          { name: '{99999999-0000-4000-8000-000000000000}', aside: '.coffer-old-0000000000000002' },
        ],
      }),
    );
    const messages: StatusMessage[] = [];
    await pruneDirectory(dir, { policy: { last: 1 }, now: NOW, report: (m) => messages.push(m) });
    expect(messages.filter((m) => m.code === 'PRUNE_ENTRY_CHANGED')).toHaveLength(2);
    expect(await readFile(join(dir, 'other-tool', 'data.txt'), 'utf8')).toBe('not Coffer');
    expect(await readdir(join(dir, '{99999999-0000-4000-8000-000000000000}'))).toEqual(['bkupInfo.xml']);
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('keep me');
  });
});
