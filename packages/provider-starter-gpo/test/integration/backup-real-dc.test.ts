/**
 * Every seeded Starter GPO of a real Samba DC, through both transports: files and folders byte for byte
 * against the DC's disk, identity against the seed, the folder ACL against samba-tool, the domain GUID
 * against sam.ldb; and the cabinet of each opens in gcab and cabextract with the same bytes.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBackup, runCommand, runList, verifyDirectory } from '@coffer/core';
import { parseBkupInfoXml, parseManifestXml } from '@coffer/gpmc';
import provider from '../../src/index.js';
import { parseStarterGpoExtras } from '../../src/backup/starter-gpo-extras.js';
import { cabinetNameOf } from '../../src/cab/cabinet-names.js';
import { ensureCabTools, gcabNames, runTool } from '@coffer/test-support';
import {
  aclOnDisk,
  connectionOptions,
  domainGuidOnDisk,
  folderOnDisk,
  testDomain,
  type Transport,
} from '../helpers/real-dc.js';
import { EXTRA_EMPTY_FOLDER, EXTRA_STARTER_FILES } from '../setup/test-domain.js';

let out: string;

beforeAll(async () => {
  await ensureCabTools();
}, 300_000);

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-it-'));
});

afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('domain facts', () => {
  it('reads the domain name from the DC when --domain is left out, and a local SYSVOL with a DC records the domain GUID', async () => {
    const dc = testDomain();
    const { domain: _domain, ...smb }: Record<string, unknown> = {
      ...connectionOptions('smb'),
      user: `${dc.adminUser}@${dc.dnsDomain}`,
    };
    const starter = dc.seed!.starterGpos[0]!;
    const result = await runBackup(provider, {
      destination: out,
      options: { ...smb, sysvol: dc.sysvolPath, smbConf: dc.smbConfPath, starterGpo: [starter.guid] },
    });
    expect(result.status, JSON.stringify(result.messages)).toBe('succeeded');
    const [backup] = result.output!.backups;
    const inst = parseBkupInfoXml(await readFile(join(backup!.path, 'bkupInfo.xml')));
    expect(inst).toMatchObject({
      gpoDomain: dc.dnsDomain,
      gpoDomainGuid: await domainGuidOnDisk(),
      gpoDomainController: dc.dcHostname,
    });
    const extras = parseStarterGpoExtras(
      await readFile(join(backup!.path, 'coffer-starter-gpo-extras.json'), 'utf8'),
      'extras',
    );
    expect(extras.source).toEqual({ domain: dc.dnsDomain, domainController: dc.dcHostname, transport: 'local' });
  });

  it('reaches LDAP with StartTLS as well as LDAPS', async () => {
    const starter = testDomain().seed!.starterGpos[0]!;
    const result = await runBackup(provider, {
      destination: out,
      options: { ...connectionOptions('smb'), ldapSecurity: 'starttls', starterGpo: [starter.guid] },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    expect(result.output!.backups.map((b) => b.objectId)).toEqual([starter.guid]);
  });

  it('refuses a --domain the DC does not serve', async () => {
    const dc = testDomain();
    const options = {
      ...connectionOptions('smb'),
      user: `${dc.netbiosDomain}\\${dc.adminUser}`,
      domain: 'other.test',
      all: true,
    };
    const result = await runBackup(provider, { destination: out, options });
    expect(result.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(result.error!.message).toContain(testDomain().dnsDomain);
    expect(await readdir(out)).toEqual([]);
  });
});

describe.each<Transport>(['smb', 'local'])('over %s', (transport) => {
  it('backs up every seeded Starter GPO: files, folders, identity and ACL round-trip', async () => {
    const dc = testDomain();
    const seeded = dc.seed!.starterGpos;
    expect(seeded.length).toBeGreaterThanOrEqual(3);
    const result = await runBackup(provider, {
      destination: out,
      options: { ...connectionOptions(transport), all: true },
      comment: `it ${transport}`,
    });
    expect(result.status, JSON.stringify(result.messages)).toBe('succeeded');
    expect(result.messages.filter((m) => m.severity !== 'info')).toEqual([]);
    // With a local path and no DC, GPODomainGuid stays empty, and an info says so.
    expect(result.messages.some((m) => m.code === 'NO_DOMAIN_CONTROLLER')).toBe(transport === 'local');
    expect(result.output!.backups.map((b) => b.objectId).sort()).toEqual(seeded.map((s) => s.guid).sort());

    const domainGuid = await domainGuidOnDisk();
    for (const starter of seeded) {
      const backup = result.output!.backups.find((b) => b.objectId === starter.guid)!;
      expect(backup.objectName).toBe(starter.displayName);
      const truth = await folderOnDisk(starter.sysvolFolder);
      const copy = await folderOnDisk(join(backup.path, 'DomainSysvol', 'GPO'));
      expect([...copy.files.keys()].sort()).toEqual([...truth.files.keys()].sort());
      for (const [path, bytes] of truth.files) expect(copy.files.get(path)!.equals(bytes), path).toBe(true);
      expect(copy.dirs).toEqual(truth.dirs);

      const inst = parseBkupInfoXml(await readFile(join(backup.path, 'bkupInfo.xml')));
      expect(inst).toMatchObject({
        gpoGuid: starter.guid,
        gpoDomain: dc.dnsDomain,
        gpoDomainGuid: transport === 'smb' ? domainGuid : '',
        gpoDomainController: transport === 'smb' ? dc.dcHostname : '',
        gpoDisplayName: starter.displayName,
        comment: `it ${transport}`,
      });
      const extras = parseStarterGpoExtras(
        await readFile(join(backup.path, 'coffer-starter-gpo-extras.json'), 'utf8'),
        'extras',
      );
      expect(extras.starterGpo).toMatchObject({
        id: starter.guid,
        displayName: starter.displayName,
        description: starter.description,
        author: starter.author,
        product: starter.product,
        type: starter.typeName,
        computerVersion: starter.computerVersion,
        userVersion: starter.userVersion,
        starterGpoVersion: starter.starterGpoVersion,
        languages: starter.localizedLanguages,
      });
      expect(extras.source.transport).toBe(transport);
      expect(extras.acl?.sddl).toBe(await aclOnDisk(starter.sysvolFolder));
    }

    const custom = seeded.find(
      (s) =>
        s.typeName === 'Custom' &&
        s.files.some((f) => f.path.startsWith('User/')) &&
        s.files.some((f) => f.path.startsWith('Machine/')),
    )!;
    const customCopy = await folderOnDisk(
      join(result.output!.backups.find((b) => b.objectId === custom.guid)!.path, 'DomainSysvol', 'GPO'),
    );
    for (const [path, text] of Object.entries(EXTRA_STARTER_FILES))
      expect(customCopy.files.get(path)?.toString('utf8'), path).toBe(text);
    expect(customCopy.dirs).toContain(EXTRA_EMPTY_FOLDER);

    const manifest = parseManifestXml(await readFile(join(out, 'manifest.xml')));
    expect(manifest.backups).toHaveLength(seeded.length);
    expect((await verifyDirectory(out)).backups.flatMap((b) => b.problems)).toEqual([]);
    const listed = await runList(provider, { source: out });
    expect(listed.output!.map((l) => l.objectName).sort()).toEqual(seeded.map((s) => s.displayName).sort());
  });

  it('backs up one Starter GPO by its Unicode display name, another by GUID, into a directory that already has backups', async () => {
    const seeded = testDomain().seed!.starterGpos;
    const unicode = seeded.find((s) => /[^\x00-\x7f]/.test(s.displayName))!;
    const other = seeded.find((s) => s !== unicode)!;
    const first = await runBackup(provider, {
      destination: out,
      options: { ...connectionOptions(transport), starterGpo: [unicode.displayName.toUpperCase()] },
    });
    expect(first.output!.backups.map((b) => b.objectId)).toEqual([unicode.guid]);
    const second = await runBackup(provider, {
      destination: out,
      options: { ...connectionOptions(transport), starterGpo: [other.guid.toLowerCase()] },
    });
    expect(second.output!.backups.map((b) => b.objectId)).toEqual([other.guid]);
    const manifest = parseManifestXml(await readFile(join(out, 'manifest.xml')));
    expect(manifest.backups.map((b) => b.gpoGuid)).toEqual([unicode.guid, other.guid]);
    expect((await readdir(out)).filter((n) => n.startsWith('{'))).toHaveLength(2);
  });

  it('saves each Starter GPO as a cabinet that gcab and cabextract open with the same bytes', async () => {
    for (const starter of testDomain().seed!.starterGpos) {
      const cabFile = join(out, `${starter.guid}.cab`);
      const result = await runCommand(provider, 'save-cab', {
        options: { ...connectionOptions(transport), starterGpo: starter.guid, out: cabFile },
      });
      expect(result.status, JSON.stringify(result.error)).not.toBe('failed');
      const truth = await folderOnDisk(starter.sysvolFolder);
      const expectedNames = [...[...truth.files.keys()].map(cabinetNameOf), 'Report.html'].sort();
      expect(await gcabNames(cabFile)).toEqual(expectedNames);
      expect((await runTool('cabextract', ['-t', cabFile])).stdout).toContain('All done, no errors');
      for (const tool of ['gcab', 'cabextract'] as const) {
        const into = await mkdtemp(join(out, `${tool}-`));
        if (tool === 'gcab') await runTool('gcab', ['-x', '-C', into, cabFile]);
        else await runTool('cabextract', ['-q', '-d', into, cabFile]);
        for (const [path, bytes] of truth.files)
          expect((await readFile(join(into, cabinetNameOf(path)))).equals(bytes), `${tool} ${path}`).toBe(true);
      }
    }
  });
});
