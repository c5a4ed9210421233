/**
 * Backup directories with backups at known times, written through the engine itself (stage, write, seal,
 * commit): the clock is set only around each seal, which is where the engine stamps `createdAt`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';

export interface FixtureBackup {
  /** Folder name (a GUID in braces for GPMC-shaped ones). */
  id: string;
  /** ISO time the backup is stamped with. */
  at: string;
  kind?: string;
  metadata?: Record<string, string>;
  /** Writes a bkupInfo.xml and lists it in manifest.xml (a GPO backup's shape). */
  gpmc?: { gpoGuid: string; displayName: string };
  comment?: string;
}

const NS = 'http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest';

function instBody(backup: FixtureBackup): string {
  const g = backup.gpmc!;
  return `<GPOGuid><![CDATA[${g.gpoGuid}]]></GPOGuid><GPODomain><![CDATA[corp.example]]></GPODomain><GPOInstanceGuid><![CDATA[${g.gpoGuid}]]></GPOInstanceGuid><GPODomainGuid><![CDATA[{00000000-0000-0000-0000-000000000001}]]></GPODomainGuid><GPODomainController><![CDATA[dc1.corp.example]]></GPODomainController><BackupTime><![CDATA[${backup.at}]]></BackupTime><ID><![CDATA[${backup.id}]]></ID><Comment><![CDATA[${backup.comment ?? ''}]]></Comment><GPODisplayName><![CDATA[${g.displayName}]]></GPODisplayName>`;
}

/** Writes the backups into `dir` under provider `providerId`, each sealed at its own time; appends GPMC ones to manifest.xml. */
export async function writeFixtureBackups(
  dir: string,
  providerId: string,
  backups: readonly FixtureBackup[],
): Promise<void> {
  const destination = await BackupDestination.open(dir, { providerId, lock: { staleMs: 2000 } });
  try {
    for (const backup of backups) {
      const entry = await destination.stage(backup.id, {
        kind: backup.kind ?? 'gpo',
        ...(backup.metadata ? { metadata: backup.metadata } : {}),
      });
      await entry.writeFile('payload/data.bin', `backup ${backup.id} at ${backup.at}\n`);
      if (backup.gpmc)
        await entry.writeFile('bkupInfo.xml', `<BackupInst xmlns="${NS}">${instBody(backup)}</BackupInst>`);
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(new Date(backup.at));
        await entry.seal();
      } finally {
        vi.useRealTimers();
      }
    }
    await destination.commit();
  } finally {
    await destination.close();
  }
}

/** manifest.xml listing the GPMC-shaped backups, in GPMC's one-line form. */
export async function writeManifestXml(dir: string, backups: readonly FixtureBackup[]): Promise<void> {
  const entries = backups
    .filter((b) => b.gpmc)
    .map((b) => `<BackupInst>${instBody(b)}</BackupInst>`)
    .join('');
  await writeFile(
    join(dir, 'manifest.xml'),
    `<Backups xmlns="${NS}" xmlns:mfst="${NS}" mfst:version="1.0">${entries}</Backups>`,
  );
}

/** A GPO backup fixture: folder id from a number, object from a GPO number. */
export function gpoBackup(n: number, gpo: number, at: string, displayName = `GPO ${gpo}`): FixtureBackup {
  const id = `{${String(n).padStart(8, '0')}-0000-4000-8000-000000000000}`;
  const gpoGuid = `{${String(gpo).padStart(8, '0')}-1111-4111-8111-111111111111}`;
  return {
    id,
    at,
    kind: 'gpo',
    metadata: { gpoId: gpoGuid, displayName, domain: 'corp.example' },
    gpmc: { gpoGuid, displayName },
  };
}

/** Runs the file's tests in UTC (the policy's periods are local time, as restic's); a test may set TZ itself. */
export function inUtc(): void {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TZ;
    process.env.TZ = 'UTC';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
