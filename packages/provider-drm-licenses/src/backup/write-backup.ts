import { randomBytes, randomUUID } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CofferError, BackupEntry, BackupOutput, BackupRequest, OperationContext } from '@coffer/core';
import { drmError, resolveStorePath } from '@coffer/drm-license-store';
import {
  BufferPool,
  LicenseStore,
  lineReadBufferBytes,
  RESTRICTION_TEXT,
  sealBackupKey,
  serviceUnavailable,
} from '@coffer/drm-license-store/backup';
import { cancelledDrmError, storeBusyForBackupRestore } from '../errors/backup-errors.js';
import { wantsOverwrite, type BackupOptions } from '../options.js';
import { reportStatus } from '../status/msdrm-status.js';
import {
  BACKUP_ENTRY_NAME,
  BACKUP_FORMAT,
  BACKUP_KIND,
  KEY_FILE,
  LICENSES_FILE,
  MAC_FILE,
  MANIFEST_FILE,
  MANIFEST_HEADER,
  backupMacKey,
  computeBackupMac,
  type BackupFileFact,
  type BackupMacFile,
} from './backup-file-set.js';
import { ByteChannel } from '../io/byte-channel.js';
import { EligibleLicenseCopier } from './eligible-license-copier.js';

export const PROVIDER_ID = 'drm-licenses';
/** Reads of the store and writes of the backup: large enough that per-call costs vanish, small enough to keep memory flat. */
const READ_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;
const QUEUED_BYTES = 4 << 20;
/** Free buffers the pool keeps: about what the two channels' queues and the reader hold at once. */
const POOLED_BUFFERS = 16;

/**
 * IWMDRMLicenseManagement::BackupLicenses: copies every license that may be backed up
 * into the backup file set, reports each other one as RESTRICTED_LICENSE (with its KID)
 * and still succeeds. The store is locked for the whole backup (a second backup or a
 * restore of it gets NS_E_DRM_BACKUPRESTORE_BUSY) and read in one streaming pass; the new
 * set replaces an old one only once complete (core's staged commit, into the target core
 * opened and locked before calling us: a second backup into the same folder gets DESTINATION_LOCKED).
 */
export async function backupLicenses(
  request: BackupRequest<BackupOptions>,
  context: OperationContext,
): Promise<BackupOutput> {
  const overwrite = wantsOverwrite(request.options);
  const entryPath = join(request.destination, BACKUP_ENTRY_NAME);
  // Checked before the store is opened (core has locked the destination, and removes its lock on this failure).
  if (!overwrite && (await pathExists(entryPath))) throw backupExists(entryPath);
  const storePath = resolveStorePath(request.options.store);
  try {
    return await runBackup(request, context, { overwrite, entryPath, storePath });
  } catch (error) {
    if (context.signal.aborted) throw cancelledDrmError(storePath);
    throw error;
  }
}

async function runBackup(
  request: BackupRequest<BackupOptions>,
  context: OperationContext,
  plan: { overwrite: boolean; entryPath: string; storePath: string },
): Promise<BackupOutput> {
  const store = await LicenseStore.open({
    path: plan.storePath,
    ...(request.options.machineId === undefined ? {} : { machineId: request.options.machineId }),
    busyError: storeBusyForBackupRestore,
    waitMs: 0,
  });
  try {
    const service = store.header.service;
    if (!service)
      throw serviceUnavailable(
        plan.storePath,
        'the store was created without a license restore service, so a backup could never be restored',
      );
    context.throwIfCancelled();
    const destination = request.target;
    if (!plan.overwrite && (await destination.has(BACKUP_ENTRY_NAME))) throw backupExists(plan.entryPath);
    reportStatus(context, 'BACKUPRESTORE_BEGIN', `Backing up the licenses of ${plan.storePath}.`, {
      addTotal: store.licenseCount,
    });
    const backupId = `{${randomUUID().toUpperCase()}}`;
    const staged = await destination.stage(BACKUP_ENTRY_NAME, {
      kind: BACKUP_KIND,
      replace: plan.overwrite,
      metadata: { backupId, storeId: store.storeId },
    });
    const backupSecret = randomBytes(32);
    const sealed = sealBackupKey(service, {
      backupSecret: backupSecret.toString('base64'),
      bindingKey: store.bindingKey.toString('base64'),
      bindingId: store.bindingId,
      machine: store.machine,
      storeId: store.storeId,
    });
    // The key file does not depend on the licenses: written (and fsynced) while they stream.
    const [countsResult, keyResult] = await Promise.allSettled([
      writeLicenseFiles(store, staged, context),
      staged.writeFile(KEY_FILE, `${JSON.stringify(sealed, null, 2)}\n`, { mode: 0o600 }),
    ]);
    if (countsResult.status === 'rejected') throw countsResult.reason;
    if (keyResult.status === 'rejected') throw keyResult.reason;
    const counts = countsResult.value;
    const keyFact = keyResult.value;
    const macBody: Omit<BackupMacFile, 'mac'> = {
      format: BACKUP_FORMAT,
      version: 1,
      backupId,
      createdAt: new Date().toISOString(),
      ...(request.comment === undefined ? {} : { comment: request.comment }),
      source: { storeId: store.storeId, machine: store.machine, bindingId: store.bindingId },
      service: { serviceId: service.serviceId, keyId: service.keyId },
      counts: {
        licenses: counts.licenses,
        restricted: counts.restricted,
        examined: counts.licenses + counts.restricted,
      },
      files: [...counts.files, fact(KEY_FILE, keyFact)],
    };
    // The comment is also kept here, under the MAC, where restore and list read it; core stores it in the integrity manifest too.
    const macFile: BackupMacFile = { ...macBody, mac: computeBackupMac(backupMacKey(backupSecret), macBody) };
    await staged.writeFile(MAC_FILE, `${JSON.stringify(macFile, null, 2)}\n`, { mode: 0o600 });
    context.throwIfCancelled();
    const [committed] = await destination.commit([staged]);
    reportStatus(
      context,
      'BACKUPRESTORE_END',
      `Backed up ${counts.licenses} license(s); ${counts.restricted} may not be backed up.`,
    );
    context.progress.finish();
    return {
      backups: [
        {
          id: backupId,
          path: committed!.path,
          kind: BACKUP_KIND,
          objectId: store.storeId,
          objectName: 'DRM license store',
        },
      ],
      counts: {
        licenses: counts.licenses,
        restricted: counts.restricted,
        examined: counts.licenses + counts.restricted,
        bytes: counts.bytes,
      },
    };
  } finally {
    await store.close();
  }
}

