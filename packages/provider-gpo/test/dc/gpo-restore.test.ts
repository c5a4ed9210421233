import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotTree } from '@coffer/test-support';
import { describe, expect, test } from 'vitest';
import { parseSddl } from '@coffer/active-directory';
import { runBackup, runRestore, type BackupOutput, type OperationResult, type ProgressReport } from '@coffer/core';
import { CHANGE_STATE_FILE, parseBackupXml, parseBkupInfoXml } from '@coffer/gpmc';
import { GPO_EXTRAS_FILE, parseGpoExtras } from '../../src/extras/gpo-extras.js';
import provider from '../../src/index.js';
import { canonicalFileAcl } from '../../src/restore/sysvol-acl.js';
import { writeForeignBackup } from '../gpmc-backup.js';
import {
  adminLdap,
  createScratchGpo,
  deleteGpoCompletely,
  gptFolder,
  gpoDn,
  localAcl,
  snapshotDomain,
} from './gpo-fixtures.js';
import { connection, domain, tempDir } from './helpers.js';

const seed = domain.seed!;

function succeeded<T>(result: OperationResult<T>): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(['succeeded', 'succeeded-with-warnings']).toContain(result.status);
  return result.output!;
}

async function backup(gpos: string[], destination?: string): Promise<BackupOutput & { destination: string }> {
  const dir = destination ?? (await tempDir());
  return {
    ...succeeded(await runBackup(provider, { destination: dir, options: connection({ gpo: gpos }) })),
    destination: dir,
  };
}

const sddlContext = () => ({
  domainSid: domain.seed!.groups[0]!.sid.replace(/-\d+$/, ''),
  rootDomainSid: domain.seed!.groups[0]!.sid.replace(/-\d+$/, ''),
});
const canonical = (sddl: string) => canonicalFileAcl(parseSddl(sddl, sddlContext()));

async function gpLinks(): Promise<Map<string, string>> {
  const ldap = await adminLdap();
  try {
    const entries = [
      ...(await ldap.search(domain.baseDn, { scope: 'sub', filter: '(gPLink=*)', attributes: ['gPLink'] })),
      ...(await ldap.search(`CN=Sites,CN=Configuration,${domain.baseDn}`, {
        scope: 'sub',
        filter: '(gPLink=*)',
        attributes: ['gPLink'],
      })),
    ];
    return new Map(entries.map((e) => [e.dn.toLowerCase(), String(e.gPLink)]));
  } finally {
    await ldap.close();
  }
}

