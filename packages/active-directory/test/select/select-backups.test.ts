import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@coffer/test-support';
import { selectBackups, type SelectableBackup } from '../../src/index.js';

const KIOSK = '{AAAAAAAA-0000-0000-0000-000000000001}';
const BROWSER = '{AAAAAAAA-0000-0000-0000-000000000002}';
const words = { noun: 'Starter GPO', listCommand: 'coffer list starter-gpo --from <dir>', choiceHint: 'Pass one.' };

/** Entries newest first, as gpmc's searchBackups gives them; folders under `dir`. */
function entries(dir: string): SelectableBackup[] {
  const entry = (n: number, gpoGuid: string, displayName: string, problem?: SelectableBackup['problem']) => {
    const id = `{BBBBBBBB-0000-0000-0000-00000000000${n}}`;
    return { id, gpoGuid, displayName, folder: join(dir, id), ...(problem ? { problem } : {}) };
  };
  return [entry(3, KIOSK, 'Kiosk'), entry(2, BROWSER, 'Browser'), entry(1, KIOSK, 'Kiosk')];
}

/** The selector over `list`, which the listing gives for the directory its folders are in (and nothing elsewhere). */
const choose = (source: string, list: SelectableBackup[], choice: Parameters<typeof selectBackups>[2]) =>
  selectBackups(source, async (directory) => list.filter((e) => dirname(e.folder) === directory), choice, words);

describe('selectBackups', () => {
  it('takes one backup by id (braces and case free), the newest of one object by name or GUID, or the newest of each', async () => {
    const dir = await tempDir();
    const list = entries(dir);
    expect((await choose(dir, list, { backupId: 'bbbbbbbb-0000-0000-0000-000000000001' })).map((e) => e.id)).toEqual([
      list[2]!.id,
    ]);
    expect((await choose(dir, list, { object: ' KIOSK ' })).map((e) => e.id)).toEqual([list[0]!.id]);
    expect((await choose(dir, list, { object: BROWSER.toLowerCase() })).map((e) => e.id)).toEqual([list[1]!.id]);
    expect((await choose(dir, list, { all: true })).map((e) => e.id)).toEqual([list[0]!.id, list[1]!.id]);
  });

  it('with no choice takes the newest backup only when one object has backups; otherwise asks (INVALID_ARGUMENT)', async () => {
    const dir = await tempDir();
    const list = entries(dir);
    await expect(choose(dir, list, {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', hint: 'Pass one.' });
    const kioskOnly = list.filter((e) => e.gpoGuid === KIOSK);
    expect((await choose(dir, kioskOnly, {})).map((e) => e.id)).toEqual([list[0]!.id]);
  });

  it('says NOT_FOUND for an unknown id or object and for a directory without backups, AMBIGUOUS for a shared name', async () => {
    const dir = await tempDir();
    const list = entries(dir);
    await expect(choose(dir, list, { backupId: '{00000000-0000-0000-0000-000000000000}' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hresult: 0x80070490,
      hint: "List the backups with 'coffer list starter-gpo --from <dir>'.",
    });
    await expect(choose(dir, list, { object: 'Nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(choose(dir, [], { all: true })).rejects.toThrow(/holds no Starter GPO backup/);
    const twins = [
      ...list,
      {
        ...list[1]!,
        id: '{BBBBBBBB-0000-0000-0000-000000000009}',
        gpoGuid: KIOSK.replace('1}', '9}'),
        displayName: 'browser',
      },
    ];
    await expect(choose(dir, twins, { object: 'Browser' })).rejects.toMatchObject({
      code: 'AMBIGUOUS',
      message: expect.stringContaining('Backups of 2 different Starter GPOs are named "Browser"'),
    });
  });

  it('refuses a damaged entry that may be the backup meant with its own code, never falling back to an older one', async () => {
    const dir = await tempDir();
    const list = entries(dir);
    const damaged = { code: 'BACKUP_FOLDER_MISMATCH', message: 'The folder was swapped.' };
    list[0] = { ...list[0]!, problem: damaged };
    for (const choice of [{ backupId: list[0]!.id }, { object: 'Kiosk' }, { all: true }, {}]) {
      await expect(choose(dir, list, choice)).rejects.toMatchObject({
        code: 'BACKUP_FOLDER_MISMATCH',
        hresult: 0x80070570,
        message: 'The folder was swapped. Nothing was restored.',
        object: list[0]!.folder,
      });
    }
    // A damaged backup of another object is no reason to refuse this one.
    expect((await choose(dir, list, { object: 'Browser' })).map((e) => e.id)).toEqual([list[1]!.id]);
  });

  it('given one backup folder (it holds bkupInfo.xml), considers only that backup', async () => {
    const dir = await tempDir();
    const list = entries(dir);
    const older = list[2]!.folder;
    await mkdir(older);
    await writeFile(join(older, 'bkupInfo.xml'), '<BackupInst/>');
    expect((await choose(older, list, {})).map((e) => e.id)).toEqual([list[2]!.id]);
    expect((await choose(older, list, { object: 'Kiosk' })).map((e) => e.id)).toEqual([list[2]!.id]);
    await expect(choose(older, list, { object: 'Browser' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A folder without bkupInfo.xml is a directory of backups, not one backup.
    await expect(choose(join(dir, 'elsewhere'), list, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
