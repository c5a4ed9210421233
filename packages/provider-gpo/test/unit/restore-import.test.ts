import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { corpusDir, describeCorpus, tempDir } from '@coffer/test-support';
import { parseSddl } from '@coffer/active-directory';
import { createOperationContext } from '@coffer/core';
import type { SecurityPrincipal } from '@coffer/gpmc';
import {
  MigrationPlan,
  emptyMigrationReport,
  migrateIniText,
  migratePreferencesXml,
  migrateSecurityTemplate,
  migrateSettingsFile,
} from '../../src/import/apply-migration.js';
import { parseMigrationTable } from '../../src/import/migration-table.js';
import { relativeName } from '../../src/import/resolve-targets.js';
import { placeGpoLink } from '../../src/restore/gplink-placement.js';
import { gptRelative, loadGpoBackup } from '../../src/restore/load-backup.js';
import { recordedIndexOf } from '../../src/restore/restore-links.js';
import { selectBackups } from '../../src/restore/select-backups.js';
import {
  canonicalFileAcl,
  fileAclSddl,
  fileMaskFromDsMask,
  sysvolAclFromGpoDescriptor,
} from '../../src/restore/sysvol-acl.js';
import { bumpedVersions, versionsFromBackupXml } from '../../src/restore/versions.js';
import { gpmcModel, writeGpmcBackup } from '../gpmc-backup.js';

const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';

describe('versions', () => {
  test('Backup.xml per-side numbers unpack to AD and GPT.INI versions', () => {
    // user: sysvol 2, ad 2; machine: sysvol 7, ad 7 (the nsa-win10-computer corpus backup)
    expect(versionsFromBackupXml(131074, 458759)).toEqual({ ad: (2 << 16) | 7, sysvol: (2 << 16) | 7 });
    expect(versionsFromBackupXml((3 << 16) | 1, (9 << 16) | 4)).toEqual({ ad: (1 << 16) | 4, sysvol: (3 << 16) | 9 });
  });
  test('each side goes one above the highest of live and backup, AD and SYSVOL alike', () => {
    expect(bumpedVersions({ ad: (2 << 16) | 7, sysvol: 9 }, { ad: 3, sysvol: 3 })).toEqual({
      versions: { ad: (3 << 16) | 10, sysvol: (3 << 16) | 10 },
      wrapped: false,
    });
    expect(bumpedVersions({ ad: 0, sysvol: 0 }, { ad: 0, sysvol: 0 }).versions.ad).toBe((1 << 16) | 1);
    expect(bumpedVersions({ ad: 0xffff, sysvol: 0 }, { ad: 0, sysvol: 0 })).toEqual({
      versions: { ad: (1 << 16) | 1, sysvol: (1 << 16) | 1 },
      wrapped: true,
    });
  });
});

describe('link placement', () => {
  const dn = (id: string) => `cn=${id},cn=policies,cn=system,DC=x`;
  const entry = (id: string, options = 0) => ({ gpoId: id, gpoDn: dn(id), options });
  test('an existing link keeps its place and gets the recorded options', () => {
    const next = placeGpoLink(
      [entry('{A}'), entry('{B}', 1)],
      { gpoId: '{B}', gpoDn: dn('{B}'), enabled: true, enforced: true, recordedIndex: 0 },
      () => undefined,
    );
    expect(next.map((e) => [e.gpoId, e.options])).toEqual([
      ['{A}', 0],
      ['{B}', 2],
    ]);
  });
  test('one missing link goes back at its recorded position', () => {
    const next = placeGpoLink(
      [entry('{X}'), entry('{Y}')],
      { gpoId: '{G}', gpoDn: dn('{G}'), enabled: false, enforced: false, recordedIndex: 1 },
      () => undefined,
    );
    expect(next.map((e) => [e.gpoId, e.options])).toEqual([
      ['{X}', 0],
      ['{G}', 1],
      ['{Y}', 0],
    ]);
  });
  test('all links of a container restored in any order rebuild the original order', () => {
    const original = ['{A}', '{B}', '{C}', '{D}'];
    const recorded = new Map(original.map((id, index) => [id, index]));
    for (const order of [
      ['{D}', '{B}', '{A}', '{C}'],
      ['{C}', '{A}', '{D}', '{B}'],
      ['{A}', '{B}', '{C}', '{D}'],
    ]) {
      let links: ReturnType<typeof entry>[] = [];
      for (const id of order)
        links = placeGpoLink(
          links,
          { gpoId: id, gpoDn: dn(id), enabled: true, enforced: false, recordedIndex: recorded.get(id)! },
          (other) => (other === id ? undefined : recorded.get(other)),
        );
      expect(links.map((l) => l.gpoId)).toEqual(original);
    }
  });
  test('GPMC order 1 is the last entry of gPLink', () => {
    expect(recordedIndexOf({ order: 1, linksOnContainer: 4 })).toBe(3);
    expect(recordedIndexOf({ order: 4, linksOnContainer: 4 })).toBe(0);
  });
});

