import { chmod, cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { connectLdap, parseSecurityDescriptor, SecurityInformation } from '@coffer/active-directory';
import {
  runBackup,
  runList,
  verifyDirectory,
  type BackupOutput,
  type OperationResult,
  type ProgressReport,
} from '@coffer/core';
import {
  formatGpmcHex,
  parseBackupXml,
  parseBkupInfoXml,
  parseGpReportXml,
  parseManifestXml,
  toGpmcDaclOnlyDescriptor,
  unpackBackupSideVersion,
} from '@coffer/gpmc';
import { GPO_EXTRAS_FILE, parseGpoExtras } from '../../src/extras/gpo-extras.js';
import provider from '../../src/index.js';
import { connection, domain, tempDir } from './helpers.js';

const seed = domain.seed!;

async function backupAll(transport: 'smb' | 'local', extra: Record<string, unknown> = {}) {
  const destination = await tempDir();
  const reports: ProgressReport[] = [];
  const result = await runBackup(provider, {
    destination,
    comment: 'nightly <&> "quoted" ]]> done',
    options: connection({ all: true, ...(transport === 'local' ? { sysvol: domain.sysvolPath } : {}), ...extra }),
    onProgress: (r) => reports.push({ ...r }),
  });
  return { destination, result, reports };
}

function expectSucceeded(result: OperationResult<BackupOutput>): BackupOutput {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(['succeeded', 'succeeded-with-warnings']).toContain(result.status);
  return result.output!;
}

// With the SACL asked for, as Windows' GPMC reads it: Samba drops SE_SACL_AUTO_INHERITED from a DACL-only answer.
async function readDescriptorFromLdap(dn: string): Promise<Buffer> {
  const ldap = await connectLdap({
    host: domain.dcHostname,
    caFile: domain.caFile,
    bindName: `${domain.adminUser}@${domain.dnsDomain}`,
    password: domain.adminPassword,
  });
  try {
    const [entry] = await ldap.search(dn, {
      scope: 'base',
      attributes: ['nTSecurityDescriptor'],
      sdFlags:
        SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl | SecurityInformation.Sacl,
      paged: false,
    });
    return entry!.nTSecurityDescriptor as Buffer;
  } finally {
    await ldap.close();
  }
}

describe.each(['smb', 'local'] as const)(
  'every seeded GPO round-trips into a GPMC backup (SYSVOL over %s)',
  (transport) => {
    test('SYSVOL bytes, identity, flags, versions, extensions, DACL, WMI filter, links, comment', async () => {
      const { destination, result, reports } = await backupAll(transport);
      const output = expectSucceeded(result);
      const seededGpoCount = seed.gpos.length;
      expect(output.backups.length).toBeGreaterThanOrEqual(seededGpoCount);

      // Progress names GPOs and files, and stays bounded.
      expect(reports.some((r) => r.item?.includes('registry.pol'))).toBe(true);
      expect(reports.at(-1)!.completed).toBe(reports.at(-1)!.total);

      const manifest = parseManifestXml(await readFile(join(destination, 'manifest.xml')));
      expect(manifest.backups.map((b) => b.id).sort()).toEqual(output.backups.map((b) => b.id).sort());

      for (const gpo of seed.gpos) {
        const backup = output.backups.find((b) => b.objectId?.toUpperCase() === gpo.guid.toUpperCase());
        expect(backup, `a backup of ${gpo.displayName}`).toBeDefined();
        const folder = backup!.path;
        // Every SYSVOL file byte for byte, GPT.INI and Adm excepted.
        for (const file of gpo.files) {
          const lower = file.path.toLowerCase();
          const copied = join(folder, 'DomainSysvol', 'GPO', ...file.path.split('/'));
          if (lower === 'gpt.ini' || lower.startsWith('adm/')) {
            await expect(readFile(copied)).rejects.toThrow();
            continue;
          }
          expect(
            (await readFile(copied)).equals(await readFile(join(gpo.sysvolFolder, ...file.path.split('/')))),
            `${gpo.displayName}: ${file.path}`,
          ).toBe(true);
        }
        const info = parseBkupInfoXml(await readFile(join(folder, 'bkupInfo.xml')));
        expect(info.gpoGuid.toUpperCase()).toBe(gpo.guid.toUpperCase());
        expect(info.gpoDisplayName).toBe(gpo.displayName);
        expect(info.comment).toBe('nightly <&> "quoted" ]]> done');
        expect(info.gpoDomain).toBe(domain.dnsDomain);

        const xml = parseBackupXml(await readFile(join(folder, 'Backup.xml')));
        const core = xml.core;
        expect(core.displayName).toBe(gpo.displayName);
        expect(core.options).toBe(gpo.flags);
        expect(unpackBackupSideVersion(core.userVersionNumber).ad).toBe(gpo.userVersion);
        expect(unpackBackupSideVersion(core.machineVersionNumber).ad).toBe(gpo.machineVersion);
        expect(core.machineExtensionNames).toBe(gpo.machineExtensionNames ?? '');
        expect(core.userExtensionNames).toBe(gpo.userExtensionNames ?? '');
        const live = await readDescriptorFromLdap(gpo.dn);
        expect(formatGpmcHex(core.securityDescriptor)).toBe(
          formatGpmcHex(toGpmcDaclOnlyDescriptor(parseSecurityDescriptor(live))),
        );
        // GPMC's DACL-only form, checked byte by byte against the DC's descriptor (not through the function under test):
        // header 01 00, owner/group/SACL offsets 0, DACL at 0x14 with the live DACL's bytes unchanged, and
        // SE_SACL_PRESENT, SE_OWNER_DEFAULTED and SE_GROUP_DEFAULTED dropped with the parts they describe.
        const written = Buffer.from(core.securityDescriptor);
        const liveBytes = Buffer.from(live);
        expect(Array.from(written.subarray(0, 2))).toEqual([1, 0]);
        expect(written.subarray(4, 20).toString('hex')).toBe('00000000000000000000000014000000');
        const daclOffset = liveBytes.readUInt32LE(16);
        expect(
          written
            .subarray(20)
            .equals(liveBytes.subarray(daclOffset, daclOffset + liveBytes.readUInt16LE(daclOffset + 2))),
        ).toBe(true);
        expect(written.readUInt16LE(2)).toBe((liveBytes.readUInt16LE(2) & ~0x13) >>> 0);
        if (gpo.wmiFilter) {
          expect(core.wmiFilter).toContain(gpo.wmiFilter.guid);
          expect(core.wmiFilterLink?.name).toBe(gpo.wmiFilter.name);
        }

        const extras = parseGpoExtras(await readFile(join(folder, GPO_EXTRAS_FILE), 'utf8'), GPO_EXTRAS_FILE);
        expect(extras.gpo.displayName).toBe(gpo.displayName);
        expect(extras.securityDescriptor.saclIncluded).toBe(true);
        expect(
          parseSecurityDescriptor(Buffer.from(extras.securityDescriptor.hex.replace(/ /g, ''), 'hex')).owner,
        ).toBeDefined();
        expect(extras.links.map((l) => [l.somDn.toLowerCase(), l.enabled, l.enforced]).sort()).toEqual(
          gpo.links.map((l) => [l.containerDn.toLowerCase(), l.enabled, l.enforced]).sort(),
        );
        if (gpo.wmiFilter) {
          const seeded = seed.wmiFilters.find((f) => f.guid.toUpperCase() === gpo.wmiFilter!.guid.toUpperCase())!;
          expect(extras.wmiFilter).toMatchObject({
            name: seeded.name,
            description: seeded.description,
            parm2: seeded.parm2,
          });
          expect(extras.wmiFilter!.queries.map((q) => q.query)).toEqual(seeded.queries.map((q) => q.query));
        }
        const reportBytes = await readFile(join(folder, 'gpreport.xml'));
        expect([...reportBytes.subarray(0, 2)]).toEqual([0xff, 0xfe]); // UTF-16LE with BOM, as GPMC writes it
        const report = parseGpReportXml(reportBytes);
        expect(report.gpoId.toUpperCase()).toBe(gpo.guid.toUpperCase());
        expect(report.name).toBe(gpo.displayName);
        expect(report.domain).toBe(domain.dnsDomain);
        expect(report.sddl).toMatch(/^O:.*G:.*D:/);
        expect(report.computer.versionDirectory).toBe(gpo.machineVersion);
        expect(report.user.versionDirectory).toBe(gpo.userVersion);
        expect(report.computer.enabled).toBe((gpo.flags & 2) === 0);
        expect(report.user.enabled).toBe((gpo.flags & 1) === 0);
        expect(report.links.map((l) => [l.enabled, l.noOverride]).sort()).toEqual(
          gpo.links.map((l) => [l.enabled, l.enforced]).sort(),
        );
        expect(report.createdTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      }
      const verification = await verifyDirectory(destination);
      expect(verification.ok).toBe(true);
      expect(verification.backups).toHaveLength(output.backups.length);
    });
  },
);

describe('names that XML and file systems find hard', () => {
  test('a Unicode display name and one containing ]]> survive into every GPMC file', async () => {
    const tricky = seed.gpos.filter((g) => /[^\x20-\x7e]/.test(g.displayName) || g.displayName.includes(']]>'));
    expect(tricky.length).toBeGreaterThanOrEqual(2);
    const destination = await tempDir();
    const result = await runBackup(provider, {
      destination,
      options: connection({ gpo: tricky.map((g) => g.displayName) }),
    });
    const output = expectSucceeded(result);
    for (const gpo of tricky) {
      const backup = output.backups.find((b) => b.objectName === gpo.displayName)!;
      expect(parseBackupXml(await readFile(join(backup.path, 'Backup.xml'))).core.displayName).toBe(gpo.displayName);
      expect(parseBkupInfoXml(await readFile(join(backup.path, 'bkupInfo.xml'))).gpoDisplayName).toBe(gpo.displayName);
    }
    const listed = await runList(provider, { source: destination, query: tricky[0]!.displayName });
    expect(listed.output!.map((l) => l.objectName)).toEqual([tricky[0]!.displayName]);
  });
});

describe('a backup directory used again', () => {
  test('adding backups keeps the existing manifest entries, and list shows newest first', async () => {
    const destination = await tempDir();
    const [first, second] = seed.gpos;
    const one = expectSucceeded(
      await runBackup(provider, { destination, options: connection({ gpo: [first!.guid] }) }),
    );
    // BackupTime has whole seconds (GPMC's format): a second backup within the same second would tie with the first.
    await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
    const two = expectSucceeded(
      await runBackup(provider, { destination, options: connection({ gpo: [second!.guid, first!.displayName] }) }),
    );
    const manifest = parseManifestXml(await readFile(join(destination, 'manifest.xml')));
    expect(manifest.backups.map((b) => b.id).sort()).toEqual([...one.backups, ...two.backups].map((b) => b.id).sort());
    const listed = (await runList(provider, { source: destination, query: first!.guid })).output!;
    expect(listed).toHaveLength(2);
    expect(listed[0]!.id).toBe(two.backups.find((b) => b.objectId === first!.guid)!.id);
  });

  test('two backups racing into one directory: one wins, the other is refused, the manifest stays whole', async () => {
    const destination = await tempDir();
    const results = await Promise.all(
      [0, 1].map(() =>
        runBackup(provider, {
          destination,
          options: connection({ gpo: [seed.gpos[0]!.guid], sysvol: domain.sysvolPath }),
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 'failed').length).toBeLessThanOrEqual(1);
    for (const failed of results.filter((r) => r.status === 'failed'))
      expect(failed.error?.code).toBe('DESTINATION_LOCKED');
    const manifest = parseManifestXml(await readFile(join(destination, 'manifest.xml')));
    const succeeded = results.filter((r) => r.status !== 'failed').flatMap((r) => r.output!.backups.map((b) => b.id));
    expect(manifest.backups.map((b) => b.id).sort()).toEqual(succeeded.sort());
    expect((await verifyDirectory(destination)).ok).toBe(true);
  });
});

describe('a SYSVOL that does not match Active Directory', () => {
  test('a GPO without a SYSVOL folder and one with two case-differing folders are reported and skipped; the rest are backed up', async () => {
    // A copy of the DC's SYSVOL, read as a local path: one GPO's folder removed, another's duplicated in lower case.
    const sysvol = await tempDir();
    const policies = join(sysvol, domain.dnsDomain, 'Policies');
    await cp(join(domain.sysvolPath, domain.dnsDomain, 'Policies'), policies, { recursive: true });
    const [missing, twin, kept] = seed.gpos;
    await rm(join(policies, missing!.guid.toUpperCase()), { recursive: true });
    await cp(join(policies, twin!.guid.toUpperCase()), join(policies, twin!.guid.toLowerCase()), { recursive: true });

    const destination = await tempDir();
    const result = await runBackup(provider, { destination, options: connection({ all: true, sysvol }) });
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    const byCode = (code: string) => result.messages.filter((message) => message.code === code);
    expect(byCode('GPT_NOT_FOUND').map((message) => message.object)).toEqual([
      `${missing!.displayName} ${missing!.guid}`,
    ]);
    expect(byCode('GPT_AMBIGUOUS').map((message) => message.object)).toEqual([`${twin!.displayName} ${twin!.guid}`]);
    expect(byCode('GPT_AMBIGUOUS')[0]!.message).toContain(twin!.guid.toLowerCase());

    const backedUp = result.output!.backups.map((backup) => backup.objectId!.toUpperCase());
    expect(backedUp).not.toContain(missing!.guid.toUpperCase());
    expect(backedUp).not.toContain(twin!.guid.toUpperCase());
    expect(backedUp).toContain(kept!.guid.toUpperCase());
    const manifest = parseManifestXml(await readFile(join(destination, 'manifest.xml')));
    expect(manifest.backups.map((backup) => backup.gpoGuid.toUpperCase()).sort()).toEqual([...backedUp].sort());
    expect((await readdir(destination)).filter((name) => name.startsWith('.coffer-staging-'))).toEqual([]);
    expect((await verifyDirectory(destination)).ok).toBe(true);
  });
});

describe('bad input gets a clear error and writes nothing', () => {
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['an unknown GPO name', () => connection({ gpo: ['No Such GPO anywhere'] }), 'NOT_FOUND'],
    [
      'wrong credentials',
      () => connection({ gpo: [seed.gpos[0]!.guid], password: 'wrong-password-1' }),
      'AD_LOGON_FAILURE',
    ],
    [
      'a DC that does not answer',
      () => connection({ gpo: [seed.gpos[0]!.guid], dc: 'localhost' }),
      'AD_SERVER_UNREACHABLE',
    ],
  ];
  test.each(cases)('%s', async (_name, options, code) => {
    const destination = await tempDir();
    const result = await runBackup(provider, { destination, options: options() });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe(code);
    expect(result.error?.message.length).toBeGreaterThan(10);
    expect(await readdir(destination)).toEqual([]);
  });

  test('a missing target directory', async () => {
    const destination = join(await tempDir(), 'missing');
    const result = await runBackup(provider, { destination, options: connection({ all: true }) });
    expect(result.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003 });
  });

  test('a password file others can read is still used, with a warning; a missing one is an error', async () => {
    const dir = await tempDir();
    const file = join(dir, 'pw');
    await writeFile(file, `${domain.adminPassword}\n`);
    await chmod(file, 0o600);
    const destination = await tempDir();
    const { password: _omit, ...withoutPassword } = connection({ gpo: [seed.gpos[0]!.guid], passwordFile: file });
    expectSucceeded(await runBackup(provider, { destination, options: withoutPassword }));
    const missing = await runBackup(provider, {
      destination: await tempDir(),
      options: { ...withoutPassword, passwordFile: join(dir, 'nope') },
    });
    expect(missing.status).toBe('failed');
  });
});
