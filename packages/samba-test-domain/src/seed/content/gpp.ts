import { escapeXml } from '../starter-gpo-files.js';
import { EXTENSIONS, type ExtensionPair } from './extensions.js';
import { stableGuid } from './text.js';

/**
 * Group Policy Preferences XML (MS-GPPREF): one file per preference type, an outer element holding inner items,
 * each with `Properties` and optional item-level targeting in `Filters`. CLSIDs are MS-GPPREF §2.2.1.1.2's, spelt as
 * the editor writes them (mixed case). Files are UTF-8 with CRLF, like the GPMC editor's.
 */
export interface GppType {
  /** Folder and file below `<side>/Preferences/`. */
  folder: string;
  outer: string;
  outerClsid: string;
  extension: ExtensionPair;
}

export const GPP_TYPES = {
  drives: {
    folder: 'Drives',
    outer: 'Drives',
    outerClsid: '{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}',
    extension: EXTENSIONS.drives,
  },
  groups: {
    folder: 'Groups',
    outer: 'Groups',
    outerClsid: '{3125E937-EB16-4b4c-9934-544FC6D24D26}',
    extension: EXTENSIONS.groups,
  },
  files: {
    folder: 'Files',
    outer: 'Files',
    outerClsid: '{215B2E53-57CE-475c-80FE-9EEC14635851}',
    extension: EXTENSIONS.files,
  },
  folders: {
    folder: 'Folders',
    outer: 'Folders',
    outerClsid: '{77CC39E7-3D16-4f8f-AF86-EC0BBEE2C861}',
    extension: EXTENSIONS.folders,
  },
  registry: {
    folder: 'Registry',
    outer: 'RegistrySettings',
    outerClsid: '{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}',
    extension: EXTENSIONS.registryPreferences,
  },
  shortcuts: {
    folder: 'Shortcuts',
    outer: 'Shortcuts',
    outerClsid: '{872ECB34-B2EC-401b-A585-D32574AA90EE}',
    extension: EXTENSIONS.shortcuts,
  },
  scheduledTasks: {
    folder: 'ScheduledTasks',
    outer: 'ScheduledTasks',
    outerClsid: '{CC63F200-7309-4ba0-B154-A71CD118DBCC}',
    extension: EXTENSIONS.scheduledTasks,
  },
  environment: {
    folder: 'EnvironmentVariables',
    outer: 'EnvironmentVariables',
    outerClsid: '{BF141A63-327B-438a-B9BF-2C188F13B7AD}',
    extension: EXTENSIONS.environment,
  },
  printers: {
    folder: 'Printers',
    outer: 'Printers',
    outerClsid: '{1F577D12-3D1B-471e-A1B7-060317597B9C}',
    extension: EXTENSIONS.printers,
  },
} as const satisfies Record<string, GppType>;

export type GppKind = keyof typeof GPP_TYPES;

export const GPP_ITEM_CLSIDS = {
  Drive: '{935D1B74-9CB8-4e3c-9914-7DD559B7A417}',
  User: '{DF5F1855-51E5-4d24-8B1A-D9BDE98BA1D1}',
  Group: '{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}',
  File: '{50BE44C8-567A-4ed1-B1D0-9234FE1F38AF}',
  Folder: '{07DA02F5-F9CD-4397-A550-4AE21B6B4BD3}',
  Registry: '{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}',
  Shortcut: '{4F2F7C55-2790-433e-8127-0739D1CFA327}',
  TaskV2: '{D8896631-B747-47a7-84A6-C155337F3BC8}',
  ImmediateTaskV2: '{9756B581-76EC-4169-9AFC-0CA8D43ADB5F}',
  EnvironmentVariable: '{78570023-8373-4a19-BA80-2F150738EA19}',
  SharedPrinter: '{9A5E9697-9095-436d-A0EE-4D128FDFBCE5}',
} as const;

export type GppItemTag = keyof typeof GPP_ITEM_CLSIDS;

export interface GppItem {
  tag: GppItemTag;
  name: string;
  status?: string;
  image: number;
  /** Common attributes after `uid` (userContext, removePolicy, bypassErrors, desc). */
  common?: Record<string, string>;
  properties: Record<string, string>;
  /** Raw XML inside `<Properties>` (group members, a task definition), already escaped. */
  propertiesBody?: string;
  /** Raw XML inside `<Filters>` (item-level targeting), already escaped. */
  filters?: string;
}

