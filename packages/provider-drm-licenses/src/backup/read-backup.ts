import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  BackupReader,
  ErrorCode,
  isCofferError,
  listCommittedEntries,
  openTrustedBackup,
  type OperationContext,
} from '@coffer/core';
import { drmError } from '@coffer/drm-license-store';
import {
  decodeLicenseHead,
  decodeLicenseRecord,
  equalHex,
  forEachLine,
  type LicenseRecord,
  type SealedBackupKey,
  sha256Hex,
  unescapeField,
} from '@coffer/drm-license-store/backup';
import { backupCorrupt, cancelledDrmError } from '../errors/backup-errors.js';
import {
  BACKUP_ENTRY_NAME,
  BACKUP_FILES,
  BACKUP_FORMAT,
  KEY_FILE,
  LICENSES_FILE,
  MAC_FILE,
  MANIFEST_FILE,
  MANIFEST_HEADER,
  backupMacKey,
  computeBackupMac,
  type BackupMacFile,
} from './backup-file-set.js';

/** The description and key files are small JSON; anything larger was planted. */
const MAX_SMALL_FILE = 16 * 1024 * 1024;

/**
 * The backup entry folder for a path that is either the folder given to backup or the entry itself. Looked up
 * through core's BackupReader: a `drm-license-backup` that is a link, or set files that are links, are refused
 * (BACKUP_PATH_ESCAPES), never followed.
 */
export async function locateBackup(source: string): Promise<string | undefined> {
  const reader = await BackupReader.open(source).catch(() => undefined);
  if (reader === undefined) return undefined;
  // While a commit replaces the set (or after a run was killed doing so, until the next backup finishes
  // it), the entry is hidden: the old set may be moved aside already and the new one not yet in place.
  const { pending } = await listCommittedEntries(source).catch(() => ({ pending: [] as string[] }));
  for (const prefix of pending.includes(BACKUP_ENTRY_NAME) ? [] : [BACKUP_ENTRY_NAME, '']) {
    const present = await Promise.all(
      BACKUP_FILES.map(async (name) => (await reader.lstat(prefix === '' ? name : `${prefix}/${name}`)) !== null),
    );
    if (present.some(Boolean)) return prefix === '' ? source : join(source, prefix);
  }
  return undefined;
}

/**
 * A DRM backup set is always Coffer's own: it is restored only when its integrity manifest is present and
 * matches (MANIFEST_MISSING / INTEGRITY_MISMATCH otherwise), before the MAC and licenses are checked; the set's
 * files are then plain files inside the entry.
 */
export async function requireTrustedBackup(
  entry: string,
  context: Pick<OperationContext, 'signal' | 'report'>,
): Promise<void> {
  try {
    await openTrustedBackup(entry, {
      origin: 'coffer',
      signal: context.signal,
      report: (m) => context.report(m),
      what: 'DRM license',
    });
  } catch (error) {
    // WMDRM reports any damage to the set as NS_E_DRM_BACKUP_CORRUPT; core's finding (which file, how) is kept in the message.
    if (
      isCofferError(error) &&
      (error.code === ErrorCode.IntegrityMismatch || error.code === ErrorCode.ManifestMissing)
    )
      throw backupCorrupt(entry, `${error.code}: ${error.message}`, error);
    throw error;
  }
}

async function readSmall(entry: string, name: string): Promise<Buffer> {
  return (await BackupReader.open(entry)).readFile(name, { maxBytes: MAX_SMALL_FILE });
}

export async function requireBackup(source: string): Promise<string> {
  const entry = await locateBackup(source);
  if (!entry) {
    throw drmError('NS_E_DRM_INVALID_PROPERTY', `${source} holds no DRM license backup.`, {
      object: source,
      hint: `Give the folder a backup was written to (it holds ${BACKUP_ENTRY_NAME}/), or that ${BACKUP_ENTRY_NAME} folder itself.`,
    });
  }
  return entry;
}

/** Reads drmv2mac.bak and checks that every part of the set is there (unverified: the MAC needs the service). */
export async function readMacFile(entry: string): Promise<BackupMacFile> {
  const reader = await BackupReader.open(entry);
  for (const name of BACKUP_FILES) {
    if (!(await reader.isFile(name))) throw backupCorrupt(entry, `${name} is missing`);
  }
  const text = (await reader.readFile(MAC_FILE, { maxBytes: MAX_SMALL_FILE })).toString('utf8');
  let file: BackupMacFile;
  try {
    file = JSON.parse(text) as BackupMacFile;
  } catch (error) {
    throw backupCorrupt(entry, `${MAC_FILE} is not JSON`, error);
  }
  if (
    file?.format !== BACKUP_FORMAT ||
    file.version !== 1 ||
    typeof file.mac !== 'string' ||
    !Array.isArray(file.files) ||
    typeof file.source?.machine !== 'string' ||
    typeof file.service?.keyId !== 'string' ||
    !Number.isSafeInteger(file.counts?.licenses)
  ) {
    throw backupCorrupt(entry, `${MAC_FILE} is not a version 1 Coffer DRM backup description`);
  }
  for (const name of [LICENSES_FILE, MANIFEST_FILE, KEY_FILE]) {
    if (!file.files.some((f) => f.name === name)) throw backupCorrupt(entry, `${MAC_FILE} does not cover ${name}`);
  }
  return file;
}