describe('SYSVOL ACL derived from the GPO DACL (Samba dsacl2fsacl)', () => {
  test('the default GPO DACL gives the ACL sysvolreset writes', () => {
    const ds = parseSddl(
      'O:DAG:DAD:P(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)(A;CI;LCRPLORC;;;AU)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;CI;LCRPLORC;;;ED)(OD;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;S-1-5-21-1-2-3-1103)(A;CI;LCRPLORC;;;S-1-5-32-554)',
      { domainSid: DOMAIN, rootDomainSid: DOMAIN },
    );
    // What samba-tool ntacl sysvolreset stored for a seeded GPO (read with samba-tool ntacl get), deny and Pre-Windows 2000 dropped.
    const samba = parseSddl(
      'O:DAG:DAD:P(A;OICI;0x001f01ff;;;DA)(A;OICI;0x001f01ff;;;EA)(A;OICIIO;0x001f01ff;;;CO)(A;OICI;0x001f01ff;;;DA)(A;OICI;0x001f01ff;;;SY)(A;OICI;0x001200a9;;;AU)(OA;OICI;;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;OICI;0x001200a9;;;ED)',
      { domainSid: DOMAIN, rootDomainSid: DOMAIN },
    );
    const derived = sysvolAclFromGpoDescriptor(ds);
    expect(fileAclSddl(derived)).toBe(fileAclSddl(samba));
    expect(fileAclSddl(derived)).toContain(`(A;OICI;0x001f01ff;;;${DOMAIN}-512)`);
    expect(canonicalFileAcl(derived)).toBe(canonicalFileAcl(samba));
  });
  test('masks: read property + list → read/execute, write property → write, standard rights kept', () => {
    expect(fileMaskFromDsMask(0x14)).toBe(0x1200a9 & ~0x20000); // RP|LC without RC
    expect(fileMaskFromDsMask(0x20094)).toBe(0x1200a9);
    expect(fileMaskFromDsMask(0xf01ff)).toBe(0x1f01ff);
    expect(fileMaskFromDsMask(0x100)).toBe(0); // control access has no file meaning
  });
});

