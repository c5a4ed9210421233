import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { corpusDir, describeCorpus, snapshotTree } from '@coffer/test-support';
import { runCommand, type OperationResult, type CommandOutput } from '@coffer/core';
import { parseBackupXml } from '@coffer/gpmc';
import provider, { type GpoImportResult } from '../../src/index.js';
import { writeForeignBackup } from '../gpmc-backup.js';
import { adminLdap, createScratchGpo, deleteGpoCompletely, gptFolder, gpoDn, snapshotDomain } from './gpo-fixtures.js';
import { connection, domain, tempDir } from './helpers.js';

const CORPUS_SETS = ['nsa-win10-computer', 'nsa-win10-user', 'nsa-emet', 'disa-win10-user', 'gpostudio-mixedcse'];

function imported(result: OperationResult<CommandOutput>): GpoImportResult {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  return result.output!.data as GpoImportResult;
}

async function containerOf(guid: string) {
  const ldap = await adminLdap();
  try {
    const [entry] = await ldap.search(gpoDn(guid), {
      scope: 'base',
      attributes: [
        'displayName',
        'versionNumber',
        'gPCMachineExtensionNames',
        'gPCUserExtensionNames',
        'nTSecurityDescriptor',
      ],
      sdFlags: 7,
      paged: false,
    });
    return entry!;
  } finally {
    await ldap.close();
  }
}

