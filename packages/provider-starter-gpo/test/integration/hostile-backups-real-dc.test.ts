/**
 * The hostile-backup corpus (@coffer/test-support's hostileBackupCases, without the Backup.xml cases: a Starter
 * GPO backup has none) against the real DC: every case through verify, list and restore (Starter GPOs have no
 * import from a backup; load-cab reads a cabinet, not a backup folder). Each must be refused or reported with a
 * code, and the domain's SYSVOL (every file's bytes and the tree, StarterGPOs included) and its GPO containers
 * must be byte-identical afterwards.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';
import { describe, expect, it } from 'vitest';
import { connectLdap } from '@coffer/active-directory';
import { runBackup, runList, runRestore, verifyDirectory } from '@coffer/core';
import { formatGpmcHex, parseBkupInfoXml } from '@coffer/gpmc';
import { hostileBackupCases, snapshotTree, tempDir, writeOutsideSecret } from '@coffer/test-support';
import provider from '../../src/index.js';
import { connectionOptions, testDomain } from '../helpers/real-dc.js';

async function snapshotEverything(): Promise<unknown> {
  const dc = testDomain();
  const ldap = await connectLdap({
    host: dc.dcHostname,
    caFile: dc.caFile,
    bindName: `${dc.adminUser}@${dc.dnsDomain}`,
    password: dc.adminPassword,
  });
  try {
    const gpos = await ldap.search(`CN=Policies,CN=System,${dc.baseDn}`, {
      scope: 'sub',
      filter: '(objectClass=*)',
      attributes: ['*'],
    });
    const plain = Object.fromEntries(
      gpos
        .map(
          (e) =>
            [
              String(e.dn).toLowerCase(),
              Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Buffer.isBuffer(v) ? formatGpmcHex(v) : v])),
            ] as const,
        )
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    return { gpos: plain, sysvol: await snapshotTree(join(dc.sysvolPath, dc.dnsDomain)) };
  } finally {
    await ldap.close();
  }
}

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

describe('the hostile-backup corpus against the real DC (Starter GPOs)', () => {
  it('every case is refused or reported with a code, and SYSVOL and the GPO containers are byte-identical afterwards', async () => {
    const pristine = await tempDir('coffer-sg-hostile-pristine-');
    const made = await runBackup(provider, {
      destination: pristine,
      options: { ...connectionOptions('smb'), all: true },
    });
    expect(made.status, JSON.stringify(made.messages)).toBe('succeeded');
    const backups = made.output!.backups;
    expect(backups.length).toBeGreaterThanOrEqual(2);
    const [a, b] = [backups[0]!.id, backups[1]!.id];
    const gptRoot = 'DomainSysvol/GPO';
    const sampleFile = Object.keys(await snapshotTree(join(pristine, a, gptRoot))).find((path) => !path.endsWith('/'))!;

    const before = await snapshotEverything();
    const cases = hostileBackupCases().filter((c) => !c.needsBackupXml);
    let operations = 0;
    let refusals = 0;
    let listWarnings = 0;
    const table: string[] = [];
    for (const hostile of cases) {
      const dir = await tempDir('coffer-sg-hostile-');
      const outside = await tempDir('coffer-sg-hostile-outside-');
      await writeOutsideSecret(outside);
      await fse.copy(pristine, dir);
      const aimed = (await hostile.build({ dir, a, b, outside, gptRoot, sampleFile })) ?? a;

      const verification = await verifyDirectory(dir);
      const findings = [...verification.problems, ...verification.backups.flatMap((x) => x.problems)];
      expect(findings.length, `${hostile.name}: verify found nothing`).toBeGreaterThan(0);
      for (const finding of findings) expect(finding.code, hostile.name).toMatch(/^[A-Z][A-Z_]+$/);
      operations += 1;
      refusals += 1;

      const listed = await runList(provider, { source: dir });
      if (listed.status === 'failed') {
        expect(REFUSALS.has(listed.error!.code), `${hostile.name}: list failed with ${listed.error!.code}`).toBe(true);
        listWarnings += 1;
      } else {
        const ids = listed.output!.map((l) => l.id.toUpperCase());
        expect(new Set(ids).size, hostile.name).toBe(ids.length);
        for (const listing of listed.output!) {
          expect((await lstat(listing.path)).isDirectory(), `${hostile.name}: ${listing.path}`).toBe(true);
          expect(
            parseBkupInfoXml(await fse.readFile(join(listing.path, 'bkupInfo.xml'))).id.toUpperCase(),
            hostile.name,
          ).toBe(listing.id.toUpperCase());
        }
        if (listed.messages.some((m) => m.severity === 'warning' && REFUSALS.has(m.code))) listWarnings += 1;
      }

      if (hostile.directoryOnly) {
        table.push(`${hostile.name}: verify ${[...new Set(findings.map((f) => f.code))].join(',')}`);
        continue;
      }
      const seen: string[] = [];
      for (const unverified of hostile.unverified ? [false, true] : [false]) {
        const want = unverified ? (hostile.refusalUnverified ?? hostile.refusal) : hostile.refusal;
        const restored = await runRestore(provider, {
          source: dir,
          options: { ...connectionOptions('smb'), backupId: aimed, unverified },
        });
        operations += 1;
        expect(
          restored.status === 'failed' ? restored.error?.code : undefined,
          `${hostile.name}${unverified ? ' --unverified' : ''}: ${restored.error?.message}`,
        ).toBe(want);
        expect(restored.error?.object ?? '', `${hostile.name}: the refusal names no path`).not.toBe('');
        refusals += 1;
        seen.push(`restore${unverified ? '(unverified)' : ''} ${want}`);
      }
      // --all never skips a damaged backup silently: the whole run is refused first.
      const everything = await runRestore(provider, {
        source: dir,
        options: { ...connectionOptions('smb'), all: true },
      });
      operations += 1;
      expect(
        everything.status === 'failed' && REFUSALS.has(everything.error!.code),
        `${hostile.name}: restore --all gave ${everything.status} ${everything.error?.code}`,
      ).toBe(true);
      refusals += 1;
      seen.push(`restore --all ${everything.error!.code}`);
      table.push(`${hostile.name}: ${seen.join(', ')}`);
    }
    expect(await snapshotEverything()).toEqual(before);
    console.log(
      `hostile backup corpus (Starter GPO): ${cases.length} cases; ${operations} verify/restore operations, ${refusals} refused or reported with a code; ` +
        `${cases.length} listings (${listWarnings} refused or warned with a code, none showing an id twice or a path not holding it); SYSVOL and GPO containers byte-identical\n  ${table.join('\n  ')}`,
    );
    expect(refusals).toBe(operations);
  }, 900_000);
});
