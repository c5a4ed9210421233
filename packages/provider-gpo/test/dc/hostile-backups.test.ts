/**
 * The hostile-backup corpus (@coffer/test-support's hostileBackupCases) against the real DC: every case is run
 * through verify, list, restore and import, and each must be refused or reported with a code, while the domain
 * (every attribute of every groupPolicyContainer, of every gPLink-bearing container, the WMI filters, and every
 * byte of SYSVOL) stays byte-identical.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';
import { describe, expect, test } from 'vitest';
import { SecurityInformation } from '@coffer/active-directory';
import { runBackup, runCommand, runList, runRestore, verifyDirectory, type OperationResult } from '@coffer/core';
import { formatGpmcHex, parseBkupInfoXml } from '@coffer/gpmc';
import { hostileBackupCases, snapshotTree, tempDir, writeOutsideSecret } from '@coffer/test-support';
import provider from '../../src/index.js';
import { adminLdap, policiesDn } from './gpo-fixtures.js';
import { connection, domain } from './helpers.js';

const seed = domain.seed!;

/** Every attribute of what restore or import could touch, and every byte of the domain's SYSVOL folder. */
async function snapshotEverything(): Promise<unknown> {
  const ldap = await adminLdap();
  try {
    const plain = (entries: Array<Record<string, unknown>>) =>
      Object.fromEntries(
        entries
          .map(
            (e) =>
              [
                String(e.dn).toLowerCase(),
                Object.fromEntries(
                  Object.entries(e)
                    .filter(([k]) => k !== 'dn')
                    .map(([k, v]) => [
                      k,
                      Buffer.isBuffer(v)
                        ? formatGpmcHex(v)
                        : Array.isArray(v)
                          ? v.map((x) => (Buffer.isBuffer(x) ? formatGpmcHex(x) : x))
                          : v,
                    ]),
                ),
              ] as const,
          )
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    const sd = SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl;
    const gpos = await ldap.search(policiesDn(), {
      scope: 'sub',
      filter: '(objectClass=*)',
      attributes: ['*', 'nTSecurityDescriptor'],
      sdFlags: sd,
    });
    const linked = [
      ...(await ldap.search(domain.baseDn, {
        scope: 'sub',
        filter: '(gPLink=*)',
        attributes: ['*', 'nTSecurityDescriptor'],
        sdFlags: sd,
      })),
      ...(await ldap.search(`CN=Sites,CN=Configuration,${domain.baseDn}`, {
        scope: 'sub',
        filter: '(gPLink=*)',
        attributes: ['*', 'nTSecurityDescriptor'],
        sdFlags: sd,
      })),
    ];
    const filters = await ldap.search(`CN=SOM,CN=WMIPolicy,CN=System,${domain.baseDn}`, {
      scope: 'sub',
      filter: '(objectClass=*)',
      attributes: ['*'],
    });
    return {
      gpos: plain(gpos),
      linked: plain(linked),
      filters: plain(filters),
      sysvol: await snapshotTree(join(domain.sysvolPath, domain.dnsDomain)),
    };
  } finally {
    await ldap.close();
  }
}

/** The codes a refusal may carry: each names what was wrong (never INTERNAL, never a plain NOT_FOUND). */
const REFUSALS = new Set([
  'BACKUP_PATH_ESCAPES',
  'BACKUP_PATH_INVALID',
  'BACKUP_FILE_TOO_LARGE',
  'XML_DOCTYPE_REFUSED',
  'INTEGRITY_MISMATCH',
  'MANIFEST_MISSING',
  'BACKUP_UNVERIFIED',
  'INDEX_FOLDER_MISSING',
  'INDEX_ENTRY_MISMATCH',
  'BACKUP_FOLDER_MISMATCH',
  'BACKUP_INVALID',
]);

function codeOf(result: OperationResult<unknown>): string | undefined {
  return result.status === 'failed' ? result.error?.code : undefined;
}

describe('the hostile-backup corpus against the real DC', () => {
  test('every case is refused or reported with a code, and the domain is byte-identical afterwards', async () => {
    const [gpoA, gpoB, target] = seed.gpos;
    const pristine = await tempDir('coffer-hostile-pristine-');
    const made = await backUp(pristine, [gpoA!.guid, gpoB!.guid]);
    const a = made.find((b) => b.objectId === gpoA!.guid)!.id;
    const b = made.find((x) => x.objectId === gpoB!.guid)!.id;
    const gptRoot = 'DomainSysvol/GPO';
    const sampleFile = await firstFile(join(pristine, a, gptRoot));

    const before = await snapshotEverything();
    // Every case applies to a GPO backup (the Starter GPO suite leaves out the Backup.xml ones).
    const cases = hostileBackupCases();
    let operations = 0;
    let refusals = 0;
    let lists = 0;
    let listWarnings = 0;
    const table: string[] = [];
    for (const hostile of cases) {
      const dir = await tempDir('coffer-hostile-');
      const outside = await tempDir('coffer-hostile-outside-');
      await writeOutsideSecret(outside);
      await fse.copy(pristine, dir);
      const aimed = (await hostile.build({ dir, a, b, outside, gptRoot, sampleFile })) ?? a;

      // verify: a finding with a code, never a crash.
      const verification = await verifyDirectory(dir);
      const findings = [...verification.problems, ...verification.backups.flatMap((x) => x.problems)];
      expect(findings.length, `${hostile.name}: verify found nothing`).toBeGreaterThan(0);
      for (const finding of findings) expect(finding.code, hostile.name).toMatch(/^[A-Z][A-Z_]+$/);
      operations += 1;
      refusals += 1;

      // list: refused with a code, or never an id twice, never a path that is not a real folder holding that backup.
      const listed = await runList(provider, { source: dir });
      lists += 1;
      if (listed.status === 'failed') {
        expect(REFUSALS.has(listed.error!.code), `${hostile.name}: list failed with ${listed.error!.code}`).toBe(true);
        listWarnings += 1;
      } else {
        const ids = listed.output!.map((l) => l.id.toUpperCase());
        expect(new Set(ids).size, hostile.name).toBe(ids.length);
        for (const listing of listed.output!) {
          expect((await lstat(listing.path)).isDirectory(), `${hostile.name}: ${listing.path}`).toBe(true);
          const info = parseBkupInfoXml(await fse.readFile(join(listing.path, 'bkupInfo.xml')));
          expect(info.id.toUpperCase(), hostile.name).toBe(listing.id.toUpperCase());
        }
        if (listed.messages.some((m) => m.severity === 'warning' && REFUSALS.has(m.code))) listWarnings += 1;
      }

      if (hostile.directoryOnly) {
        table.push(`${hostile.name}: verify ${[...new Set(findings.map((f) => f.code))].join(',')}`);
        continue;
      }
      const attempts: Array<{ unverified: boolean; want: string }> = [{ unverified: false, want: hostile.refusal }];
      if (hostile.unverified) attempts.push({ unverified: true, want: hostile.refusalUnverified ?? hostile.refusal });
      const seen: string[] = [];
      for (const { unverified, want } of attempts) {
        const restored = await runRestore(provider, {
          source: dir,
          options: connection({ backupId: aimed, unverified }),
        });
        const imported = await runCommand(provider, 'import', {
          options: connection({ from: dir, backupId: aimed, targetGpo: target!.guid, unverified }),
        });
        operations += 2;
        for (const [what, result] of [
          ['restore', restored],
          ['import', imported],
        ] as const) {
          expect(
            codeOf(result),
            `${hostile.name}: ${what}${unverified ? ' --unverified' : ''} (${result.error?.message})`,
          ).toBe(want);
          expect(result.error?.object ?? '', `${hostile.name}: the refusal names no path`).not.toBe('');
          refusals += 1;
          seen.push(`${what}${unverified ? '(unverified)' : ''} ${want}`);
        }
      }
      // --all never skips a damaged backup silently: the whole run is refused first.
      const everything = await runRestore(provider, { source: dir, options: connection({ all: true }) });
      operations += 1;
      expect(
        REFUSALS.has(codeOf(everything) ?? ''),
        `${hostile.name}: restore --all gave ${everything.status} ${everything.error?.code}`,
      ).toBe(true);
      refusals += 1;
      seen.push(`restore --all ${everything.error!.code}`);
      table.push(`${hostile.name}: ${seen.join(', ')}`);
    }
    expect(await snapshotEverything()).toEqual(before);
    console.log(
      `hostile backup corpus (GPO): ${cases.length} cases; ${operations} verify/restore/import operations, ${refusals} refused or reported with a code; ` +
        `${lists} listings (${listWarnings} refused or warned with a code, none showing an id twice or a path not holding it); LDAP and SYSVOL byte-identical\n  ${table.join('\n  ')}`,
    );
    expect(refusals).toBe(operations);
  }, 900_000);
});

/** A real backup of two seeded GPOs, written by the provider. */
async function backUp(dir: string, gpos: string[]): Promise<Array<{ id: string; objectId?: string }>> {
  const result = await runBackup(provider, { destination: dir, options: connection({ gpo: gpos }) });
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  return result.output!.backups;
}

async function firstFile(root: string): Promise<string> {
  const tree = await snapshotTree(root);
  const file = Object.keys(tree).find((path) => !path.endsWith('/'));
  if (file === undefined) throw new Error(`the backup of ${root} holds no file to damage`);
  return file;
}
