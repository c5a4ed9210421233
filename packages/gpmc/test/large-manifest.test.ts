import { describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupIndexByteLimit, BACKUP_READ_LIMITS, verifyDirectory } from '@coffer/core';
import { tempDir } from '@coffer/test-support';
import pMap from 'p-map';
import {
  gpmcManifestIndex,
  parseManifestXml,
  readGpmcBackupDirectory,
  renderBkupInfoXmlForInst,
  renderManifestXml,
} from '../src/index.js';
import type { BackupInst } from '../src/model.js';

/** A backup id of the n-th synthetic backup: a GUID, as GPMC names its folders. */
function backupId(n: number): string {
  return `{${n.toString(16).padStart(8, '0').toUpperCase()}-1111-4222-8333-444455556666}`;
}

/**
 * A backup whose comment makes its entry ~1.9 KB, under the 2 KiB a folder may add to the index's bound: 10,000 of
 * them list over 16 MiB, what 35,000 ordinary entries (~500 bytes each: 10,000 GPOs backed up hourly) reach.
 */
function inst(n: number): BackupInst {
  return {
    gpoGuid: `{${n.toString(16).padStart(8, '0').toUpperCase()}-AAAA-4BBB-8CCC-DDDDEEEEFFFF}`,
    gpoDomain: 'scale.example',
    gpoDomainGuid: '{11111111-2222-4333-8444-555555555555}',
    gpoDomainController: 'dc1.scale.example',
    backupTime: '2026-12-05T00:00:00',
    id: backupId(n),
    comment: `hourly run ${n} `.padEnd(1400, 'x'),
    gpoDisplayName: `GPO ${n}`,
  };
}

const FOLDERS = 10_000;

describe('a manifest.xml over 16 MiB (issue 18: 10,000 GPOs backed up hourly)', () => {
  it('is listed, verified and added to when the directory holds the folders it lists', async () => {
    const dir = await tempDir('gpmc-large-manifest-');
    const insts = Array.from({ length: FOLDERS }, (_, n) => inst(n));
    await pMap(
      insts,
      async (backup) => {
        await mkdir(join(dir, backup.id));
        await writeFile(join(dir, backup.id, 'bkupInfo.xml'), renderBkupInfoXmlForInst(backup));
      },
      { concurrency: 32 },
    );
    await writeFile(join(dir, 'manifest.xml'), renderManifestXml(null, insts));
    const size = (await stat(join(dir, 'manifest.xml'))).size;
    expect(size).toBeGreaterThan(BACKUP_READ_LIMITS.maxXmlBytes);
    expect(size).toBeLessThan(backupIndexByteLimit(FOLDERS));

    const listed = await readGpmcBackupDirectory(dir);
    expect(listed).toHaveLength(FOLDERS);
    expect(listed.every((entry) => entry.listedInManifest && entry.problem === undefined)).toBe(true);

    const verification = await verifyDirectory(dir);
    expect(verification.problems.filter((p) => p.kind.startsWith('index-'))).toEqual([]);
    expect(verification.unverifiable).toHaveLength(FOLDERS);

    // Another backup: the folder is in place (core renamed it), then core hands the index to the maintainer.
    const next = inst(FOLDERS);
    await mkdir(join(dir, next.id));
    await writeFile(join(dir, next.id, 'bkupInfo.xml'), renderBkupInfoXmlForInst(next));
    const current = await readFile(join(dir, 'manifest.xml'));
    // The maintainer may answer with a string or bytes (core's contract); compared as bytes.
    const updated = Buffer.from(
      await gpmcManifestIndex().update(current, [{ name: next.id, path: join(dir, next.id), indexEntry: next }]),
    );
    // The old bytes stay as they were; the new entry goes before </Backups> (compared with equals(): a 20 MB
    // Buffer through toEqual walks every index as a key).
    const kept = current.length - '</Backups>'.length;
    expect(updated.subarray(0, kept).equals(current.subarray(0, kept))).toBe(true);
    await writeFile(join(dir, 'manifest.xml'), updated);
    const after = await readGpmcBackupDirectory(dir);
    expect(after).toHaveLength(FOLDERS + 1);
    expect(after.find((entry) => entry.id === next.id)).toMatchObject({ listedInManifest: true, hasFolder: true });
  }, 180_000);

  it('is refused with a code when it is bigger than the folders beside it could need', async () => {
    const dir = await tempDir('gpmc-hostile-manifest-');
    const insts = Array.from({ length: 10 }, (_, n) => inst(n));
    for (const backup of insts) {
      await mkdir(join(dir, backup.id));
      await writeFile(join(dir, backup.id, 'bkupInfo.xml'), renderBkupInfoXmlForInst(backup));
    }
    // Ten folders, well-formed, but one entry's comment is 17 MiB: over 16 MiB + 10 × 2 KiB.
    const hostile = insts.map((backup, n) => (n === 0 ? { ...backup, comment: 'x'.repeat(17 * 1024 * 1024) } : backup));
    const manifest = renderManifestXml(null, hostile);
    expect(manifest.length).toBeGreaterThan(backupIndexByteLimit(11));
    await writeFile(join(dir, 'manifest.xml'), manifest);

    await expect(readGpmcBackupDirectory(dir)).rejects.toMatchObject({ code: 'BACKUP_FILE_TOO_LARGE' });
    const verification = await verifyDirectory(dir);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toContainEqual(
      expect.objectContaining({
        kind: 'index-unreadable',
        code: 'INDEX_UNREADABLE',
        detail: expect.stringMatching(/too large .* over the bound of 16797696/),
      }),
    );
    const next = inst(10);
    await mkdir(join(dir, next.id));
    await expect(
      gpmcManifestIndex().update(manifest, [{ name: next.id, path: join(dir, next.id), indexEntry: next }]),
    ).rejects.toMatchObject({ code: 'BACKUP_FILE_TOO_LARGE' });
    // The public parser, which knows no directory, keeps the 16 MiB bound of every XML file.
    expect(() => parseManifestXml(manifest)).toThrow(expect.objectContaining({ code: 'BACKUP_FILE_TOO_LARGE' }));
  }, 60_000);
});
