/**
 * Group Policy Preferences ([MS-GPPREF]): one XML file per preference type and side under `Preferences/<Type>/`,
 * a root element (clsid) holding items; each item has attributes (clsid, name, image, changed, uid…),
 * `<Properties action=…>` with the settings (and children such as group members or a task definition) and
 * optional `<Filters>` (item-level targeting). `<Collection>` elements nest items (Registry, Printers…).
 * Parsed only through the safe XML reader: a DOCTYPE is refused before any parser sees it.
 */
import { parseXmlDocument, type XmlElement } from '../xml/element-tree.js';
import { settingsMalformed } from './errors.js';
import type { PreferenceItem, PreferenceSettings, XmlNodeData } from './model.js';

/** How GPMC's report names and wraps each preference type. */
export interface PreferenceType {
  /** Folder (and file name) under Preferences. */
  folder: string;
  /** Root element of the GPT file. */
  fileRoot: string;
  /** `<Name>` of the report's ExtensionData. */
  reportName: string;
  /** Last segment of the report's settings namespace `http://www.microsoft.com/GroupPolicy/Settings/<…>`. */
  namespace: string;
  /** `xsi:type` (without prefix). */
  xsiType: string;
  /** Root element inside `<Extension>` in the report. */
  reportRoot: string;
  /** The client-side extension's GUID. */
  cse: string;
  /** Proven by a real GPMC report in the corpus; the rest follow Microsoft's published schema names. */
  verified: boolean;
}

export const PREFERENCE_TYPES: readonly PreferenceType[] = [
  {
    folder: 'Drives',
    fileRoot: 'Drives',
    reportName: 'Drive Maps',
    namespace: 'DriveMaps',
    xsiType: 'DriveMapSettings',
    reportRoot: 'DriveMapSettings',
    cse: '{5794DAFD-BE60-433F-88A2-1A31939AC01F}',
    verified: true,
  },
  {
    folder: 'Groups',
    fileRoot: 'Groups',
    reportName: 'Local Users and Groups',
    namespace: 'Lugs',
    xsiType: 'LugsSettings',
    reportRoot: 'LocalUsersAndGroups',
    cse: '{17D89FEC-5C44-4972-B12D-241CAEF74509}',
    verified: true,
  },
  {
    folder: 'ScheduledTasks',
    fileRoot: 'ScheduledTasks',
    reportName: 'Scheduled Tasks',
    namespace: 'ScheduledTasks',
    xsiType: 'ScheduledTasksSettings',
    reportRoot: 'ScheduledTasks',
    cse: '{AADCED64-746C-4633-A97C-D61349046527}',
    verified: true,
  },
  {
    folder: 'Files',
    fileRoot: 'Files',
    reportName: 'Files',
    namespace: 'Files',
    xsiType: 'FilesSettings',
    reportRoot: 'FilesSettings',
    cse: '{7150F9BF-48AD-4DA4-A49C-29EF4A8369BA}',
    verified: false,
  },
  {
    folder: 'Folders',
    fileRoot: 'Folders',
    reportName: 'Folders',
    namespace: 'Folders',
    xsiType: 'FoldersSettings',
    reportRoot: 'Folders',
    cse: '{6232C319-91AC-4931-9385-E70C2B099F0E}',
    verified: false,
  },
  {
    folder: 'Registry',
    fileRoot: 'RegistrySettings',
    reportName: 'Windows Registry',
    namespace: 'WindowsRegistry',
    xsiType: 'WindowsRegistrySettings',
    reportRoot: 'WindowsRegistry',
    cse: '{B087BE9D-ED37-454F-AF9C-04291E351182}',
    verified: false,
  },
  {
    folder: 'Shortcuts',
    fileRoot: 'Shortcuts',
    reportName: 'Shortcuts',
    namespace: 'Shortcuts',
    xsiType: 'ShortcutSettings',
    reportRoot: 'ShortcutSettings',
    cse: '{C418DD9D-0D14-4EFB-8FBF-CFE535C8FAC7}',
    verified: false,
  },
  {
    folder: 'EnvironmentVariables',
    fileRoot: 'EnvironmentVariables',
    reportName: 'Environment',
    namespace: 'Environment',
    xsiType: 'EnvironmentSettings',
    reportRoot: 'EnvironmentVariables',
    cse: '{0E28E245-9368-4853-AD84-6DA3BA35BB75}',
    verified: false,
  },
  {
    folder: 'IniFiles',
    fileRoot: 'IniFiles',
    reportName: 'Ini Files',
    namespace: 'Inifiles',
    xsiType: 'IniFileSettings',
    reportRoot: 'IniFiles',
    cse: '{74EE6C03-5363-4554-B161-627540339CAB}',
    verified: false,
  },
  {
    folder: 'Services',
    fileRoot: 'NTServices',
    reportName: 'Services',
    namespace: 'Services',
    xsiType: 'ServiceSettings',
    reportRoot: 'NTServices',
    cse: '{91FBB303-0CD5-4055-BF42-E512A681B325}',
    verified: false,
  },
  {
    folder: 'Printers',
    fileRoot: 'Printers',
    reportName: 'Printers',
    namespace: 'Printers',
    xsiType: 'PrintersSettings',
    reportRoot: 'Printers',
    cse: '{BC75B1ED-5833-4858-9BB8-CBF0B166DF9D}',
    verified: false,
  },
  {
    folder: 'PowerOptions',
    fileRoot: 'PowerOptions',
    reportName: 'Power Options',
    namespace: 'PowerOptions',
    xsiType: 'PowerOptions',
    reportRoot: 'PowerOptions',
    cse: '{E62688F0-25FD-4C90-BFF5-F508B9D2E31F}',
    verified: false,
  },
  {
    folder: 'DataSources',
    fileRoot: 'DataSources',
    reportName: 'Data Sources',
    namespace: 'DataSources',
    xsiType: 'DataSourcesSettings',
    reportRoot: 'DataSources',
    cse: '{728EE579-943C-4519-9EF7-AB56765798ED}',
    verified: false,
  },
  {
    folder: 'NetworkShares',
    fileRoot: 'NetworkShareSettings',
    reportName: 'Network Shares',
    namespace: 'NetworkShares',
    xsiType: 'NetworkSharesSettings',
    reportRoot: 'NetworkShareSettings',
    cse: '{6A4C88C6-C502-4F74-8F60-2CB23EDC24E2}',
    verified: false,
  },
  {
    folder: 'NetworkOptions',
    fileRoot: 'NetworkOptions',
    reportName: 'Network Options',
    namespace: 'NetworkOptions',
    xsiType: 'NetworkOptionsSettings',
    reportRoot: 'NetworkOptions',
    cse: '{3A0DBA37-F8B2-4356-83DE-3E90BD5C261F}',
    verified: false,
  },
  {
    folder: 'RegionalOptions',
    fileRoot: 'RegionalOptions',
    reportName: 'Regional Options',
    namespace: 'RegionalOptions',
    xsiType: 'RegionalOptionsSettings',
    reportRoot: 'RegionalOptions',
    cse: '{E5094040-C46C-4115-B030-04FB2E545B00}',
    verified: false,
  },
  {
    folder: 'StartMenuTaskbar',
    fileRoot: 'StartMenuTaskbar',
    reportName: 'Start Menu',
    namespace: 'StartMenu',
    xsiType: 'StartMenuSettings',
    reportRoot: 'StartMenuTaskbar',
    cse: '{E4F48E54-F38D-4884-BFB9-D4D2E5729C18}',
    verified: false,
  },
  {
    folder: 'InternetSettings',
    fileRoot: 'InternetSettings',
    reportName: 'Internet Settings',
    namespace: 'InternetSettings',
    xsiType: 'InternetSettings',
    reportRoot: 'InternetSettings',
    cse: '{E47248BA-94CC-49C4-BBB5-9EB7F05183D0}',
    verified: false,
  },
  {
    folder: 'FolderOptions',
    fileRoot: 'FolderOptions',
    reportName: 'Folder Options',
    namespace: 'FolderOptions',
    xsiType: 'FolderOptions',
    reportRoot: 'FolderOptions',
    cse: '{A3F3E39B-5D83-4940-B954-28315B82F0A8}',
    verified: false,
  },
];