/** One pass over the store: eligible records stream into drmv2lic.bak and their manifest lines into drmv2man.bak. */
async function writeLicenseFiles(
  store: LicenseStore,
  staged: BackupEntry,
  context: OperationContext,
): Promise<{ licenses: number; restricted: number; bytes: number; files: BackupFileFact[] }> {
  const states = await store.loadStates();
  // Read buffers and the manifest's fill buffers, reused for the whole pass (see BufferPool).
  // Shared memory, so the MAC check's worker thread hashes the read buffers in place.
  const pool = new BufferPool(lineReadBufferBytes(READ_BYTES), { keepFree: POOLED_BUFFERS, shared: true });
  const licenses = new ByteChannel(CHUNK_BYTES, QUEUED_BYTES, pool);
  const manifest = new ByteChannel(CHUNK_BYTES, QUEUED_BYTES, pool);
  const failBoth = (error: unknown) => {
    licenses.fail(error);
    manifest.fail(error);
    throw error;
  };
  const licensesWritten = staged.writeFile(LICENSES_FILE, licenses, { mode: 0o600 }).catch(failBoth);
  manifest.push(Buffer.from(MANIFEST_HEADER, 'utf8'));
  const manifestWritten = staged.writeFile(MANIFEST_FILE, manifest, { mode: 0o600 }).catch(failBoth);
  const copier = new EligibleLicenseCopier({
    storePath: store.path,
    licenses,
    manifest,
    states,
    now: Date.now(),
    signal: context.signal,
    onCancel: () => cancelledDrmError(store.path),
    onRestricted: ({ lid, kid, restriction }) =>
      reportStatus(
        context,
        'RESTRICTED_LICENSE',
        `License ${lid} (KID ${kid}) is not backed up: ${RESTRICTION_TEXT[restriction]}.`,
        { object: kid },
      ),
    onProgress: (count, lastKid) => context.progress.advance(lastKid, count),
  });
  const produced = store
    .scanLicenseLineRanges(copier, { chunkBytes: READ_BYTES, pool, macOnWorker: true })
    .then(() => copier.finish())
    .then(() => {
      licenses.end();
      manifest.end();
    })
    .catch(failBoth);
  const [producedResult, licensesResult, manifestResult] = await Promise.allSettled([
    produced,
    licensesWritten,
    manifestWritten,
  ]);
  // The producer's error names the real cause (tamper, cancel); the writers' errors only echo it.
  for (const result of [producedResult, licensesResult, manifestResult])
    if (result.status === 'rejected') throw result.reason;
  const licensesFact = (licensesResult as PromiseFulfilledResult<Awaited<typeof licensesWritten>>).value;
  const manifestFact = (manifestResult as PromiseFulfilledResult<Awaited<typeof manifestWritten>>).value;
  return {
    licenses: copier.eligible,
    restricted: copier.restricted,
    bytes: licensesFact.size,
    files: [fact(LICENSES_FILE, licensesFact), fact(MANIFEST_FILE, manifestFact)],
  };
}

function fact(name: string, file: { size: number; sha256: string }): BackupFileFact {
  return { name, size: file.size, sha256: file.sha256 };
}

function backupExists(path: string): CofferError {
  return drmError('NS_E_DRM_BACKUP_EXISTS', `A license backup already exists at ${path}.`, {
    object: path,
    hint: 'Pass the overwrite flag (WMDRM_BACKUP_OVERWRITE, --flags 1 or overwrite: true) to replace it, or choose another folder.',
  });
}

async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
