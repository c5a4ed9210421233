import type { PrincipalType, SecurityPrincipal, WmiFilterLink } from '../model.js';
import type { ExtensionBlock, FsObject } from '../inventory/fs-object.js';
import { child, childText, malformed, parseXmlDocument, type XmlElement } from '../xml/element-tree.js';
import { parseGpmcHex } from '../security/gpmc-descriptor.js';

/** Backup.xml's `<GroupPolicyCoreSettings>`, values as written. */
export interface BackupCoreSettings {
  id: string;
  domain: string;
  /** The DACL-only security descriptor, decoded from its hex text. */
  securityDescriptor: Buffer;
  displayName: string;
  options: number;
  userVersionNumber: number;
  machineVersionNumber: number;
  machineExtensionNames: string;
  userExtensionNames: string;
  /** `WMIFilter` text, `''` when none. */
  wmiFilter: string;
  /** Parsed from `WMIFilter` and `WMIFilterName`; null when no filter is linked. */
  wmiFilterLink: WmiFilterLink | null;
}

export interface ParsedBackupXml {
  /** `bkp:version` of the root, `'2.0'` in every known backup. */
  version: string;
  securityGroups: SecurityPrincipal[];
  filePaths: string[];
  core: BackupCoreSettings;
  /** Every `<GroupPolicyExtension>` block, in file order. */
  extensions: ExtensionBlock[];
}

const PRINCIPAL_TYPES = new Set<string>(['User', 'Computer', 'LocalGroup', 'GlobalGroup', 'UniversalGroup', 'Unknown']);

/** Backup.xml's root, `<GroupPolicyObject>` and `<GroupPolicyCoreSettings>`, checked. */
function openBackupXml(
  input: Uint8Array | string,
  skip?: (name: string, depth: number) => boolean,
): { root: XmlElement; gpo: XmlElement; core: XmlElement } {
  const root = parseXmlDocument(input, 'Backup.xml', skip);
  if (root.name !== 'GroupPolicyBackupScheme') {
    throw malformed('Backup.xml', `the root element is <${root.name}>, not <GroupPolicyBackupScheme>`);
  }
  const gpo = child(root, 'GroupPolicyObject');
  if (gpo === undefined) throw malformed('Backup.xml', 'it has no <GroupPolicyObject>');
  const core = child(gpo, 'GroupPolicyCoreSettings');
  if (core === undefined) throw malformed('Backup.xml', 'it has no <GroupPolicyCoreSettings>');
  return { root, gpo, core };
}

/** Parses Backup.xml (any line endings, with or without BOM). */
export function parseBackupXml(input: Uint8Array | string): ParsedBackupXml {
  const { root, gpo, core } = openBackupXml(input);
  return {
    version: root.attributes.version ?? '',
    securityGroups: (child(gpo, 'SecurityGroups')?.children ?? []).filter((e) => e.name === 'Group').map(readPrincipal),
    filePaths: (child(gpo, 'FilePaths')?.children ?? []).filter((e) => e.name === 'Path').map((e) => e.text),
    core: readCore(core),
    extensions: gpo.children.filter((e) => e.name === 'GroupPolicyExtension').map(readExtension),
  };
}

/**
 * Only Backup.xml's `<GroupPolicyCoreSettings>` (what a report or diff shows): the whole file is checked as by
 * {@link parseBackupXml}, but the file inventory, extension blocks and security groups are not built.
 */
export function parseBackupXmlCore(input: Uint8Array | string): BackupCoreSettings {
  return readCore(openBackupXml(input, (name, depth) => depth === 2 && name !== 'GroupPolicyCoreSettings').core);
}

function orNull(text: string): string | null {
  return text === '' ? null : text;
}

function readPrincipal(group: XmlElement): SecurityPrincipal {
  const type = childText(group, 'Type');
  return {
    sid: orNull(childText(group, 'Sid')),
    samAccountName: orNull(childText(group, 'SamAccountName')),
    type: type === '' ? null : PRINCIPAL_TYPES.has(type) ? (type as PrincipalType) : 'Unknown',
    netbiosDomainName: orNull(childText(group, 'NetBIOSDomainName')),
    dnsDomainName: orNull(childText(group, 'DnsDomainName')),
    upn: orNull(childText(group, 'UPN')),
    fromDacl: group.attributes.Source === 'FromDACL',
  };
}

function readNumber(core: XmlElement, name: string): number {
  const text = childText(core, name).trim();
  if (text === '') return 0;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw malformed('Backup.xml', `<${name}> is not a number: ${JSON.stringify(text)}`);
  return value;
}

/** `MSFT_SomFilter.ID="{guid}",Domain="<domain>"`. */
export function parseWmiFilterReference(text: string): { id: string; domain: string } | null {
  const match = /ID="([^"]*)".*Domain="([^"]*)"/.exec(text);
  return match === null ? null : { id: match[1]!, domain: match[2]! };
}

/**
 * Descriptors already decoded from their hex text: the GPOs of a domain mostly carry the same few, and a report or
 * diff of hundreds of them reads each distinct one once. Bounded (emptied when full); each caller gets its own copy.
 */
const descriptorsByHex = new Map<string, Buffer>();

function descriptorOf(hex: string): Buffer {
  let bytes = descriptorsByHex.get(hex);
  if (bytes === undefined) {
    bytes = parseGpmcHex(hex);
    if (descriptorsByHex.size >= 256) descriptorsByHex.clear();
    descriptorsByHex.set(hex, bytes);
  }
  return Buffer.from(bytes);
}

function readCore(core: XmlElement): BackupCoreSettings {
  const wmiFilter = childText(core, 'WMIFilter');
  const reference = parseWmiFilterReference(wmiFilter);
  return {
    id: childText(core, 'ID'),
    domain: childText(core, 'Domain'),
    securityDescriptor: descriptorOf(childText(core, 'SecurityDescriptor')),
    displayName: childText(core, 'DisplayName'),
    options: readNumber(core, 'Options'),
    userVersionNumber: readNumber(core, 'UserVersionNumber'),
    machineVersionNumber: readNumber(core, 'MachineVersionNumber'),
    machineExtensionNames: childText(core, 'MachineExtensionGuids'),
    userExtensionNames: childText(core, 'UserExtensionGuids'),
    wmiFilter,
    wmiFilterLink: reference === null ? null : { ...reference, name: childText(core, 'WMIFilterName') },
  };
}

function readFsObject(element: XmlElement): FsObject {
  const object: FsObject = {
    kind: element.name === 'FSObjectDir' ? 'dir' : 'file',
    path: element.attributes.Path ?? '',
    sourceExpandedPath: element.attributes.SourceExpandedPath ?? '',
  };
  const reEvaluate = element.attributes.ReEvaluateFunction;
  if (reEvaluate !== undefined) object.reEvaluateFunction = reEvaluate;
  const location = element.attributes.Location;
  if (location !== undefined) object.location = location;
  const children = element.children.filter((e) => e.name === 'FSObjectFile' || e.name === 'FSObjectDir');
  if (children.length > 0) object.children = children.map(readFsObject);
  return object;
}

function readExtension(element: XmlElement): ExtensionBlock {
  return {
    id: element.attributes.ID ?? '',
    descName: element.attributes.DescName ?? '',
    objects: element.children.filter((e) => e.name === 'FSObjectFile' || e.name === 'FSObjectDir').map(readFsObject),
  };
}