function migtable(mappings: string): Buffer {
  const xml = `<?xml version="1.0" encoding="utf-16"?>\r\n<MigrationTable xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable">\r\n${mappings}</MigrationTable>\r\n`;
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

// Real GPMC backups imported as they are: the corpus tier.
describeCorpus('importing every GPMC corpus backup into a fresh GPO', () => {
  test.each(CORPUS_SETS)(
    '%s: the GPT holds the backup’s files byte for byte; the GPO keeps its name and permissions',
    async (set) => {
      const corpus = corpusDir();
      const target = await createScratchGpo(
        `Import Target ${set}`,
        { 'Machine/registry.pol': 'PReg\x01\x00\x00\x00old settings', 'Adm/custom.adm': 'kept' },
        { ad: 5, sysvol: 5 },
      );
      try {
        const before = await containerOf(target.guid);
        const result = await runCommand(provider, 'import', {
          options: connection({ unverified: true, from: join(corpus, set), targetGpo: target.displayName }),
        });
        const output = imported(result);
        expect(output.target.id).toBe(target.guid);
        const [backupFolder] = (await readdir(join(corpus, set))).filter((n) => n.startsWith('{'));
        const backupTree = await snapshotTree(join(corpus, set, backupFolder!, 'DomainSysvol', 'GPO'));
        const gpt = await snapshotTree(gptFolder(target.guid));
        for (const [path, hash] of Object.entries(backupTree)) expect(gpt[path], `${set}: ${path}`).toBe(hash);
        // Nothing of the old settings survives except GPT.INI and the Adm folder, which import leaves alone.
        const extra = Object.keys(gpt).filter(
          (p) => !(p in backupTree) && p !== 'GPT.INI' && !p.startsWith('Adm/') && !p.endsWith('/'),
        );
        expect(extra).toEqual([]);
        expect(await readFile(join(gptFolder(target.guid), 'Adm', 'custom.adm'), 'utf8')).toBe('kept');
        const after = await containerOf(target.guid);
        expect(after.displayName).toBe(before.displayName);
        expect((after.nTSecurityDescriptor as Buffer).equals(before.nTSecurityDescriptor as Buffer)).toBe(true);
        const core = await backupCore(set);
        expect(String(after.gPCMachineExtensionNames ?? '')).toBe(core.machineExtensionNames);
        expect(String(after.gPCUserExtensionNames ?? '')).toBe(core.userExtensionNames);
        expect(Number(after.versionNumber)).toBe(output.versions.ad);
        expect(await readFile(join(gptFolder(target.guid), 'GPT.INI'), 'latin1')).toContain(
          `Version=${output.versions.sysvol}\r\n`,
        );
        expect(output.versions.ad & 0xffff).toBeGreaterThan(5);
      } finally {
        await deleteGpoCompletely(target.guid);
      }
    },
  );
});

async function backupCore(set: string) {
  const [folder] = (await readdir(join(corpusDir(), set))).filter((n) => n.startsWith('{'));
  return parseBackupXml(await readFile(join(corpusDir(), set, folder!, 'Backup.xml'))).core;
}

describe('migration tables', () => {
  test('a principal and a UNC path are mapped into the target domain (GPP Groups.xml and Drives.xml)', async () => {
    const finance = domain.seed!.groups.find((g) => g.name === 'Finance Users')!;
    const target = await createScratchGpo('Import With Migration');
    const dir = await tempDir();
    const table = join(dir, 'prod.migtable');
    await writeFile(
      table,
      migtable(
        '<Mapping><Type>Unknown</Type><Source>S-1-5-21-0000000000-0000000000-0000000000-4674</Source><Destination>' +
          `${domain.netbiosDomain}\\Finance-Users</Destination></Mapping>\r\n` +
          '<Mapping><Type>UNCPath</Type><Source>\\\\filesrv\\replace-mixed</Source><Destination>\\\\files.prod\\home</Destination></Mapping>\r\n',
      ),
    );
    try {
      const output = imported(
        await runCommand(provider, 'import', {
          options: connection({
            unverified: true,
            from: await writeForeignBackup(await tempDir()),
            targetGpo: target.guid,
            migrationTable: table,
            migrationTableOnly: true,
          }),
        }),
      );
      expect(output.migration).toMatchObject({
        principalsReplaced: 1,
        uncPathsReplaced: 1,
        unmappedPrincipals: [],
        unmappedUncPaths: [],
      });
      const groups = await readFile(
        join(gptFolder(target.guid), 'Machine', 'Preferences', 'Groups', 'Groups.xml'),
        'utf8',
      );
      expect(groups).toContain(
        `<Member name="${domain.netbiosDomain}\\Finance-Users" action="ADD" sid="${finance.sid}"/>`,
      );
      expect(groups).not.toContain('4674');
      const drives = await readFile(
        join(gptFolder(target.guid), 'User', 'Preferences', 'Drives', 'Drives.xml'),
        'utf8',
      );
      expect(drives).toContain('path="\\\\files.prod\\home"');
      // Everything else in the file is untouched.
      expect(drives).toContain('label="Ünïcödé &lt;&quot;&amp;&gt; label"');
    } finally {
      await deleteGpoCompletely(target.guid);
    }
  });

  test('with migrationTableOnly, an unmapped domain principal refuses the import and changes nothing', async () => {
    const target = await createScratchGpo('Import Strict');
    const dir = await tempDir();
    const table = join(dir, 'partial.migtable');
    await writeFile(
      table,
      migtable(
        '<Mapping><Type>UNCPath</Type><Source>\\\\filesrv\\replace-mixed</Source><DestinationSameAsSource /></Mapping>\r\n',
      ),
    );
    try {
      const before = await snapshotDomain();
      const result = await runCommand(provider, 'import', {
        options: connection({
          unverified: true,
          from: await writeForeignBackup(await tempDir()),
          targetGpo: target.guid,
          migrationTable: table,
          migrationTableOnly: true,
        }),
      });
      expect(result.error).toMatchObject({ code: 'MIGRATION_UNMAPPED' });
      expect(result.error?.message).toContain('S-1-5-21-0000000000-0000000000-0000000000-4674');
      expect(await snapshotDomain()).toEqual(before);
    } finally {
      await deleteGpoCompletely(target.guid);
    }
  });

  test('a mapping to an account the domain does not have is refused before anything changes', async () => {
    const target = await createScratchGpo('Import Bad Table');
    const dir = await tempDir();
    const table = join(dir, 'bad.migtable');
    await writeFile(
      table,
      migtable(
        `<Mapping><Type>GlobalGroup</Type><Source>HRAENET\\lab-admins</Source><Destination>${domain.netbiosDomain}\\No-Such-Group</Destination></Mapping>\r\n`,
      ),
    );
    try {
      const before = await snapshotDomain();
      const result = await runCommand(provider, 'import', {
        options: connection({
          unverified: true,
          from: await writeForeignBackup(await tempDir()),
          targetGpo: target.guid,
          migrationTable: table,
        }),
      });
      expect(result.error).toMatchObject({ code: 'MIGRATION_TABLE_INVALID' });
      expect(result.error?.message).toMatch(/No-Such-Group does not exist/);
      expect(await snapshotDomain()).toEqual(before);
    } finally {
      await deleteGpoCompletely(target.guid);
    }
  });
});

describe('import refuses what it cannot do', () => {
  test('an unknown target GPO', async () => {
    const result = await runCommand(provider, 'import', {
      options: connection({
        unverified: true,
        from: await writeForeignBackup(await tempDir()),
        targetGpo: 'No Such GPO Anywhere',
      }),
    });
    expect(result.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});