describe('restore of every seeded GPO after it was deleted', () => {
  test('back up, delete (container, GPT, links, WMI filter), restore with links and filter, back up again: the same in every field', async () => {
    const guids = seed.gpos.map((g) => g.guid);
    const first = await backup(guids);
    const linksBefore = await gpLinks();
    const aclsBefore = new Map(
      await Promise.all(seed.gpos.map(async (g) => [g.guid, canonical(await localAcl(g.sysvolFolder))] as const)),
    );

    for (const gpo of seed.gpos)
      await deleteGpoCompletely(gpo.guid, gpo.wmiFilter ? { wmiFilterId: gpo.wmiFilter.guid } : {});
    const reports: ProgressReport[] = [];
    const restored = succeeded(
      await runRestore(provider, {
        source: first.destination,
        options: connection({ all: true, restoreLinks: true, restoreWmiFilter: true }),
        onProgress: (r) => reports.push({ ...r }),
      }),
    );
    expect(restored.restored.map((r) => r.objectId).sort()).toEqual([...guids].sort());
    expect(restored.counts).toMatchObject({ gpos: guids.length, recreated: guids.length, wmiFilters: 1 });
    expect(reports.some((r) => r.item?.includes('registry.pol'))).toBe(true);
    expect(reports.at(-1)!.completed).toBe(reports.at(-1)!.total);

    // Links: every container's gPLink is back, byte for byte and in order.
    expect(await gpLinks()).toEqual(linksBefore);

    const second = await backup(guids);
    for (const gpo of seed.gpos) {
      const a = first.backups.find((b) => b.objectId === gpo.guid)!.path;
      const b = second.backups.find((x) => x.objectId === gpo.guid)!.path;
      // Backup.xml: core settings (DACL, versions, flags, names, extensions, WMI filter), principals, inventory.
      expect(parseBackupXml(await readFile(join(b, 'Backup.xml'))), gpo.displayName).toEqual(
        parseBackupXml(await readFile(join(a, 'Backup.xml'))),
      );
      const { id: _i1, backupTime: _t1, ...infoA } = parseBkupInfoXml(await readFile(join(a, 'bkupInfo.xml')));
      const { id: _i2, backupTime: _t2, ...infoB } = parseBkupInfoXml(await readFile(join(b, 'bkupInfo.xml')));
      expect(infoB).toEqual(infoA);
      expect(await snapshotTree(join(b, 'DomainSysvol'))).toEqual(await snapshotTree(join(a, 'DomainSysvol')));
      const extrasA = parseGpoExtras(await readFile(join(a, GPO_EXTRAS_FILE), 'utf8'), 'a');
      const extrasB = parseGpoExtras(await readFile(join(b, GPO_EXTRAS_FILE), 'utf8'), 'b');
      const timeless = (e: typeof extrasA) => ({ ...e, gpo: { ...e.gpo, whenCreated: '', whenChanged: '' } });
      expect(timeless(extrasB), gpo.displayName).toEqual(timeless(extrasA));
      // The GPT folder ACL is Samba's derivation of the restored DACL (compared as granted access: smbcacls sorts ACEs).
      expect(canonical(await localAcl(gptFolder(gpo.guid))), gpo.displayName).toBe(aclsBefore.get(gpo.guid));
      expect(canonical(await localAcl(join(gptFolder(gpo.guid), 'GPT.INI')))).toBe(aclsBefore.get(gpo.guid));
    }
    // No scratch folders are left beside the GPTs.
    expect(
      (await readdir(join(domain.sysvolPath, domain.dnsDomain, 'Policies'))).filter((n) => n.startsWith('.coffer-')),
    ).toEqual([]);
  });
});

describe('restore over a GPO that still exists', () => {
  test('settings, name and DACL come back; both versions go one above anything used, so clients re-apply', async () => {
    const scratch = await createScratchGpo(
      'Restore Over Live ✓',
      { 'Machine/registry.pol': Buffer.from('PReg\x01\x00\x00\x00original', 'latin1') },
      { ad: 3, sysvol: 3 },
    );
    try {
      const saved = await backup([scratch.guid]);
      // Someone edits the GPO after the backup: new settings, new name, versions moved on.
      await writeFile(join(gptFolder(scratch.guid), 'Machine', 'registry.pol'), 'PReg\x01\x00\x00\x00edited');
      await writeFile(join(gptFolder(scratch.guid), 'Machine', 'stray.txt'), 'added later');
      await writeFile(join(gptFolder(scratch.guid), 'GPT.INI'), '[General]\r\nVersion=9\r\n');
      const ldap = await adminLdap();
      try {
        await ldap.modify(gpoDn(scratch.guid), [
          { operation: 'replace', attribute: 'displayName', values: ['Renamed Meanwhile'] },
          { operation: 'replace', attribute: 'versionNumber', values: [String((2 << 16) | 7)] },
        ]);
      } finally {
        await ldap.close();
      }
      const result = await runRestore(provider, {
        source: saved.destination,
        options: connection({ gpo: scratch.guid }),
      });
      expect(succeeded(result).counts).toMatchObject({ gpos: 1, recreated: 0 });
      expect(result.messages.map((m) => m.code)).toContain('GPO_RESTORED');
      expect(await readFile(join(gptFolder(scratch.guid), 'Machine', 'registry.pol'), 'latin1')).toBe(
        'PReg\x01\x00\x00\x00original',
      );
      await expect(readFile(join(gptFolder(scratch.guid), 'Machine', 'stray.txt'))).rejects.toThrow();
      // user side: max(2, 0, 0, 0) + 1 = 3; machine: max(7, 9, 3, 3) + 1 = 10, in AD and GPT.INI alike.
      const expected = (3 << 16) | 10;
      expect(await readFile(join(gptFolder(scratch.guid), 'GPT.INI'), 'latin1')).toContain(`Version=${expected}\r\n`);
      const ldap2 = await adminLdap();
      try {
        const [entry] = await ldap2.search(gpoDn(scratch.guid), {
          scope: 'base',
          attributes: ['displayName', 'versionNumber'],
          paged: false,
        });
        expect(entry).toMatchObject({ displayName: 'Restore Over Live ✓', versionNumber: String(expected) });
      } finally {
        await ldap2.close();
      }
    } finally {
      await deleteGpoCompletely(scratch.guid);
    }
  });
});

