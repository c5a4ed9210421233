/**
 * Restore against the real Samba DC over both transports: every seeded Starter GPO backed up, deleted from the
 * DC's disk, restored, and backed up again (the two backups agree in everything but ids and times); a restore
 * over a Starter GPO that still exists; a cancel mid-restore; a tampered backup refused before SYSVOL is touched;
 * a domain that lost its StarterGPOs folder. The DC's StarterGPOs folder is put back after each test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runBackup, runRestore, type BackupRecord } from '@coffer/core';
import { parseBkupInfoXml } from '@coffer/gpmc';
import provider from '../../src/index.js';
import { parseStarterGpoExtras } from '../../src/backup/starter-gpo-extras.js';
import { parseStarterGpoTemplate } from '../../src/template/starter-gpo-template.js';
import { aclOnDisk, connectionOptions, folderOnDisk, testDomain, type Transport } from '../helpers/real-dc.js';
import {
  putBackStarterGpos,
  saveStarterGpos,
  starterGposNames,
  starterGposRoot,
  type SavedStarterGpos,
} from '../helpers/starter-gpo-state.js';

const run = promisify(execFile);
let saved: SavedStarterGpos;
let out: string;

beforeAll(async () => {
  saved = await saveStarterGpos();
});

afterAll(async () => {
  await putBackStarterGpos(saved);
});

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-restore-'));
});

afterEach(async () => {
  await putBackStarterGpos(saved);
  await rm(out, { recursive: true, force: true });
});

function customStarter() {
  return testDomain().seed!.starterGpos.find(
    (s) =>
      s.typeName === 'Custom' &&
      s.files.some((f) => f.path.startsWith('User/')) &&
      s.files.some((f) => f.path.startsWith('Machine/')),
  )!;
}

async function backUp(transport: Transport, destination: string, starterGpo?: string): Promise<BackupRecord[]> {
  const result = await runBackup(provider, {
    destination,
    options: {
      ...connectionOptions(transport),
      ...(starterGpo === undefined ? { all: true } : { starterGpo: [starterGpo] }),
    },
  });
  expect(result.status, JSON.stringify(result.messages)).toBe('succeeded');
  return result.output!.backups;
}

/** Everything a backup says about its Starter GPO, minus what differs between two backups of the same state. */
async function comparableBackup(record: BackupRecord): Promise<Record<string, unknown>> {
  const { id: _id, backupTime: _time, ...inst } = parseBkupInfoXml(await readFile(join(record.path, 'bkupInfo.xml')));
  const extras = parseStarterGpoExtras(
    await readFile(join(record.path, 'coffer-starter-gpo-extras.json'), 'utf8'),
    'extras',
  );
  const copy = await folderOnDisk(join(record.path, 'DomainSysvol', 'GPO'));
  return {
    inst,
    extras,
    dirs: copy.dirs,
    files: Object.fromEntries([...copy.files].map(([path, bytes]) => [path, bytes.toString('base64')])),
  };
}

