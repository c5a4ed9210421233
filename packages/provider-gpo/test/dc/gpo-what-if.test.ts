import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseSecurityDescriptor, serializeSecurityDescriptor, SecurityInformation } from '@coffer/active-directory';
import { runBackup, runCommand, runRestore, type OperationResult, type RestoreOutput } from '@coffer/core';
import { snapshotTree } from '@coffer/test-support';
import provider, { type GpoChangePlan, type GpoImportResult } from '../../src/index.js';
import { parseMigrationTable } from '../../src/import/migration-table.js';
import { formatGpLink } from '../../src/ad/gplink.js';
import { gpmcModel, writeForeignBackup, writeGpmcBackup } from '../gpmc-backup.js';
import { adminLdap, createScratchGpo, deleteGpoCompletely, gptFolder, gpoDn, snapshotDomain } from './gpo-fixtures.js';
import { connection, domain, tempDir } from './helpers.js';

type Snapshot = Awaited<ReturnType<typeof snapshotDomain>>;
type Entries = Record<string, Record<string, unknown>>;

/** What changed between two snapshots, in the plan's terms: LDAP entries (added, or attributes changed) and SYSVOL paths. */
function changesBetween(before: Snapshot, after: Snapshot) {
  const ldap = new Map<string, string[]>();
  for (const part of ['gpos', 'links', 'filters'] as const) {
    const a = before[part] as Entries;
    const b = after[part] as Entries;
    for (const dn of new Set([...Object.keys(a), ...Object.keys(b)])) {
      // A container without a gPLink is not in the links part: one that gains one has a changed gPLink.
      if (part === 'links') {
        a[dn] ??= {};
        b[dn] ??= {};
      }
      if (!(dn in a)) ldap.set(dn, ['(added)']);
      else if (!(dn in b)) ldap.set(dn, ['(deleted)']);
      else {
        const names = [...new Set([...Object.keys(a[dn]!), ...Object.keys(b[dn]!)])].filter(
          (name) => JSON.stringify(a[dn]![name]) !== JSON.stringify(b[dn]![name]),
        );
        if (names.length > 0) ldap.set(dn, names.sort());
      }
    }
  }
  const sa = before.sysvol as Record<string, string>;
  const sb = after.sysvol as Record<string, string>;
  return {
    ldap,
    sysvol: {
      added: Object.keys(sb)
        .filter((p) => !(p in sa))
        .sort(),
      changed: Object.keys(sb)
        .filter((p) => p in sa && sa[p] !== sb[p])
        .sort(),
      removed: Object.keys(sa)
        .filter((p) => !(p in sb))
        .sort(),
    },
  };
}

/** The attributes snapshotDomain records (the plan may name more: an add names every attribute it sets). */
function trackedAttributes(...snapshots: Snapshot[]): Set<string> {
  const names = new Set<string>();
  for (const snapshot of snapshots)
    for (const part of ['gpos', 'links', 'filters'] as const)
      for (const entry of Object.values(snapshot[part] as Entries))
        for (const name of Object.keys(entry)) names.add(name);
  return names;
}

/** The plan's LDAP part in the same terms as {@link changesBetween}. */
function planLdap(plans: readonly GpoChangePlan[], tracked: Set<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const plan of plans)
    for (const entry of plan.ldap) {
      const dn = entry.dn.toLowerCase();
      if (entry.change === 'add') out.set(dn, ['(added)']);
      else
        out.set(dn, [...new Set([...(out.get(dn) ?? []), ...entry.attributes.filter((a) => tracked.has(a))])].sort());
    }
  for (const [dn, names] of out) if (names.length === 0) out.delete(dn);
  return out;
}

function planSysvol(plans: readonly GpoChangePlan[]) {
  return {
    added: plans.flatMap((p) => p.sysvol.added).sort(),
    changed: plans.flatMap((p) => p.sysvol.changed).sort(),
    removed: plans.flatMap((p) => p.sysvol.removed).sort(),
  };
}