/** The type of a GPT path `Machine|User/Preferences/<Folder>/<Folder>.xml`, if it is one. */
export function preferenceTypeOf(path: string): PreferenceType | undefined {
  const match = /^(?:machine|user)\/preferences\/([^/]+)\/([^/]+)\.xml$/i.exec(path);
  if (match === null || match[1]!.toLowerCase() !== match[2]!.toLowerCase()) return undefined;
  return PREFERENCE_TYPES.find((type) => type.folder.toLowerCase() === match[1]!.toLowerCase());
}

export function toNodeData(element: XmlElement): XmlNodeData {
  return {
    name: element.name,
    attributes: { ...element.attributes },
    text: element.children.length > 0 ? element.text.trim() : element.text,
    children: element.children.map(toNodeData),
  };
}

function item(element: XmlElement, order: number, file: string): PreferenceItem {
  const properties = element.children.find((candidate) => candidate.name === 'Properties');
  const filters = element.children.find((candidate) => candidate.name === 'Filters');
  const isCollection = element.name === 'Collection';
  if (!isCollection && properties === undefined) {
    throw settingsMalformed(file, `the ${element.name} item "${element.attributes.name ?? ''}" has no <Properties>`);
  }
  const out: PreferenceItem = {
    tag: element.name,
    attributes: { ...element.attributes },
    name: element.attributes.name ?? '',
    uid: element.attributes.uid ?? '',
    order,
    action: properties?.attributes.action ?? null,
    properties: { ...(properties?.attributes ?? {}) },
    propertiesChildren: (properties?.children ?? []).map(toNodeData),
    filters: (filters?.children ?? []).map(toNodeData),
  };
  if (isCollection) {
    out.items = element.children
      .filter((child) => child.name !== 'Properties' && child.name !== 'Filters')
      .map((child, index) => item(child, index + 1, file));
  }
  return out;
}

/** Decodes one preference file; throws GPMC_FILE_MALFORMED / XML_DOCTYPE_REFUSED / SETTINGS_FILE_MALFORMED. */
export function decodePreferenceFile(bytes: Uint8Array, file: string, type: PreferenceType): PreferenceSettings {
  const root = parseXmlDocument(bytes, file);
  if (root.name !== type.fileRoot)
    throw settingsMalformed(file, `the root element is <${root.name}>, not <${type.fileRoot}>`);
  const { clsid = '', ...attributes } = root.attributes;
  return {
    kind: 'preferences',
    name: type.reportName,
    type: type.folder,
    files: [file],
    clsid,
    attributes,
    items: root.children.map((child, index) => item(child, index + 1, file)),
  };
}
