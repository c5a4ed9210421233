import { BACKUP_READ_LIMITS, scanBackupIndexBytes, type BackupIndexScanOptions } from '@coffer/core';
import type { BackupInst } from '../model.js';
import { MALFORMED_GPMC_FILE, malformed, parseXmlDocument } from '../xml/element-tree.js';

const KNOWN_INST_FIELDS: Record<string, keyof Omit<BackupInst, 'extraElements'>> = {
  GPOGuid: 'gpoGuid',
  GPODomain: 'gpoDomain',
  GPODomainGuid: 'gpoDomainGuid',
  GPODomainController: 'gpoDomainController',
  BackupTime: 'backupTime',
  ID: 'id',
  Comment: 'comment',
  GPODisplayName: 'gpoDisplayName',
};

/** Reads one `<BackupInst>` element (its children's names and text); unknown children are kept in `extraElements`. */
export function backupInstFromElement(element: {
  children: ReadonlyArray<{ name: string; text: string }>;
}): BackupInst {
  const inst: BackupInst = {
    gpoGuid: '',
    gpoDomain: '',
    gpoDomainGuid: '',
    gpoDomainController: '',
    backupTime: '',
    id: '',
    comment: '',
    gpoDisplayName: '',
  };
  const extras: Array<{ name: string; text: string }> = [];
  for (const field of element.children) {
    const key = KNOWN_INST_FIELDS[field.name];
    if (key === undefined) extras.push({ name: field.name, text: field.text });
    else inst[key] = field.text;
  }
  if (extras.length > 0) inst.extraElements = extras;
  return inst;
}

/** bkupInfo.xml: one `<BackupInst>`. */
export function parseBkupInfoXml(input: Uint8Array | string): BackupInst {
  const root = parseXmlDocument(input, 'bkupInfo.xml');
  if (root.name !== 'BackupInst')
    throw malformed('bkupInfo.xml', `the root element is <${root.name}>, not <BackupInst>`);
  return backupInstFromElement(root);
}

export interface ParsedManifest {
  /** `mfst:version`, `'1.0'` in every known manifest. */
  version: string;
  backups: BackupInst[];
  /** Children of `<Backups>` other than `<BackupInst>`, kept by name and text. */
  otherElements: Array<{ name: string; text: string }>;
}

/** manifest.xml: `<Backups>` with one `<BackupInst>` per backup in the folder. */
export function parseManifestXml(input: Uint8Array | string): ParsedManifest {
  return parseManifestWithin(input, undefined);
}

/**
 * {@link parseManifestXml} within `maxChars` (core's backupIndexByteLimit for the folders of the directory): the
 * readers that know the directory let its index outgrow the 16 MiB bound of any other XML file.
 */
export function parseManifestWithin(input: Uint8Array | string, maxChars: number | undefined): ParsedManifest {
  const manifest: ParsedManifest = { version: '', backups: [], otherElements: [] };
  manifest.version = scanManifest(input, maxChars, (entry) => {
    if (entry.name === 'BackupInst') manifest.backups.push(backupInstFromElement({ children: entry.fields }));
    else manifest.otherElements.push({ name: entry.name, text: entry.text });
  });
  return manifest;
}

/**
 * The backup IDs manifest.xml lists (checked as {@link parseManifestWithin} checks it), keeping only each entry's
 * `<ID>`: adding one backup to a directory of 70,000 reads the whole index.
 */
export function manifestIdsWithin(input: Uint8Array | string, maxChars: number | undefined): string[] {
  const ids: string[] = [];
  scanManifest(input, maxChars, (entry) => {
    if (entry.name === 'BackupInst') ids.push(entry.fields.find((field) => field.name === 'ID')?.text ?? '');
  });
  return ids;
}

/** What every reader of manifest.xml passes core's streaming index reader: GPMC's error code and hint. */
export function manifestScanOptions(
  maxChars: number | undefined,
  onEntry: BackupIndexScanOptions['onEntry'],
): BackupIndexScanOptions {
  return {
    maxChars: maxChars ?? BACKUP_READ_LIMITS.maxXmlBytes,
    malformedCode: MALFORMED_GPMC_FILE,
    hint: 'The file is damaged or is not a GPMC backup file; take the backup again.',
    onEntry,
  };
}

/** Checks that the root is `<Backups>`; returns its `mfst:version`. */
export function checkManifestRoot(root: { name: string; attributes: Record<string, string> }): string {
  if (root.name !== 'Backups') throw malformed('manifest.xml', `the root element is <${root.name}>, not <Backups>`);
  return root.attributes.version ?? '';
}

/**
 * manifest.xml read a piece at a time by core's streaming index reader (the checks of every XML reader, and no tree
 * or string of the whole document: a directory of 70,000 backups lists 36 MB); returns `mfst:version`.
 */
function scanManifest(
  input: Uint8Array | string,
  maxChars: number | undefined,
  onEntry: NonNullable<BackupIndexScanOptions['onEntry']>,
): string {
  const bytes = typeof input === 'string' ? Buffer.from(input.replace(/^\uFEFF/, ''), 'utf8') : input;
  return checkManifestRoot(scanBackupIndexBytes(bytes, 'manifest.xml', manifestScanOptions(maxChars, onEntry)).root);
}
