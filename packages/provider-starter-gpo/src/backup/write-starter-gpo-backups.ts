/**
 * Writes Starter GPO backups into a GPMC backup directory through core's engine: every backup is staged
 * (bkupInfo.xml, the SYSVOL copy, the extras file), then all are committed together, and manifest.xml is
 * updated by the index maintainer. Cancelled or failed before the commit: nothing of this run remains.
 */
import { randomUUID } from 'node:crypto';
import type { BackupEntry, BackupRecord, BackupTarget, OperationContext } from '@coffer/core';
import { formatBackupTime, renderBkupInfoXmlForInst, type BackupInst } from '@coffer/gpmc';
import type { StarterGpoFolder } from '../sysvol/read-starter-gpos.js';
import { starterGpoLabel } from '../model/starter-gpo.js';
import {
  BACKUP_TYPE_ELEMENT,
  BACKUP_TYPE_STARTER_GPO,
  BKUPINFO_FILE,
  STARTER_GPO_EXTRAS_FILE,
  STARTER_GPO_KIND,
  SYSVOL_COPY_FOLDER,
  backupPathOf,
} from './layout.js';
import { CHANGE_STATE_FILE, renderStarterGpoChangeState } from './changed-starter-gpos.js';
import { buildStarterGpoExtras, renderStarterGpoExtras, type StarterGpoExtras } from './starter-gpo-extras.js';

export interface StarterGpoBackupSource {
  /** DNS name of the domain. */
  domain: string;
  /** objectGUID of the domain head, braced lower-case; `''` when no LDAP connection was made. */
  domainGuid: string;
  /** FQDN of the DC read; `''` for a local SYSVOL path without a DC. */
  domainController: string;
  transport: StarterGpoExtras['source']['transport'];
}

export interface WriteBackupsRequest {
  /** The destination core opened and locked; it keeps manifest.xml (the provider's backupIndex) at each commit. */
  target: BackupTarget;
  comment: string;
  source: StarterGpoBackupSource;
  starterGpos: readonly StarterGpoFolder[];
  /** Fixed time for tests; default now. */
  now?: Date;
  /** When reading the Starter GPOs began (the change state records it); default the backup time. */
  readStartedAt?: Date;
}

export interface WriteBackupsResult {
  backups: BackupRecord[];
  files: number;
  bytes: number;
}

/** A fresh backup ID: an upper-case braced GUID, as GPMC names its backup folders. */
export function newBackupId(): string {
  return `{${randomUUID().toUpperCase()}}`;
}

export function starterGpoBackupInst(
  folder: StarterGpoFolder,
  source: StarterGpoBackupSource,
  backupId: string,
  comment: string,
  time: Date,
): BackupInst {
  return {
    gpoGuid: folder.snapshot.id,
    gpoDomain: source.domain,
    gpoDomainGuid: source.domainGuid,
    gpoDomainController: source.domainController,
    backupTime: formatBackupTime(time),
    id: backupId,
    comment,
    gpoDisplayName: folder.snapshot.displayName,
    extraElements: [{ name: BACKUP_TYPE_ELEMENT, text: BACKUP_TYPE_STARTER_GPO }],
  };
}

async function stageOne(
  destination: BackupTarget,
  folder: StarterGpoFolder,
  request: WriteBackupsRequest,
  time: Date,
  context: OperationContext,
): Promise<{ entry: BackupEntry; record: BackupRecord; bytes: number }> {
  const { snapshot } = folder;
  const backupId = newBackupId();
  const entry = await destination.stage(backupId, {
    kind: STARTER_GPO_KIND,
    metadata: { starterGpoId: snapshot.id, displayName: snapshot.displayName, domain: request.source.domain },
  });
  const label = starterGpoLabel(snapshot);
  context.progress.working(label);
  const inst = starterGpoBackupInst(folder, request.source, backupId, request.comment, time);
  await entry.writeFile(BKUPINFO_FILE, renderBkupInfoXmlForInst(inst));
  let bytes = 0;
  // Folders first (empty ones too), then files, each exactly as named in SYSVOL.
  await entry.mkdir(SYSVOL_COPY_FOLDER);
  for (const item of snapshot.entries) if (item.kind === 'dir') await entry.mkdir(backupPathOf(item.path));
  for (const item of snapshot.entries) {
    if (item.kind !== 'file') continue;
    context.throwIfCancelled();
    const content = folder.contents.get(item.path) ?? Buffer.alloc(0);
    await entry.writeFile(backupPathOf(item.path), content);
    bytes += content.length;
    context.progress.advance(`${label}: ${item.path}`);
  }
  const extras = buildStarterGpoExtras(snapshot, {
    domain: request.source.domain,
    domainController: request.source.domainController === '' ? null : request.source.domainController,
    transport: request.source.transport,
  });
  await entry.writeFile(STARTER_GPO_EXTRAS_FILE, renderStarterGpoExtras(extras));
  // What a later --changed run compares the live Starter GPO with; sealed, so the integrity manifest vouches for it.
  await entry.writeFile(CHANGE_STATE_FILE, renderStarterGpoChangeState(folder, request.readStartedAt ?? time));
  // manifest.xml lists this <BackupInst> at commit without reading bkupInfo.xml back.
  await entry.seal(inst);
  context.progress.advance(label);
  return {
    entry,
    record: {
      id: backupId,
      path: entry.finalPath,
      kind: STARTER_GPO_KIND,
      objectId: snapshot.id,
      objectName: snapshot.displayName,
    },
    bytes,
  };
}

/** Stages one backup per Starter GPO and commits them all at once. */
export async function writeStarterGpoBackups(
  request: WriteBackupsRequest,
  context: OperationContext,
): Promise<WriteBackupsResult> {
  const time = request.now ?? new Date();
  const destination = request.target;
  const staged: Array<{ entry: BackupEntry; record: BackupRecord; bytes: number }> = [];
  for (const folder of request.starterGpos) {
    context.throwIfCancelled();
    staged.push(await stageOne(destination, folder, request, time, context));
  }
  context.throwIfCancelled();
  await destination.commit(staged.map((s) => s.entry));
  return {
    backups: staged.map((s) => s.record),
    files: request.starterGpos.reduce(
      (total, f) => total + f.snapshot.entries.filter((e) => e.kind === 'file').length,
      0,
    ),
    bytes: staged.reduce((total, s) => total + s.bytes, 0),
  };
}
