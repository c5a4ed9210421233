import type { BackupInst } from '../model.js';
import { childText, malformed, parseXmlDocument, type XmlElement } from '../xml/element-tree.js';

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

/** Reads one `<BackupInst>` element; unknown children are kept in `extraElements`. */
export function backupInstFromElement(element: XmlElement): BackupInst {
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
  const root = parseXmlDocument(input, 'manifest.xml', undefined, maxChars);
  if (root.name !== 'Backups') throw malformed('manifest.xml', `the root element is <${root.name}>, not <Backups>`);
  const manifest: ParsedManifest = { version: root.attributes.version ?? '', backups: [], otherElements: [] };
  for (const element of root.children) {
    if (element.name === 'BackupInst') manifest.backups.push(backupInstFromElement(element));
    else manifest.otherElements.push({ name: element.name, text: element.text });
  }
  return manifest;
}

/**
 * The backup IDs manifest.xml lists (checked as {@link parseManifestWithin} checks it), building only each entry's
 * `<ID>`: adding one backup to a directory of 70,000 reads the whole index, and a tree of every field of every entry
 * would be hundreds of MiB.
 */
export function manifestIdsWithin(input: Uint8Array | string, maxChars: number | undefined): string[] {
  const root = parseXmlDocument(input, 'manifest.xml', (name, depth) => depth === 2 && name !== 'ID', maxChars);
  if (root.name !== 'Backups') throw malformed('manifest.xml', `the root element is <${root.name}>, not <Backups>`);
  return root.children.filter((element) => element.name === 'BackupInst').map((inst) => childText(inst, 'ID'));
}
