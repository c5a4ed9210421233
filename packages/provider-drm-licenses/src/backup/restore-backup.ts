import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CofferError, OperationContext, RestoreOutput, RestoreRequest } from '@coffer/core';
import { DRM_HRESULT, drmError, resolveServicePath, resolveStorePath } from '@coffer/drm-license-store';
import {
  admitLicense,
  type BackupKeyPayload,
  encodeLicenseRecord,
  forEachLine,
  LicenseService,
  LicenseStore,
  machineHash,
  parseLicenseXml,
  reissueLicense,
  resolveMachineId,
} from '@coffer/drm-license-store/backup';
import { backupCorrupt, cancelledDrmError, storeBusyForBackupRestore } from '../errors/backup-errors.js';
import { wantsIndividualize, type RestoreOptions } from '../options.js';
import { reportStatus } from '../status/msdrm-status.js';
import { BACKUP_KIND } from './backup-file-set.js';
import {
  checkBackupMac,
  forEachBackupLicense,
  readMacFile,
  readSealedKey,
  requireBackup,
  requireTrustedBackup,
  verifyBackupContent,
} from './read-backup.js';

type Refusal = {
  code: 'NS_E_DRM_RESTORE_FRAUD' | 'RESTRICTED_LICENSE' | 'NS_E_DRM_BACKUP_CORRUPT';
  lid: string;
  kid: string;
  why: string;
};

/**
 * IWMDRMLicenseManagement::RestoreLicenses. Statuses: CONNECTING (the restore service is
 * contacted: it opens the backup's key file, the MAC and every license are checked, then
 * it decides each license against its ledger and re-issues those bound elsewhere),
 * DISCONNECTING, BEGIN (the store is rewritten with the restored licenses, their state
 * fresh), END. The store is not touched until the backup has verified; licenses the
 * service refuses are reported, and the rest are stored (NS_E_DRM_STORE_NOTALLSTORED).
 */
export async function restoreLicenses(
  request: RestoreRequest<RestoreOptions>,
  context: OperationContext,
): Promise<RestoreOutput> {
  const storePath = resolveStorePath(request.options.store);
  try {
    return await runRestore(request, context, storePath);
  } catch (error) {
    if (context.signal.aborted) throw cancelledDrmError(storePath);
    throw error;
  }
}

async function runRestore(
  request: RestoreRequest<RestoreOptions>,
  context: OperationContext,
  storePath: string,
): Promise<RestoreOutput> {
  const individualize = wantsIndividualize(request.options);
  const entry = await requireBackup(request.source);
  await requireTrustedBackup(entry, context);
  const description = await readMacFile(entry);
  const machineId = await resolveMachineId(request.options.machineId);
  const thisMachine = machineHash(machineId);
  let store = (await LicenseStore.exists(storePath))
    ? await LicenseStore.open({ path: storePath, machineId, busyError: storeBusyForBackupRestore, waitMs: 0 })
    : undefined;
  let tempPath: string | undefined;
  /** Set when this restore made the store: it is removed again unless a license was stored in it. */
  let createdStore = false;
  let stored = false;
  try {
    if (!store && !individualize) {
      throw needsIndividualization(storePath, 'this machine has no license store yet');
    }
    if (description.source.machine !== thisMachine && !individualize) {
      throw needsIndividualization(storePath, 'the backup was made on another machine');
    }
    const total = description.counts.licenses;
    reportStatus(context, 'CONNECTING', 'Contacting the license restore service.', { addTotal: 2 * total });
    const service = await LicenseService.open(resolveServicePath(request.options.servicePath));
    if (service.publicInfo.keyId !== description.service.keyId) {
      throw backupCorrupt(
        entry,
        `it was sealed for license service ${description.service.serviceId}, not the one at ${service.path}`,
      );
    }
    const payload = service.unseal(await readSealedKey(entry));
    if (!payload) throw backupCorrupt(entry, 'the license service cannot open its key file');
    checkBackupMac(entry, description, Buffer.from(payload.backupSecret, 'base64'));
    await verifyBackupContent(entry, description, {
      signal: context.signal,
      onLicense: () => context.progress.advance(),
    });
    context.throwIfCancelled();

    if (!store) {
      // WMDRM_RESTORE_INDIVIDUALIZE on a machine without a store: individualise it first.
      store = await LicenseStore.create({
        path: storePath,
        machineId,
        service: service.publicInfo,
        busyError: storeBusyForBackupRestore,
        waitMs: 0,
      });
      createdStore = true;
    }
    const target = store;
    await target.trust({
      keyId: service.certificate.keyId,
      publicKey: service.certificate.publicKey,
      kind: 'service',
      name: `license service ${service.publicInfo.serviceId}`,
    });

    // Re-issued records go to a temp file in the store folder (cleaned as an orphan after a crash), not to memory.
    tempPath = join(target.path, `restore.coffer-${randomBytes(6).toString('hex')}.tmp`);
    const refusals: Refusal[] = [];
    const restoredLids = new Set<string>();
    await service.withLedger(async (ledger) => {
      const temp = await open(tempPath!, 'wx', 0o600);
      try {
        await forEachBackupLicense(entry, async (record) => {
          if (context.signal.aborted) throw cancelledDrmError(storePath);
          const refuse = (code: Refusal['code'], why: string) =>
            refusals.push({ code, lid: record.lid, kid: record.kid, why });
          const outcome = restoreOne(record.xml, payload, target, service, Date.now());
          if ('refused' in outcome) refuse(outcome.code, outcome.refused);
          else if (!ledger.admit(record.lid, description.source.machine, thisMachine)) {
            refuse('NS_E_DRM_RESTORE_FRAUD', `the license already lives on the maximum number of machines (4)`);
          } else {
            await temp.write(encodeLicenseRecord(admitLicense(outcome.xml, target.trustedKeys).record));
            restoredLids.add(record.lid);
          }
          context.progress.advance(record.kid);
        });
        await temp.sync();
      } finally {
        await temp.close();
      }
      if (context.signal.aborted) throw cancelledDrmError(storePath);
    });
    reportStatus(context, 'DISCONNECTING', 'The license restore service has answered.');

    for (const refusal of refusals) {
      context.report({
        severity: 'warning',
        code: refusal.code,
        message: `License ${refusal.lid} (KID ${refusal.kid}) was not restored: ${refusal.why}.`,
        object: refusal.kid,
        ...(refusal.code === 'RESTRICTED_LICENSE' ? {} : { hresult: DRM_HRESULT[refusal.code] }),
      });
    }
    if (restoredLids.size === 0 && refusals.length > 0) throw noneStored(refusals);

    reportStatus(context, 'BACKUPRESTORE_BEGIN', `Storing ${restoredLids.size} license(s).`);
    context.throwIfCancelled();
    await target.rewriteLicenses(
      (head) => !restoredLids.has(head.lid),
      async (writeLine) => {
        let written = 0;
        await forEachLine(tempPath!, Number.MAX_SAFE_INTEGER, async (line) => {
          await writeLine(Buffer.from(line.buffer, line.byteOffset, line.length + 1));
          written += 1;
        });
        return written;
      },
    );
    // Fresh counts: the restored LIDs lose whatever state (plays, first use, disabled) they had here.
    const states = await target.loadStates();
    let reset = 0;
    for (const lid of restoredLids) if (states.delete(lid)) reset += 1;
    if (reset > 0) await target.rewriteStates(states);

    if (refusals.length > 0) {
      context.report({
        severity: 'warning',
        code: 'NS_E_DRM_STORE_NOTALLSTORED',
        hresult: DRM_HRESULT.NS_E_DRM_STORE_NOTALLSTORED,
        message: `Only ${restoredLids.size} of ${total} license(s) were stored; ${refusals.length} were refused.`,
        object: storePath,
      });
    }
    stored = true;
    reportStatus(context, 'BACKUPRESTORE_END', `Restored ${restoredLids.size} license(s) into ${storePath}.`);
    context.progress.finish();
    return {
      restored: [
        {
          kind: BACKUP_KIND,
          objectId: target.storeId,
          objectName: 'DRM license store',
          fromBackupId: description.backupId,
        },
      ],
      counts: {
        licenses: total,
        restored: restoredLids.size,
        refused: refusals.length,
        rebound: description.source.bindingId === target.bindingId ? 0 : restoredLids.size,
      },
    };
  } finally {
    if (tempPath) await rm(tempPath, { force: true });
    await store?.close();
    // A refused (or failed, or cancelled) restore leaves this machine as it found it: with no store, a 5th machine
    // that every license refused does not become one that holds an empty store bound to it.
    if (createdStore && !stored) await rm(storePath, { recursive: true, force: true });
  }
}

