import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BACKUP_READ_LIMITS, BackupReader, backupIndexByteLimit } from '../../src/index.js';
import { backupIndexIds, readBackupIndex, removeFromBackupIndex } from '../../src/retention/backup-index.js';
import { tempDir } from '../helpers.js';

const id = (n: number) => `{${n.toString(16).padStart(8, '0').toUpperCase()}-1111-4222-8333-444455556666}`;

/** A `<Backups>` index of `count` entries whose comments make each ~1.9 KB (under the 2 KiB a folder may add). */
function index(count: number, comment = (n: number) => `run ${n} `.padEnd(1800, 'x')): string {
  const entries = Array.from(
    { length: count },
    (_, n) => `<BackupInst><ID><![CDATA[${id(n)}]]></ID><Comment><![CDATA[${comment(n)}]]></Comment></BackupInst>`,
  );
  return `<Backups xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest">${entries.join('')}</Backups>`;
}

describe("a directory's index over 16 MiB (issue 18)", () => {
  test('prune reads and edits it within a bound that grows with the directory', async () => {
    const dir = await tempDir('coffer-large-index-');
    const count = 9_500;
    for (let n = 0; n < count; n++) await mkdir(join(dir, id(n)));
    await writeFile(join(dir, 'manifest.xml'), index(count));
    const read = await readBackupIndex(await BackupReader.open(dir), 'manifest.xml');
    expect(read!.bytes.length).toBeGreaterThan(BACKUP_READ_LIMITS.maxXmlBytes);
    expect(read!.maxChars).toBe(backupIndexByteLimit(count + 1));
    // Without the directory's bound, the 16 MiB bound of any XML file refuses it (what failed at 10,000 GPOs × 7).
    expect(() => backupIndexIds(read!.bytes, 'manifest.xml')).toThrow(
      expect.objectContaining({ code: 'BACKUP_FILE_TOO_LARGE' }),
    );
    // Every even backup goes (4,750 ids, given in lower case without braces: compared as GUIDs).
    const gone = Array.from({ length: count / 2 }, (_, n) =>
      id(2 * n)
        .slice(1, -1)
        .toLowerCase(),
    );
    const updated = removeFromBackupIndex(read!.bytes, gone, 'manifest.xml', read!.maxChars);
    const left = backupIndexIds(updated, 'manifest.xml', read!.maxChars);
    expect(left).toHaveLength(count / 2);
    expect(left.slice(0, 3)).toEqual([1, 3, 5].map(id));
  }, 120_000);

  test('an index bigger than its directory could need is refused before it is read', async () => {
    const dir = await tempDir('coffer-hostile-index-');
    for (let n = 0; n < 10; n++) await mkdir(join(dir, id(n)));
    await writeFile(
      join(dir, 'manifest.xml'),
      index(10, (n) => (n === 0 ? 'x'.repeat(17 * 1024 * 1024) : '')),
    );
    await expect(readBackupIndex(await BackupReader.open(dir), 'manifest.xml')).rejects.toMatchObject({
      code: 'BACKUP_FILE_TOO_LARGE',
    });
  });
});