export async function readSealedKey(entry: string): Promise<SealedBackupKey> {
  try {
    const sealed = JSON.parse((await readSmall(entry, KEY_FILE)).toString('utf8')) as SealedBackupKey;
    if (sealed.format !== 'coffer-drm-backup-key' || typeof sealed.sealed !== 'string') throw new Error('wrong format');
    return sealed;
  } catch (error) {
    throw backupCorrupt(entry, `${KEY_FILE} is unreadable`, error);
  }
}

export function checkBackupMac(entry: string, file: BackupMacFile, backupSecret: Buffer): void {
  const { mac, ...body } = file;
  if (!equalHex(computeBackupMac(backupMacKey(backupSecret), body), mac))
    throw backupCorrupt(entry, `${MAC_FILE} does not match its MAC`);
}

/**
 * Re-reads the whole set against the (MAC-checked) description: each file's size and
 * SHA-256, the manifest line by line against the licenses (LID, KID, priority, hash of
 * the XML), and the count. Nothing is restored unless this passes.
 */
export async function verifyBackupContent(
  entry: string,
  file: BackupMacFile,
  options: { signal: AbortSignal; onLicense?: () => void },
): Promise<void> {
  for (const fact of file.files) {
    if (fact.name === LICENSES_FILE || fact.name === MANIFEST_FILE) continue;
    const bytes = await readSmall(entry, fact.name);
    if (bytes.length !== fact.size || sha256Hex(bytes) !== fact.sha256)
      throw backupCorrupt(entry, `${fact.name} was altered`);
  }
  // The manifest holds one short line per license: bounded by the licenses the description counts.
  const manifest = await (await BackupReader.open(entry)).readFile(MANIFEST_FILE, {
    maxBytes: Math.max(MAX_SMALL_FILE, file.counts.licenses * 512),
  });
  const manifestFact = file.files.find((f) => f.name === MANIFEST_FILE)!;
  if (manifest.length !== manifestFact.size || sha256Hex(manifest) !== manifestFact.sha256)
    throw backupCorrupt(entry, `${MANIFEST_FILE} was altered`);
  const manifestText = manifest.toString('utf8');
  if (!manifestText.startsWith(MANIFEST_HEADER)) throw backupCorrupt(entry, `${MANIFEST_FILE} has no manifest header`);
  const rows = manifestText.slice(MANIFEST_HEADER.length).split('\n');
  if (rows.pop() !== '') throw backupCorrupt(entry, `${MANIFEST_FILE} ends in a torn line`);
  if (rows.length !== file.counts.licenses)
    throw backupCorrupt(entry, `${MANIFEST_FILE} lists ${rows.length} licenses, not ${file.counts.licenses}`);

  const licensesFact = file.files.find((f) => f.name === LICENSES_FILE)!;
  const hash = createHash('sha256');
  let index = 0;
  const summary = await forEachLine(join(entry, LICENSES_FILE), Number.MAX_SAFE_INTEGER, (line) => {
    if (options.signal.aborted) throw cancelledDrmError(entry);
    hash.update(line);
    hash.update('\n');
    const row = rows[index];
    if (row === undefined) throw backupCorrupt(entry, `${LICENSES_FILE} holds more licenses than its manifest`);
    let record: LicenseRecord;
    try {
      record = decodeLicenseRecord(line);
    } catch (error) {
      throw backupCorrupt(entry, `license ${index + 1} is malformed`, error);
    }
    const [lid, kid, priority, sha256] = row.split('\t');
    if (
      unescapeField(lid ?? '') !== record.lid ||
      unescapeField(kid ?? '') !== record.kid ||
      Number(priority) !== record.priority ||
      sha256 !== record.sha256 ||
      sha256Hex(record.xml) !== record.sha256
    ) {
      throw backupCorrupt(entry, `license ${record.lid} does not match its manifest entry`);
    }
    index += 1;
    options.onLicense?.();
  });
  if (
    summary.trailingBytes > 0 ||
    summary.bytesRead !== licensesFact.size ||
    hash.digest('hex') !== licensesFact.sha256
  ) {
    throw backupCorrupt(entry, `${LICENSES_FILE} was altered or truncated`);
  }
  if (index !== rows.length) throw backupCorrupt(entry, `${LICENSES_FILE} holds fewer licenses than its manifest`);
}

/** Streams the (already verified) licenses of a backup. */
export async function forEachBackupLicense(
  entry: string,
  onRecord: (record: LicenseRecord) => void | Promise<void>,
): Promise<void> {
  await forEachLine(join(entry, LICENSES_FILE), Number.MAX_SAFE_INTEGER, (line) => onRecord(decodeLicenseRecord(line)));
}

export { decodeLicenseHead };