describe('migration tables', () => {
  const ns = 'http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable';
  const table = (body: string) =>
    `<?xml version="1.0" encoding="utf-16"?><MigrationTable xmlns="${ns}">${body}</MigrationTable>`;
  test('GPMC’s format, UTF-16 with BOM, every destination kind', () => {
    const xml = table(
      '<Mapping><Type>User</Type><Source>SRC\\alice</Source><Destination>DST\\alice2</Destination></Mapping>' +
        '<Mapping><Type>GlobalGroup</Type><Source>SRC\\Ops</Source><DestinationSameAsSource /></Mapping>' +
        '<Mapping><Type>Unknown</Type><Source>S-1-5-21-1-2-3-1000</Source><DestinationNone /></Mapping>' +
        '<Mapping><Type>UniversalGroup</Type><Source>ops@src.example</Source><DestinationByRelativeName /></Mapping>' +
        '<Mapping><Type>UNCPath</Type><Source>\\\\old\\share</Source><Destination>\\\\new\\share</Destination></Mapping>',
    );
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    expect(parseMigrationTable(bytes, 't').map((m) => [m.index, m.type, m.source, m.destination.kind])).toEqual([
      [1, 'User', 'SRC\\alice', 'set'],
      [2, 'GlobalGroup', 'SRC\\Ops', 'same-as-source'],
      [3, 'Unknown', 'S-1-5-21-1-2-3-1000', 'none'],
      [4, 'UniversalGroup', 'ops@src.example', 'by-relative-name'],
      [5, 'UNCPath', '\\\\old\\share', 'set'],
    ]);
    expect(parseMigrationTable(table(''), 'empty')).toEqual([]);
  });
  test.each([
    ['not XML', '<MigrationTable', /not well-formed/],
    ['another root', `<Other xmlns="${ns}"/>`, /root element is not <MigrationTable>/],
    ['another namespace', '<MigrationTable xmlns="http://www.microsoft.com/GroupPolicy/Types"/>', /namespace/],
    [
      "a DOCTYPE (read through core's safe reader)",
      `<?xml version="1.0"?><!DOCTYPE MigrationTable [<!ENTITY a "b">]><MigrationTable xmlns="${ns}"/>`,
      /carries a DOCTYPE/,
    ],
    [
      'a prefixed root',
      `<mt:MigrationTable xmlns:mt="${ns}"/>`,
      /root element is not <MigrationTable> \(found mt:MigrationTable\)/,
    ],
    [
      'a comment before the root',
      `<!-- <Other> --><MigrationTable xmlns="${ns}"><Mapping><Type>User</Type><Destination>b</Destination></Mapping></MigrationTable>`,
      /mapping #1 has no <Source>/,
    ],
    [
      'an unknown type',
      table('<Mapping><Type>Group</Type><Source>a</Source><Destination>b</Destination></Mapping>'),
      /mapping #1 \(a\) has the type "Group"/,
    ],
    [
      'no source',
      table('<Mapping><Type>User</Type><Destination>b</Destination></Mapping>'),
      /mapping #1 has no <Source>/,
    ],
    [
      'an empty destination',
      table('<Mapping><Type>User</Type><Source>a</Source><Destination></Destination></Mapping>'),
      /empty <Destination>/,
    ],
    [
      'two destinations',
      table('<Mapping><Type>User</Type><Source>a</Source><Destination>b</Destination><DestinationNone/></Mapping>'),
      /exactly one/,
    ],
    [
      'a UNC path dropped',
      table('<Mapping><Type>UNCPath</Type><Source>\\\\a\\b</Source><DestinationNone/></Mapping>'),
      /only be mapped to a path/,
    ],
    [
      'a UNC source typed as a user',
      table('<Mapping><Type>User</Type><Source>\\\\a\\b</Source><Destination>x</Destination></Mapping>'),
      /use the type UNCPath/,
    ],
    [
      'the same source twice',
      table(
        '<Mapping><Type>User</Type><Source>a</Source><Destination>b</Destination></Mapping><Mapping><Type>User</Type><Source>A</Source><Destination>c</Destination></Mapping>',
      ),
      /same source as mapping #1/,
    ],
  ])('%s is refused with a message naming the problem', (_name, xml, message) => {
    expect(() => parseMigrationTable(xml, 'bad.migtable')).toThrow(message);
  });
});