describe.each<Transport>(['smb', 'local'])('restore over %s', (transport) => {
  it('backs up every seeded Starter GPO, deletes them, restores them; a second backup equals the first', async () => {
    const dc = testDomain();
    const first = await backUp(transport, out);
    expect(first.map((b) => b.objectId).sort()).toEqual(dc.seed!.starterGpos.map((s) => s.guid).sort());
    const firstBackups = new Map<string, Record<string, unknown>>();
    for (const record of first) firstBackups.set(record.objectId!, await comparableBackup(record));

    for (const starter of dc.seed!.starterGpos) await rm(starter.sysvolFolder, { recursive: true, force: true });
    const progress: number[] = [];
    const restored = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions(transport), all: true },
      onProgress: (report) => progress.push(report.completed),
    });
    expect(restored.status, JSON.stringify(restored.messages)).toBe('succeeded');
    expect(restored.output!.restored.map((r) => r.objectId).sort()).toEqual(first.map((b) => b.objectId).sort());
    expect(restored.output!.counts).toMatchObject({ starterGpos: first.length, created: first.length, replaced: 0 });
    for (const record of restored.output!.restored)
      expect(first.find((b) => b.objectId === record.objectId)!.id).toBe(record.fromBackupId);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    // On the DC's own disk: every file and folder byte for byte, the ACL as backed up, nothing else left over.
    for (const folder of saved.folders) {
      const now = await folderOnDisk(join(starterGposRoot(), folder.name));
      expect(now.dirs).toEqual(folder.dirs);
      expect([...now.files.keys()].sort()).toEqual([...folder.files.keys()].sort());
      for (const [path, bytes] of folder.files) expect(now.files.get(path)!.equals(bytes), path).toBe(true);
      expect(await aclOnDisk(join(starterGposRoot(), folder.name))).toBe(folder.acl);
    }
    expect(await starterGposNames()).toEqual(saved.folders.map((f) => f.name).sort());

    const second = await mkdtemp(join(tmpdir(), 'coffer-sg-restore-again-'));
    try {
      for (const record of await backUp(transport, second))
        expect(await comparableBackup(record), record.objectName).toEqual(firstBackups.get(record.objectId!));
    } finally {
      await rm(second, { recursive: true, force: true });
    }
  });

  it('restores over a Starter GPO that still exists: content replaced, versions raised, unknown elements and the backed-up ACL kept', async () => {
    const starter = customStarter();
    const tmplxPath = join(starter.sysvolFolder, 'StarterGPO.tmplx');
    const original = await readFile(tmplxPath, 'utf8');
    // An element this package does not know goes into the backup, and must come back out.
    await writeFile(
      tmplxPath,
      original.replace('</StarterGPO>', '  <FutureElement keep="yes">x ✓</FutureElement>\r\n</StarterGPO>'),
    );
    const [backup] = await backUp(transport, out, starter.guid);
    const backedUpTmplx = await readFile(join(backup!.path, 'DomainSysvol', 'GPO', 'StarterGPO.tmplx'));
    const backedUpAcl = await aclOnDisk(starter.sysvolFolder);

    // The live one drifts: a new file, changed bytes, a higher computer version, another ACL.
    await writeFile(join(starter.sysvolFolder, 'Machine', 'added later.txt'), 'not in the backup');
    await writeFile(join(starter.sysvolFolder, 'Machine', 'registry.pol'), 'PReg\u0001\u0000\u0000\u0000');
    await writeFile(
      tmplxPath,
      original.replace(/<ComputerVersion>\d+<\/ComputerVersion>/, '<ComputerVersion>7</ComputerVersion>'),
    );
    const otherAcl = 'O:DAG:DAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;DA)';
    await run('samba-tool', ['ntacl', 'set', '-s', testDomain().smbConfPath, otherAcl, starter.sysvolFolder]);
    expect(await aclOnDisk(starter.sysvolFolder)).not.toBe(backedUpAcl);

    const before = Date.now();
    const restored = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions(transport), starterGpo: starter.displayName },
    });
    expect(restored.status, JSON.stringify(restored.messages)).toBe('succeeded');
    expect(restored.output!.counts).toMatchObject({ starterGpos: 1, replaced: 1, created: 0 });
    expect(restored.messages.find((m) => m.code === 'STARTER_GPO_RESTORED')?.message).toContain(
      'replacing the existing one',
    );

    const now = await folderOnDisk(starter.sysvolFolder);
    const truth = saved.folders.find((f) => f.name === starter.guid)!;
    expect([...now.files.keys()].sort()).toEqual([...truth.files.keys()].sort());
    for (const [path, bytes] of truth.files)
      if (path !== 'StarterGPO.tmplx') expect(now.files.get(path)!.equals(bytes), path).toBe(true);
    expect(now.dirs).toEqual(truth.dirs);
    expect(await aclOnDisk(starter.sysvolFolder)).toBe(backedUpAcl);

    const written = parseStarterGpoTemplate(now.files.get('StarterGPO.tmplx')!);
    expect(written.computerVersion).toBe(Math.max(7, starter.computerVersion) + 1);
    expect(written.userVersion).toBe(starter.userVersion + 1);
    expect(written.starterGpoVersion).toBe(starter.starterGpoVersion);
    expect(written.unknownElements.map((e) => e.raw)).toEqual(['<FutureElement keep="yes">x ✓</FutureElement>']);
    const modified = Date.parse(`${written.modifiedTime}Z`);
    expect(modified).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // Apart from the three raised elements, the tmplx is the backed-up one byte for byte.
    const strip = (text: string) => text.replace(/<(ComputerVersion|UserVersion|ModifiedTime)>[^<]*<\/\1>/g, '<$1/>');
    expect(strip(now.files.get('StarterGPO.tmplx')!.toString('utf8'))).toBe(strip(backedUpTmplx.toString('utf8')));
    expect(await starterGposNames()).toEqual(saved.folders.map((f) => f.name).sort());
  });

  it('a cancel mid-restore leaves the existing Starter GPO exactly as it was, and no staging folder', async () => {
    const starter = customStarter();
    await backUp(transport, out, starter.guid);
    await writeFile(join(starter.sysvolFolder, 'Machine', 'registry.pol'), 'changed since the backup');
    const live = await folderOnDisk(starter.sysvolFolder);
    const liveAcl = await aclOnDisk(starter.sysvolFolder);

    const controller = new AbortController();
    const cancelled = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions(transport), starterGpo: starter.guid },
      signal: controller.signal,
      onProgress: (report) => {
        if (report.phase === 'restoring Starter GPOs' && report.completed >= 2) controller.abort();
      },
    });
    expect(cancelled.status, JSON.stringify(cancelled.messages)).toBe('cancelled');
    expect(cancelled.error).toMatchObject({ code: 'CANCELLED', hresult: HRESULT.ERROR_CANCELLED });
    const after = await folderOnDisk(starter.sysvolFolder);
    expect(after.dirs).toEqual(live.dirs);
    expect([...after.files.keys()].sort()).toEqual([...live.files.keys()].sort());
    for (const [path, bytes] of live.files) expect(after.files.get(path)!.equals(bytes), path).toBe(true);
    expect(await aclOnDisk(starter.sysvolFolder)).toBe(liveAcl);
    expect(await starterGposNames()).toEqual(saved.folders.map((f) => f.name).sort());
  });

  it('a tampered backup, or one whose integrity manifest is gone, is refused before SYSVOL is touched', async () => {
    const starter = customStarter();
    const [backup] = await backUp(transport, out, starter.guid);
    await rm(starter.sysvolFolder, { recursive: true, force: true });
    const names = await starterGposNames();

    const pol = join(backup!.path, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol');
    const bytes = await readFile(pol);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(pol, bytes);
    const tampered = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions(transport), backupId: backup!.id },
    });
    expect(tampered.status).toBe('failed');
    expect(tampered.error).toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: backup!.path,
    });
    expect(tampered.error!.message).toContain('Machine/registry.pol');
    expect(await starterGposNames()).toEqual(names);

    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(pol, bytes);
    await rm(join(backup!.path, 'coffer-manifest.json'));
    const unsealed = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions(transport), backupId: backup!.id },
    });
    expect(unsealed.error).toMatchObject({ code: 'MANIFEST_MISSING', hresult: HRESULT.ERROR_FILE_CORRUPT });
    expect(await starterGposNames()).toEqual(names);
  });

  it('re-creates the StarterGPOs folder when the domain has none', async () => {
    const starter = customStarter();
    const [backup] = await backUp(transport, out, starter.guid);
    const root = starterGposRoot();
    const hidden = `${root}.hidden-by-restore-test`;
    await rename(root, hidden);
    try {
      const restored = await runRestore(provider, {
        source: out,
        options: { ...connectionOptions(transport), backupId: backup!.id },
      });
      expect(restored.status, JSON.stringify(restored.messages)).toBe('succeeded');
      expect(restored.messages.some((m) => m.code === 'STARTER_GPOS_FOLDER_CREATED')).toBe(true);
      expect(await starterGposNames()).toEqual([starter.guid]);
      const now = await folderOnDisk(join(root, starter.guid));
      const truth = saved.folders.find((f) => f.name === starter.guid)!;
      for (const [path, bytes] of truth.files) expect(now.files.get(path)!.equals(bytes), path).toBe(true);
      expect(now.dirs).toEqual(truth.dirs);
    } finally {
      await rm(root, { recursive: true, force: true });
      await rename(hidden, root);
    }
  });
});