const CHANGED = '2025-03-11 08:42:17';

const attrs = (record: Record<string, string>) =>
  Object.entries(record)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');

export function renderGppFile(kind: GppKind, items: readonly GppItem[]): Buffer {
  const type = GPP_TYPES[kind];
  const body = items.map((item) => {
    const head = attrs({
      clsid: GPP_ITEM_CLSIDS[item.tag],
      name: item.name,
      ...(item.status !== undefined ? { status: item.status } : {}),
      image: String(item.image),
      changed: CHANGED,
      uid: stableGuid(`${kind}/${item.tag}/${item.name}`),
      ...item.common,
    });
    const properties = item.propertiesBody
      ? `<Properties${attrs(item.properties)}>${item.propertiesBody}</Properties>`
      : `<Properties${attrs(item.properties)}/>`;
    const filters = item.filters ? `<Filters>${item.filters}</Filters>` : '';
    return `<${item.tag}${head}>${properties}${filters}</${item.tag}>`;
  });
  return Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?>\r\n<${type.outer} clsid="${type.outerClsid}">${body.join('\r\n\t')}\r\n</${type.outer}>\r\n`,
    'utf8',
  );
}

export function gppPath(side: 'Machine' | 'User', kind: GppKind): string {
  const folder = GPP_TYPES[kind].folder;
  return `${side}/Preferences/${folder}/${folder}.xml`;
}

/** Item-level targeting: the user (or computer) is a member of a group, by name and SID. */
export function filterGroup(name: string, sid: string, userContext = true): string {
  return `<FilterGroup${attrs({ bool: 'AND', not: '0', name, sid, userContext: userContext ? '1' : '0', primaryGroup: '0', localGroup: '0' })}/>`;
}

/** Item-level targeting on the operating system (MS-GPPREF §2.2.2: class, version, type, edition, sp). */
export function filterOs(version: string, bool: 'AND' | 'OR' = 'AND'): string {
  return `<FilterOs${attrs({ bool, not: '0', class: 'NT', version, type: 'NE', edition: 'NE', sp: 'NE' })}/>`;
}

/** A Task Scheduler 1.2 definition inside a TaskV2 / ImmediateTaskV2 item. */
export function taskDefinition(
  author: string,
  description: string,
  runAs: string,
  command: string,
  args: string,
  trigger: 'daily' | 'boot',
): string {
  const triggerXml =
    trigger === 'daily'
      ? '<CalendarTrigger><StartBoundary>2025-03-12T02:30:00</StartBoundary><Enabled>true</Enabled><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>'
      : '<BootTrigger><Enabled>true</Enabled><Delay>PT5M</Delay></BootTrigger>';
  return (
    '<Task version="1.2">' +
    `<RegistrationInfo><Author>${escapeXml(author)}</Author><Description>${escapeXml(description)}</Description></RegistrationInfo>` +
    `<Principals><Principal id="Author"><UserId>${escapeXml(runAs)}</UserId><LogonType>S4U</LogonType><RunLevel>HighestAvailable</RunLevel></Principal></Principals>` +
    '<Settings><IdleSettings><Duration>PT10M</Duration><WaitTimeout>PT1H</WaitTimeout><StopOnIdleEnd>true</StopOnIdleEnd><RestartOnIdle>false</RestartOnIdle></IdleSettings>' +
    '<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>' +
    '<AllowHardTerminate>true</AllowHardTerminate><StartWhenAvailable>true</StartWhenAvailable><AllowStartOnDemand>true</AllowStartOnDemand><Enabled>true</Enabled><Hidden>false</Hidden>' +
    '<ExecutionTimeLimit>PT2H</ExecutionTimeLimit><Priority>7</Priority></Settings>' +
    `<Triggers>${triggerXml}</Triggers>` +
    `<Actions Context="Author"><Exec><Command>${escapeXml(command)}</Command><Arguments>${escapeXml(args)}</Arguments></Exec></Actions>` +
    '</Task>'
  );
}