function output<T>(result: OperationResult<T>): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  return result.output!;
}

async function withOu<T>(run: (ou: string) => Promise<T>): Promise<T> {
  const ou = `OU=WhatIf ${randomUUID().slice(0, 8)},${domain.baseDn}`;
  const ldap = await adminLdap();
  try {
    await ldap.add(ou, { objectClass: 'organizationalUnit' });
  } finally {
    await ldap.close();
  }
  try {
    return await run(ou);
  } finally {
    const cleanup = await adminLdap();
    await cleanup.del(ou, { recursive: true }).catch(() => undefined);
    await cleanup.close();
  }
}

describe('restore --what-if', () => {
  test('writes nothing, and its plan names exactly the files, attributes, ACEs and links the real restore then changes', async () => {
    const finance = domain.seed!.groups.find((g) => g.name === 'Finance Users')!;
    await withOu(async (ou) => {
      const scratch = await createScratchGpo(
        'What If Restore',
        {
          'Machine/registry.pol': Buffer.from('PReg\x01\x00\x00\x00original', 'latin1'),
          'Machine/Scripts/Startup/keep.cmd': 'echo same',
          'User/Documents/kept.txt': 'unchanged',
        },
        { ad: 3, sysvol: 3 },
      );
      try {
        const ldap = await adminLdap();
        try {
          await ldap.modify(ou, [
            {
              operation: 'replace',
              attribute: 'gPLink',
              values: [formatGpLink([{ gpoDn: gpoDn(scratch.guid), options: 2 }])],
            },
          ]);
        } finally {
          await ldap.close();
        }
        const dir = await tempDir();
        output(await runBackup(provider, { destination: dir, options: connection({ gpo: [scratch.guid] }) }));

        // After the backup: settings edited, a file added, the GPO renamed, its link removed and an ACE added.
        await writeFile(join(gptFolder(scratch.guid), 'Machine', 'registry.pol'), 'PReg\x01\x00\x00\x00edited');
        await writeFile(join(gptFolder(scratch.guid), 'Machine', 'stray.txt'), 'added later');
        await writeFile(join(gptFolder(scratch.guid), 'GPT.INI'), '[General]\r\nVersion=9\r\n');
        const edit = await adminLdap();
        try {
          const [entry] = await edit.search(gpoDn(scratch.guid), {
            scope: 'base',
            attributes: ['nTSecurityDescriptor'],
            sdFlags: SecurityInformation.Dacl,
            paged: false,
          });
          const sd = parseSecurityDescriptor(entry!.nTSecurityDescriptor as Buffer);
          const template = sd.dacl!.aces.find((a) => a.kind === 'accessAllowed' && !a.flags.inherited)!;
          sd.dacl!.aces.push({ ...template, sid: finance.sid } as typeof template);
          await edit.modify(
            gpoDn(scratch.guid),
            [
              {
                operation: 'replace',
                attribute: 'nTSecurityDescriptor',
                values: [Buffer.from(serializeSecurityDescriptor({ ...sd, layout: undefined }))],
              },
            ],
            { sdFlags: SecurityInformation.Dacl },
          );
          await edit.modify(gpoDn(scratch.guid), [
            { operation: 'replace', attribute: 'displayName', values: ['Renamed Meanwhile'] },
          ]);
          await edit.modify(ou, [{ operation: 'delete', attribute: 'gPLink', values: [] }]);
        } finally {
          await edit.close();
        }

        const before = await snapshotDomain();
        const options = connection({ gpo: scratch.guid, restoreLinks: true });
        const whatIf = await runRestore(provider, { source: dir, options: { ...options, whatIf: true } });
        const planned = output(whatIf) as RestoreOutput & { plan: GpoChangePlan[] };
        // Nothing was written: LDAP and SYSVOL are byte for byte as they were.
        expect(await snapshotDomain()).toEqual(before);
        expect(planned.restored).toEqual([]);
        expect(planned.counts).toMatchObject({ whatIf: 1, gpos: 0, plannedGpos: 1 });
        const [plan] = planned.plan;
        expect(plan!.gpo.id).toBe(scratch.guid);
        expect(plan!.aces.removed).toHaveLength(1);
        expect(plan!.aces.removed[0]).toContain(finance.sid);
        expect(plan!.links.map((l) => l.container.toLowerCase())).toEqual([ou.toLowerCase()]);
        expect(plan!.attributes.find((a) => a.name === 'displayName')).toEqual({
          name: 'displayName',
          before: 'Renamed Meanwhile',
          after: 'What If Restore',
        });
        expect(whatIf.messages.find((m) => m.code === 'WHAT_IF')?.message).toContain('Nothing was written.');

        output(await runRestore(provider, { source: dir, options }));
        const after = await snapshotDomain();
        const real = changesBetween(before, after);
        expect(planLdap(planned.plan, trackedAttributes(before, after))).toEqual(real.ldap);
        expect(planSysvol(planned.plan)).toEqual(real.sysvol);
        // The plan is not empty by accident: the edits made above are what it undoes.
        expect(real.sysvol.changed).toContain(`${scratch.guid}/Machine/registry.pol`);
        expect(real.sysvol.removed).toContain(`${scratch.guid}/Machine/stray.txt`);
        expect(real.ldap.get(ou.toLowerCase())).toEqual(['gPLink']);
      } finally {
        await deleteGpoCompletely(scratch.guid);
      }
    });
  });

  test('over a deleted GPO it plans the re-creation (container, children, GPT) and writes nothing', async () => {
    const scratch = await createScratchGpo('What If Recreate', { 'Machine/registry.pol': 'PReg\x01\x00\x00\x00x' });
    try {
      const dir = await tempDir();
      output(await runBackup(provider, { destination: dir, options: connection({ gpo: [scratch.guid] }) }));
      await deleteGpoCompletely(scratch.guid);
      const before = await snapshotDomain();
      const planned = output(
        await runRestore(provider, { source: dir, options: connection({ gpo: scratch.guid, whatIf: true }) }),
      ) as RestoreOutput & { plan: GpoChangePlan[] };
      expect(await snapshotDomain()).toEqual(before);
      expect(planned.plan[0]!.create).toBe(true);
      output(await runRestore(provider, { source: dir, options: connection({ gpo: scratch.guid }) }));
      const after = await snapshotDomain();
      const real = changesBetween(before, after);
      expect(planLdap(planned.plan, trackedAttributes(before, after))).toEqual(real.ldap);
      expect(planSysvol(planned.plan)).toEqual(real.sysvol);
      expect(real.sysvol.added).toContain(`${scratch.guid}/Machine/registry.pol`);
    } finally {
      await deleteGpoCompletely(scratch.guid);
    }
  });
});