describe('a backup that is not whole is refused before anything in the domain changes', () => {
  const tamperings: Array<[string, (folder: string) => Promise<void>, string]> = [
    [
      'a flipped byte in a settings file',
      async (f) => {
        const file = join(f, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol');
        const bytes = await readFile(file);
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
        await writeFile(file, bytes);
      },
      'INTEGRITY_MISMATCH',
    ],
    [
      'a missing settings file',
      (f) => rm(join(f, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol')),
      'INTEGRITY_MISMATCH',
    ],
    [
      'an edited Backup.xml',
      async (f) => {
        const file = join(f, 'Backup.xml');
        await writeFile(
          file,
          (await readFile(file, 'utf8')).replace('<Options><![CDATA[0]]>', '<Options><![CDATA[3]]>'),
        );
      },
      'INTEGRITY_MISMATCH',
    ],
    [
      'a Coffer backup whose integrity manifest was deleted (even with --unverified)',
      (f) => rm(join(f, 'coffer-manifest.json')),
      'MANIFEST_MISSING',
    ],
    [
      'a GPMC-style backup (no Coffer files) missing a file its Backup.xml lists',
      async (f) => {
        await rm(join(f, 'coffer-manifest.json'));
        await rm(join(f, GPO_EXTRAS_FILE));
        await rm(join(f, CHANGE_STATE_FILE)); // every coffer-* file goes, as GPMC writes none
        await rm(join(f, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'));
      },
      'INTEGRITY_MISMATCH',
    ],
    [
      'a GPMC-style backup (no Coffer files) with a file its Backup.xml does not list',
      async (f) => {
        await rm(join(f, 'coffer-manifest.json'));
        await rm(join(f, GPO_EXTRAS_FILE));
        await rm(join(f, CHANGE_STATE_FILE)); // every coffer-* file goes, as GPMC writes none
        await writeFile(join(f, 'DomainSysvol', 'GPO', 'Machine', 'planted.cmd'), 'echo pwned');
      },
      'INTEGRITY_MISMATCH',
    ],
  ];
  test.each(tamperings)('%s', async (_name, tamper, code) => {
    const scratch = await createScratchGpo('Tamper Target', {
      'Machine/registry.pol': Buffer.from('PReg\x01\x00\x00\x00settings', 'latin1'),
    });
    try {
      const saved = await backup([scratch.guid]);
      await tamper(saved.backups[0]!.path);
      await deleteGpoCompletely(scratch.guid);
      const before = await snapshotDomain();
      // --unverified lets a GPMC-style backup be read at all (its Backup.xml inventory is then what refuses it); it never excuses a Coffer backup.
      const result = await runRestore(provider, {
        source: saved.destination,
        options: connection({ all: true, restoreLinks: true, restoreWmiFilter: true, unverified: true }),
      });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe(code);
      expect(result.error?.message).toMatch(/Nothing was restored/);
      expect(await snapshotDomain()).toEqual(before);
    } finally {
      await deleteGpoCompletely(scratch.guid);
    }
  });

  test('a backup from another domain (GPMC layout, no Coffer extras) is refused: restore is same-domain', async () => {
    const dir = await writeForeignBackup(await tempDir());
    const before = await snapshotDomain();
    const result = await runRestore(provider, { source: dir, options: connection({ all: true, unverified: true }) });
    expect(result.error).toMatchObject({ code: 'DOMAIN_MISMATCH' });
    expect(result.error?.hint).toMatch(/import/);
    expect(await snapshotDomain()).toEqual(before);
  });
});

describe('cancel and GPMC-written backups', () => {
  test('a cancel during the second GPO leaves it as it was, and the messages name the GPO already restored', async () => {
    const one = await createScratchGpo('Cancel First', { 'Machine/registry.pol': 'PReg\x01\x00\x00\x00one' });
    const two = await createScratchGpo('Cancel Second', {
      'Machine/registry.pol': 'PReg\x01\x00\x00\x00two',
      'Machine/Scripts/a.cmd': 'a',
      'Machine/Scripts/b.cmd': 'b',
    });
    try {
      const saved = await backup([one.guid, two.guid]);
      await deleteGpoCompletely(one.guid);
      await deleteGpoCompletely(two.guid);
      const controller = new AbortController();
      const result = await runRestore(provider, {
        source: saved.destination,
        options: connection({ all: true }),
        signal: controller.signal,
        onProgress: (report) => {
          if (report.item?.startsWith('Cancel Second:')) controller.abort();
        },
      });
      expect(result.status).toBe('cancelled');
      const codes = result.messages.map((m) => m.code);
      const firstWasRestored = codes.includes('GPO_RECREATED');
      if (firstWasRestored)
        expect(result.messages.find((m) => m.code === 'RESTORE_INCOMPLETE')?.message).toContain(one.guid);
      const ldap = await adminLdap();
      try {
        expect(await ldap.search(gpoDn(two.guid), { scope: 'base', paged: false }).catch(() => [])).toEqual([]);
      } finally {
        await ldap.close();
      }
      await expect(readdir(gptFolder(two.guid))).rejects.toThrow();
      expect(
        (await readdir(join(domain.sysvolPath, domain.dnsDomain, 'Policies'))).filter((n) => n.startsWith('.coffer-')),
      ).toEqual([]);
    } finally {
      await deleteGpoCompletely(one.guid);
      await deleteGpoCompletely(two.guid);
    }
  });

  test('a backup without Coffer files (as GPMC writes it) restores only with --unverified, without links', async () => {
    const scratch = await createScratchGpo('GPMC Style', { 'User/registry.pol': 'PReg\x01\x00\x00\x00user' });
    try {
      const saved = await backup([scratch.guid]);
      const folder = saved.backups[0]!.path;
      await rm(join(folder, 'coffer-manifest.json'));
      await rm(join(folder, GPO_EXTRAS_FILE));
      await rm(join(folder, CHANGE_STATE_FILE));
      await deleteGpoCompletely(scratch.guid);
      const refused = await runRestore(provider, { source: folder, options: connection({ restoreLinks: true }) });
      expect(refused.error).toMatchObject({ code: 'BACKUP_UNVERIFIED' });
      await expect(readdir(gptFolder(scratch.guid))).rejects.toThrow();
      const result = await runRestore(provider, {
        source: folder,
        options: connection({ restoreLinks: true, unverified: true }),
      });
      expect(succeeded(result).counts).toMatchObject({ gpos: 1, recreated: 1 });
      expect(result.messages.map((m) => m.code)).toEqual(
        expect.arrayContaining(['UNVERIFIED_BACKUP', 'LINKS_NOT_IN_BACKUP']),
      );
      expect(await readFile(join(gptFolder(scratch.guid), 'User', 'registry.pol'), 'latin1')).toBe(
        'PReg\x01\x00\x00\x00user',
      );
      const again = await backup([scratch.guid]);
      expect(parseBackupXml(await readFile(join(again.backups[0]!.path, 'Backup.xml'))).core).toEqual(
        parseBackupXml(await readFile(join(folder, 'Backup.xml'))).core,
      );
    } finally {
      await deleteGpoCompletely(scratch.guid);
    }
  });
});