describe('applying a migration table to settings', () => {
  const sources: SecurityPrincipal[] = [
    {
      sid: 'S-1-5-21-9-9-9-1105',
      samAccountName: 'Helpdesk',
      type: 'GlobalGroup',
      netbiosDomainName: 'SRC',
      dnsDomainName: 'src.example',
      upn: 'Helpdesk@src.example',
      fromDacl: false,
    },
  ];
  const mappings = parseMigrationTable(
    `<MigrationTable xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable">` +
      '<Mapping><Type>GlobalGroup</Type><Source>SRC\\Helpdesk</Source><Destination>DST\\Support</Destination></Mapping>' +
      '<Mapping><Type>Unknown</Type><Source>S-1-5-21-9-9-9-1200</Source><DestinationNone /></Mapping>' +
      '<Mapping><Type>UNCPath</Type><Source>\\\\old\\share</Source><Destination>\\\\new\\files</Destination></Mapping>' +
      '</MigrationTable>',
    't',
  );
  const plan = new MigrationPlan(
    mappings,
    sources,
    new Map([[1, { sid: 'S-1-5-21-7-7-7-2001', name: 'DST\\Support' }]]),
  );

  test('GptTmpl.inf: a SID known by its backed-up name is replaced, a mapped-to-none SID dropped, the rest kept byte for byte', () => {
    const inf =
      '[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\nSeBackupPrivilege = *S-1-5-32-544,*S-1-5-21-9-9-9-1105\r\nSeDebugPrivilege = *S-1-5-32-544\r\nSeTcbPrivilege = *S-1-5-21-9-9-9-1200\r\n[Group Membership]\r\n*S-1-5-21-9-9-9-1105__Memberof = *S-1-5-32-544\r\n*S-1-5-21-9-9-9-1200__Members =\r\n*S-1-5-21-9-9-9-3000__Members = *S-1-5-21-9-9-9-1105\r\n';
    const report = emptyMigrationReport();
    const out = migrateSecurityTemplate(inf, plan, report);
    expect(out).toBe(
      '[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\nSeBackupPrivilege = *S-1-5-32-544,*S-1-5-21-7-7-7-2001\r\nSeDebugPrivilege = *S-1-5-32-544\r\nSeTcbPrivilege = \r\n[Group Membership]\r\n*S-1-5-21-7-7-7-2001__Memberof = *S-1-5-32-544\r\n*S-1-5-21-9-9-9-3000__Members = *S-1-5-21-7-7-7-2001\r\n',
    );
    expect(report).toMatchObject({ principalsReplaced: 3, principalsRemoved: 2 });
    expect([...report.unmappedPrincipals]).toEqual(['S-1-5-21-9-9-9-3000']);
  });

  test('GptTmpl.inf bytes (UTF-16LE with BOM) stay identical when nothing applies', () => {
    // As secedit writes it: UTF-16LE with a BOM, CRLF; principals the table does not name.
    const inf =
      '[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n[Privilege Rights]\r\nSeBackupPrivilege = *S-1-5-32-544\r\nSeDenyNetworkLogonRight = *S-1-5-21-1-2-3-500,*S-1-5-32-546\r\n[Group Membership]\r\n*S-1-5-32-544__Members = *S-1-5-21-1-2-3-512\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(inf, 'utf16le')]);
    expect(
      migrateSettingsFile(
        'Machine/microsoft/windows nt/SecEdit/GptTmpl.inf',
        bytes,
        plan,
        emptyMigrationReport(),
      ).equals(bytes),
    ).toBe(true);
  });

  test('Preferences XML: members by sid + name, removal of a member mapped to none, UNC paths in attributes', () => {
    const xml =
      '<Groups><Group name="Administrators (built-in)"><Properties groupSid="S-1-5-32-544" groupName="Administrators (built-in)"><Members>' +
      '<Member name="SRC\\Helpdesk" action="ADD" sid="S-1-5-21-9-9-9-1105"/><Member name="SRC\\Old" action="ADD" sid="S-1-5-21-9-9-9-1200"/><Member name="SRC\\Other" action="ADD" sid=""/>' +
      '</Members></Properties></Group><Drive name="X:"><Properties path="\\\\old\\share\\team" label="a &amp; b"/></Drive></Groups>';
    const report = emptyMigrationReport();
    expect(migratePreferencesXml(xml, plan, report)).toBe(
      '<Groups><Group name="Administrators (built-in)"><Properties groupSid="S-1-5-32-544" groupName="Administrators (built-in)"><Members>' +
        '<Member name="DST\\Support" action="ADD" sid="S-1-5-21-7-7-7-2001"/><Member name="SRC\\Other" action="ADD" sid=""/>' +
        '</Members></Properties></Group><Drive name="X:"><Properties path="\\\\new\\files\\team" label="a &amp; b"/></Drive></Groups>',
    );
    expect(report).toMatchObject({ principalsReplaced: 1, principalsRemoved: 1, uncPathsReplaced: 1 });
    expect([...report.unmappedPrincipals]).toEqual(['SRC\\Other']);
  });

  test('folder redirection and scripts: SID keys and UNC values', () => {
    const report = emptyMigrationReport();
    const fdeploy =
      '[FolderStatus]\r\nMy Documents=11\r\n[My Documents]\r\nS-1-5-21-9-9-9-1105=\\\\old\\share\\%USERNAME%\r\nS-1-1-0=\\\\elsewhere\\docs\r\n';
    expect(migrateIniText(fdeploy, plan, report, true)).toBe(
      '[FolderStatus]\r\nMy Documents=11\r\n[My Documents]\r\nS-1-5-21-7-7-7-2001=\\\\new\\files\\%USERNAME%\r\nS-1-1-0=\\\\elsewhere\\docs\r\n',
    );
    expect([...report.unmappedUncPaths]).toEqual(['\\\\elsewhere\\docs']);
    expect(plan.unc('\\\\OLD\\Share')).toBe('\\\\new\\files');
    expect(plan.unc('\\\\old\\shared')).toBeNull();
  });

  test('by-relative-name takes the account name from any source form', () => {
    expect(['SRC\\ops', 'ops@src.example', 'ops'].map(relativeName)).toEqual(['ops', 'ops', 'ops']);
  });
});

const context = () => createOperationContext();