describe('restore --what-if of a deleted seeded GPO with its links and WMI filter', () => {
  test('plans the container, its children, the GPT, every link and the WMI filter object: exactly what the real restore writes', async () => {
    const gpo =
      domain.seed!.gpos.find((g) => g.wmiFilter && g.links.length > 0) ?? domain.seed!.gpos.find((g) => g.wmiFilter)!;
    const dir = await tempDir();
    output(await runBackup(provider, { destination: dir, options: connection({ gpo: [gpo.guid] }) }));
    await deleteGpoCompletely(gpo.guid, { wmiFilterId: gpo.wmiFilter!.guid });
    const options = connection({ gpo: gpo.guid, restoreLinks: true, restoreWmiFilter: true });
    let planned: (RestoreOutput & { plan: GpoChangePlan[] }) | undefined;
    let before: Snapshot | undefined;
    try {
      before = await snapshotDomain();
      planned = output(
        await runRestore(provider, { source: dir, options: { ...options, whatIf: true } }),
      ) as RestoreOutput & {
        plan: GpoChangePlan[];
      };
      expect(await snapshotDomain()).toEqual(before);
    } finally {
      // The seeded GPO is put back whatever happened above: other test files read it.
      output(await runRestore(provider, { source: dir, options }));
    }
    const after = await snapshotDomain();
    const real = changesBetween(before!, after);
    const [plan] = planned!.plan;
    expect(plan!.create).toBe(true);
    expect(plan!.wmiFilter?.change).toBe('create');
    expect(plan!.links.length).toBeGreaterThan(0);
    expect(planLdap(planned!.plan, trackedAttributes(before!, after))).toEqual(real.ldap);
    expect(planSysvol(planned!.plan)).toEqual(real.sysvol);
  });
});