/** Decides one license on the service side: re-issued XML for the target store, or why not. */
function restoreOne(
  xml: string,
  payload: BackupKeyPayload,
  target: LicenseStore,
  service: LicenseService,
  now: number,
): { xml: string } | { refused: string; code: Refusal['code'] } {
  let license;
  try {
    license = parseLicenseXml(xml);
  } catch (error) {
    return { refused: `it is not a readable license (${(error as Error).message})`, code: 'NS_E_DRM_BACKUP_CORRUPT' };
  }
  if (!license.actions.some((a) => a.type === 'Restore'))
    return { refused: 'the issuer did not grant the Restore right', code: 'RESTRICTED_LICENSE' };
  const usage = license.actions.filter((a) => a.type === 'Play' || a.type === 'Copy');
  if (usage.length > 0 && usage.every((a) => a.condition.expiresAt !== undefined && a.condition.expiresAt <= now)) {
    return { refused: 'it has expired since the backup', code: 'RESTRICTED_LICENSE' };
  }
  if (payload.bindingId === target.bindingId) return { xml };
  const reissued = reissueLicense(
    license,
    Buffer.from(payload.bindingKey, 'base64'),
    { bindingKey: target.bindingKey, bindingId: target.bindingId },
    service,
  );
  return 'refused' in reissued ? { refused: reissued.refused, code: 'NS_E_DRM_BACKUP_CORRUPT' } : reissued;
}

function needsIndividualization(storePath: string, why: string): CofferError {
  return drmError('NS_E_DRM_NEEDS_INDIVIDUALIZATION', `Restoring needs individualization: ${why}.`, {
    object: storePath,
    hint: 'Restore with the individualize flag (WMDRM_RESTORE_INDIVIDUALIZE, --flags 2 or individualize: true) to bind the licenses to this machine.',
  });
}

function noneStored(refusals: Refusal[]): CofferError {
  if (refusals.every((r) => r.code === 'NS_E_DRM_RESTORE_FRAUD')) {
    return drmError(
      'NS_E_DRM_RESTORE_FRAUD',
      `No license was restored: every one already lives on the maximum number of machines (4).`,
      {
        object: refusals[0]!.kid,
        hint: 'A license may be restored onto at most 3 machines besides its original; restoring again onto one of those is free.',
      },
    );
  }
  return drmError(
    'NS_E_DRM_STORE_NOTALLSTORED',
    `No license was restored: all ${refusals.length} were refused (see the warnings).`,
    {
      hint: 'Each refused license is listed with its KID and reason.',
    },
  );
}