// Real GPMC output as input: the corpus tier.
describeCorpus('reading the backups GPMC wrote', () => {
  test('every GPMC corpus backup loads, checked against its own inventory; listed empty folders are kept', async () => {
    const corpus = corpusDir();
    for (const set of ['nsa-win10-computer', 'nsa-win10-user', 'nsa-emet', 'disa-win10-user', 'gpostudio-mixedcse']) {
      const [entry] = await selectBackups(join(corpus, set), {});
      const backup = await loadGpoBackup(entry!.folder, context(), { unverified: true });
      expect(backup.verifiedBy).toBe('gpmc-inventory');
      expect(backup.extras).toBeNull();
      expect(backup.gpt.some((e) => e.path === 'Machine' && e.kind === 'directory')).toBe(true);
    }
    const [computer] = await selectBackups(join(corpus, 'nsa-win10-computer'), {
      gpo: 'DoD Windows 10 STIG - Computer (SHB v10.1.0)',
    });
    const loaded = await loadGpoBackup(computer!.folder, context(), { unverified: true });
    // Listed in Backup.xml but not kept by the repository the corpus came from (git drops empty folders).
    expect(loaded.gpt.find((e) => e.path === 'Machine/Scripts/Startup')).toEqual({
      path: 'Machine/Scripts/Startup',
      kind: 'directory',
      size: 0,
    });
    // gpostudio's descriptor was sanitised upstream: fine for import, noted for restore.
    const [studio] = await selectBackups(join(corpus, 'gpostudio-mixedcse'), {});
    expect((await loadGpoBackup(studio!.folder, context(), { unverified: true })).descriptor).toBeNull();
  });
});

describe('reading backups before a restore or import', () => {
  const emetLike = gpmcModel({ backupId: '{80964350-C490-47D0-B252-2CB780B7A223}', displayName: 'EMET Settings' });
  const files = {
    'Machine/registry.pol': 'PReg\x01\x00\x00\x00',
    'Machine/microsoft/windows nt/SecEdit/GptTmpl.inf': 'x',
  };

  test('a GPMC-layout backup loads, checked against its own inventory', async () => {
    const folder = await writeGpmcBackup(await tempDir('coffer-gpo-unit-'), emetLike, files);
    // Without --unverified nothing vouches for a GPMC backup: refused before anything is read into memory.
    await expect(loadGpoBackup(folder, context())).rejects.toMatchObject({
      code: 'BACKUP_UNVERIFIED',
      hresult: 0x800b0100,
    });
    const backup = await loadGpoBackup(folder, context(), { unverified: true });
    expect(backup.verifiedBy).toBe('gpmc-inventory');
    expect(backup.extras).toBeNull();
    expect(
      backup.gpt
        .filter((e) => e.kind === 'file')
        .map((e) => e.path)
        .sort(),
    ).toEqual(Object.keys(files).sort());
  });

  test('a GPMC backup with a listed file missing, or an unlisted file added, is refused', async () => {
    const folder = await writeGpmcBackup(await tempDir('coffer-gpo-unit-'), emetLike, files);
    await writeFile(join(folder, 'DomainSysvol', 'GPO', 'Machine', 'extra.txt'), 'x');
    await expect(loadGpoBackup(folder, context(), { unverified: true })).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      message: expect.stringMatching(/does not list: Machine\/extra.txt/),
    });
    await rm(join(folder, 'DomainSysvol', 'GPO', 'Machine', 'extra.txt'));
    await rm(join(folder, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'));
    await expect(loadGpoBackup(folder, context(), { unverified: true })).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      message: expect.stringMatching(/lacks 1 file/),
    });
  });

  test('choosing backups: by id, by GPO name or GUID (newest), unknown names', async () => {
    const emet = await tempDir('coffer-gpo-unit-');
    await writeGpmcBackup(emet, emetLike, files);
    expect((await selectBackups(emet, { backupId: '80964350-c490-47d0-b252-2cb780b7a223' }))[0]!.id).toBe(
      '{80964350-C490-47D0-B252-2CB780B7A223}',
    );
    await expect(selectBackups(emet, { gpo: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(selectBackups(emet, { backupId: '{00000000-0000-0000-0000-000000000000}' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(gptRelative('DomainSysvol\\GPO\\Machine\\registry.pol')).toBe('Machine/registry.pol');
    // A `..`, absolute or drive location is an edited backup: refused, not skipped.
    for (const hostile of ['DomainSysvol\\GPO\\..\\x', 'C:\\Windows\\x', '\\\\server\\share\\x', '/etc/shadow'])
      expect(() => gptRelative(hostile)).toThrow(expect.objectContaining({ code: 'BACKUP_PATH_INVALID' }));
  });
});