describe('import --what-if and --create-if-needed', () => {
  test('without a migration table, a backup naming another domain’s SIDs and UNC paths warns (exit 3) and lists them', async () => {
    const target = await createScratchGpo('Import Unmapped Warning');
    try {
      const result = await runCommand(provider, 'import', {
        options: connection({
          unverified: true,
          from: await writeForeignBackup(await tempDir()),
          targetGpo: target.guid,
        }),
      });
      output(result);
      expect(result.status).toBe('succeeded-with-warnings');
      const warning = result.messages.find((m) => m.code === 'MIGRATION_UNMAPPED');
      expect(warning?.severity).toBe('warning');
      expect(warning?.message).toContain('HRAENET\\lab-admins (S-1-5-21-0000000000-0000000000-0000000000-4674)');
      expect(warning?.message).toContain('\\\\filesrv\\replace-mixed');
    } finally {
      await deleteGpoCompletely(target.guid);
    }
  });

  test('--what-if with --create-if-needed writes nothing; the real run creates a GPO whose settings equal the backup’s, as planned', async () => {
    const name = `Created By Import ${randomUUID().slice(0, 8)}`;
    const from = await writeForeignBackup(await tempDir());
    const before = await snapshotDomain();
    const whatIf = await runCommand(provider, 'import', {
      options: connection({ unverified: true, from, targetGpo: name, createIfNeeded: true, whatIf: true }),
    });
    const { plan } = output(whatIf).data as { whatIf: true; plan: GpoChangePlan };
    expect(await snapshotDomain()).toEqual(before);
    expect(plan.create).toBe(true);
    expect(output(whatIf).lines?.at(-1)).toContain('Nothing was written.');

    const result = await runCommand(provider, 'import', {
      options: connection({ unverified: true, from, targetGpo: name, createIfNeeded: true }),
    });
    const imported = output(result).data as GpoImportResult;
    try {
      expect(imported.created).toBe(true);
      expect(imported.target.displayName).toBe(name);
      // The plan's GUID was a placeholder for the one the real run picks; everything else matches.
      const swap = (text: string) => text.split(plan.gpo.id).join(imported.target.id);
      const renamed: GpoChangePlan = {
        ...plan,
        ldap: plan.ldap.map((e) => ({ ...e, dn: swap(e.dn) })),
        sysvol: {
          added: plan.sysvol.added.map(swap),
          changed: plan.sysvol.changed.map(swap),
          removed: plan.sysvol.removed.map(swap),
        },
      };
      const after = await snapshotDomain();
      const real = changesBetween(before, after);
      expect(planLdap([renamed], trackedAttributes(before, after))).toEqual(real.ldap);
      expect(planSysvol([renamed])).toEqual(real.sysvol);

      // Its settings are the backup's: every GPT file byte for byte, the extension names.
      const [backupFolder] = Object.keys(await snapshotTree(from)).filter((p) => /^\{[^/]+\}\/$/.test(p));
      const backupGpt = await snapshotTree(join(from, backupFolder!, 'DomainSysvol', 'GPO'));
      const gpt = await snapshotTree(gptFolder(imported.target.id));
      expect(Object.fromEntries(Object.entries(gpt).filter(([p]) => p !== 'GPT.INI'))).toEqual(backupGpt);
      const ldap = await adminLdap();
      try {
        const [entry] = await ldap.search(gpoDn(imported.target.id), {
          scope: 'base',
          attributes: ['displayName', 'gPCMachineExtensionNames', 'gPCUserExtensionNames', 'versionNumber'],
          paged: false,
        });
        const model = gpmcModel({});
        expect(entry!.displayName).toBe(name);
        expect(String(entry!.gPCMachineExtensionNames)).toContain('{00000000-0000-0000-0000-000000000000}');
        expect(String(entry!.gPCUserExtensionNames)).toContain('{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}');
        expect(Number(entry!.versionNumber)).toBe(imported.versions.ad);
        expect(model.domain).not.toBe(domain.dnsDomain);
      } finally {
        await ldap.close();
      }
    } finally {
      await deleteGpoCompletely(imported.target.id);
    }
  });

  test('--create-if-needed with a GUID that no GPO has is NOT_FOUND, and nothing is created', async () => {
    const before = await snapshotDomain();
    const result = await runCommand(provider, 'import', {
      options: connection({
        unverified: true,
        from: await writeForeignBackup(await tempDir()),
        targetGpo: '{0BADC0DE-0000-4000-8000-000000000001}',
        createIfNeeded: true,
      }),
    });
    expect(result.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshotDomain()).toEqual(before);
  });
});

