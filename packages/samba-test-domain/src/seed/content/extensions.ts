/**
 * Client-side extension (CSE) and tool GUID pairs for gPCMachineExtensionNames / gPCUserExtensionNames, each checked
 * against the protocol documents that assign it: MS-GPREG (Registry), MS-GPSB (Security), MS-GPAC (Advanced Audit),
 * MS-GPSCR (Scripts), MS-GPFR (Folder Redirection), MS-GPPREF §1.9 (every preference type), and the real GPMC
 * backups' Backup.xml for the spelling Windows stores (upper-case, sorted).
 */
export interface ExtensionPair {
  cse: string;
  tool: string;
  /** A Group Policy Preferences type: the editor also lists its tool under the all-zero CSE. */
  preference?: boolean;
}

const pair = (cse: string, tool: string, preference = false): ExtensionPair => ({
  cse,
  tool,
  ...(preference ? { preference } : {}),
});

export const REGISTRY_CSE = '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}';
const NULL_CSE = '{00000000-0000-0000-0000-000000000000}';

export const EXTENSIONS = {
  registryMachine: pair(REGISTRY_CSE, '{D02B1F72-3407-48AE-BA88-E8213C6761F1}'),
  registryUser: pair(REGISTRY_CSE, '{D02B1F73-3407-48AE-BA88-E8213C6761F1}'),
  security: pair('{827D319E-6EAC-11D2-A4EA-00C04F79F83A}', '{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}'),
  audit: pair('{F3CCC681-B74C-4060-9F26-CD84525DCA2A}', '{0F3F3735-573D-9804-99E4-AB2A69BA5FD4}'),
  scriptsMachine: pair('{42B5FAAE-6536-11D2-AE5A-0000F87571E3}', '{40B6664F-4972-11D1-A7CA-0000F87571E3}'),
  scriptsUser: pair('{42B5FAAE-6536-11D2-AE5A-0000F87571E3}', '{40B66650-4972-11D1-A7CA-0000F87571E3}'),
  folderRedirection: pair('{25537BA6-77A8-11D2-9B6C-0000F8080861}', '{88E729D6-BDC1-11D1-BD2A-00C04FB9603F}'),
  drives: pair('{5794DAFD-BE60-433F-88A2-1A31939AC01F}', '{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}', true),
  groups: pair('{17D89FEC-5C44-4972-B12D-241CAEF74509}', '{79F92669-4224-476C-9C5C-6EFB4D87DF4A}', true),
  files: pair('{7150F9BF-48AD-4DA4-A49C-29EF4A8369BA}', '{3BAE7E51-E3F4-41D0-853D-9BB9FD47605F}', true),
  folders: pair('{6232C319-91AC-4931-9385-E70C2B099F0E}', '{3EC4E9D3-714D-471F-88DC-4DD4471AAB47}', true),
  registryPreferences: pair('{B087BE9D-ED37-454F-AF9C-04291E351182}', '{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}', true),
  shortcuts: pair('{C418DD9D-0D14-4EFB-8FBF-CFE535C8FAC7}', '{CEFFA6E2-E3BD-421B-852C-6F6A79A59BC1}', true),
  scheduledTasks: pair('{AADCED64-746C-4633-A97C-D61349046527}', '{CAB54552-DEEA-4691-817E-ED4A4D1AFC72}', true),
  environment: pair('{0E28E245-9368-4853-AD84-6DA3BA35BB75}', '{35141B6B-498A-4CC7-AD59-CEF93D89B2CE}', true),
  printers: pair('{BC75B1ED-5833-4858-9BB8-CBF0B166DF9D}', '{A8C42CEA-CDB8-4388-97F4-5831F933DA84}', true),
} as const;

/**
 * The attribute value for a set of pairs as the Group Policy editor stores it: one `[{CSE}{tool}…]` group per CSE,
 * groups sorted by CSE GUID and tools sorted within a group; preference tools are also listed under the all-zero
 * CSE (which therefore sorts first), as GPMC-made GPOs show. Null when there is nothing to list.
 */
export function extensionNames(pairs: readonly ExtensionPair[]): string | null {
  const groups = new Map<string, Set<string>>();
  const add = (cse: string, tool: string) => {
    const key = cse.toUpperCase();
    groups.set(key, (groups.get(key) ?? new Set()).add(tool.toUpperCase()));
  };
  for (const p of pairs) {
    add(p.cse, p.tool);
    if (p.preference) add(NULL_CSE, p.tool);
  }
  if (groups.size === 0) return null;
  return [...groups.keys()]
    .sort()
    .map((cse) => `[${cse}${[...(groups.get(cse) ?? [])].sort().join('')}]`)
    .join('');
}