describe('coffer gpo migration-table', () => {
  /** A backup of another domain: GptTmpl.inf and Backup.xml name a group, Preferences a SID and a UNC path. */
  async function foreignBackupWithTemplate(): Promise<string> {
    const dir = await writeForeignBackup(await tempDir());
    const model = gpmcModel({
      backupId: '{22222222-3333-4444-5555-666666666666}',
      gpoId: '{BBBBBBBB-CCCC-DDDD-EEEE-FFFFFFFFFFFF}',
      displayName: 'Foreign Rights',
      machineExtensionNames: '[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]',
      securityGroups: [
        {
          sid: 'S-1-5-21-0000000000-0000000000-0000000000-5001',
          samAccountName: 'lab-operators',
          type: 'GlobalGroup',
          netbiosDomainName: 'HRAENET',
          dnsDomainName: 'elsewhere.example.test',
          upn: 'lab-operators@elsewhere.example.test',
          fromDacl: false,
        },
      ],
    });
    const template = `\uFEFF[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n[Privilege Rights]\r\nSeBatchLogonRight = *S-1-5-21-0000000000-0000000000-0000000000-5001,*S-1-5-32-544\r\n`;
    await writeGpmcBackup(dir, model, {
      'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf': Buffer.from(template, 'utf16le'),
      'Machine/Scripts/scripts.ini': '[Startup]\r\n0CmdLine=\\\\labfs\\netlogon\\start.cmd\r\n0Parameters=\r\n',
    });
    return dir;
  }

  test('lists every foreign principal and UNC path; the table round-trips through import with every principal mapped', async () => {
    const finance = domain.seed!.groups.find((g) => g.name === 'Finance Users')!;
    const from = await foreignBackupWithTemplate();
    const out = join(await tempDir(), 'made.migtable');
    const made = await runCommand(provider, 'migration-table', { options: { from, out, unverified: true } });
    output(made);
    const mappings = parseMigrationTable(await readFile(out), out);
    // Principals first, then UNC paths; the two backups are equally new, so their order is the directory's.
    expect(mappings.map((m) => m.type === 'UNCPath')).toEqual([false, false, true, true]);
    expect(mappings.map((m) => [m.type, m.source, m.destination.kind]).sort()).toEqual([
      ['GlobalGroup', 'HRAENET\\lab-operators', 'same-as-source'],
      ['UNCPath', '\\\\filesrv\\replace-mixed', 'same-as-source'],
      ['UNCPath', '\\\\labfs\\netlogon\\start.cmd', 'same-as-source'],
      ['Unknown', 'HRAENET\\lab-admins', 'same-as-source'],
    ]);

    for (const backupId of ['{11111111-2222-3333-4444-555555555555}', '{22222222-3333-4444-5555-666666666666}']) {
      // As written (every entry mapped to itself), strict import finds nothing unmapped.
      const target = await createScratchGpo(`Round Trip ${backupId.slice(1, 5)}`);
      try {
        const asIs = output(
          await runCommand(provider, 'import', {
            options: connection({
              unverified: true,
              from,
              backupId,
              targetGpo: target.guid,
              migrationTable: out,
              migrationTableOnly: true,
            }),
          }),
        ).data as GpoImportResult;
        expect(asIs.migration).toMatchObject({ unmappedPrincipals: [], unmappedUncPaths: [] });
      } finally {
        await deleteGpoCompletely(target.guid);
      }
    }

    // Destinations filled in as an admin would: every principal and path is mapped into this domain.
    const text = (await readFile(out)).subarray(2).toString('utf16le');
    const filled = text
      .replace(
        /(<Source>HRAENET\\lab-admins<\/Source>\r\n\s*)<DestinationSameAsSource \/>/,
        `$1<Destination>${domain.netbiosDomain}\\Finance-Users</Destination>`,
      )
      .replace(
        /(<Source>HRAENET\\lab-operators<\/Source>\r\n\s*)<DestinationSameAsSource \/>/,
        `$1<Destination>${domain.netbiosDomain}\\Finance-Users</Destination>`,
      )
      .replace(
        /(<Source>\\\\filesrv\\replace-mixed<\/Source>\r\n\s*)<DestinationSameAsSource \/>/,
        '$1<Destination>\\\\files.prod\\home</Destination>',
      );
    await writeFile(out, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(filled, 'utf16le')]));
    const target = await createScratchGpo('Round Trip Filled');
    try {
      const options = connection({
        unverified: true,
        from,
        backupId: '{22222222-3333-4444-5555-666666666666}',
        targetGpo: target.guid,
        migrationTable: out,
        migrationTableOnly: true,
      });
      const whatIf = output(await runCommand(provider, 'import', { options: { ...options, whatIf: true } })).data as {
        plan: GpoChangePlan;
      };
      expect(whatIf.plan.migration?.applied.map((a) => [a.source, a.destination, a.references]).sort()).toEqual([
        ['HRAENET\\lab-operators', `${domain.netbiosDomain}\\Finance-Users`, 1],
        ['\\\\labfs\\netlogon\\start.cmd', '(same as source)', 1],
      ]);
      const result = output(await runCommand(provider, 'import', { options })).data as GpoImportResult;
      expect(result.migration).toMatchObject({ principalsReplaced: 1, unmappedPrincipals: [], unmappedUncPaths: [] });
      const inf = (
        await readFile(join(gptFolder(target.guid), 'Machine', 'Microsoft', 'Windows NT', 'SecEdit', 'GptTmpl.inf'))
      ).toString('utf16le');
      expect(inf).toContain(`SeBatchLogonRight = *${finance.sid},*S-1-5-32-544`);
    } finally {
      await deleteGpoCompletely(target.guid);
    }
  });

  test('refuses to overwrite an existing file unless told to', async () => {
    const from = await writeForeignBackup(await tempDir());
    const out = join(await tempDir(), 'exists.migtable');
    await writeFile(out, 'keep me');
    const refused = await runCommand(provider, 'migration-table', { options: { from, out, unverified: true } });
    expect(refused.error).toMatchObject({ code: 'FILE_EXISTS' });
    expect(await readFile(out, 'utf8')).toBe('keep me');
    output(await runCommand(provider, 'migration-table', { options: { from, out, unverified: true, force: true } }));
    expect(parseMigrationTable(await readFile(out), out)).toHaveLength(2);
  });
});
