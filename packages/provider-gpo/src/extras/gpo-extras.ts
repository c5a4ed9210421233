/**
 * What Coffer keeps beyond GPMC, in `coffer-gpo-extras.json` next to (not inside) the GPMC
 * files of each backup, so GPMC, Import-GPO and Restore-GPO still read the backup unchanged:
 * the links (GPMC only writes an informational LinksTo in its report), block inheritance of
 * the linked containers, the WMI filter object itself, and the full security descriptor.
 */
export const GPO_EXTRAS_FILE = 'coffer-gpo-extras.json';
export const GPO_EXTRAS_FORMAT = 'coffer-gpo-extras';

export interface GpoLinkRecord {
  /** DN of the linked domain head, OU or site. */
  somDn: string;
  somName: string;
  somType: 'domain' | 'ou' | 'site';
  /** GPMC link order on that container: 1 is highest precedence. */
  order: number;
  /** How many GPO links the container has in all, to rebuild the order on restore. */
  linksOnContainer: number;
  enabled: boolean;
  enforced: boolean;
  /** The raw options number of the link (bit 1 disabled, bit 2 enforced). */
  options: number;
  /** `gPOptions` = 1 on the container: it blocks inheritance. */
  containerBlocksInheritance: boolean;
}

export interface WmiFilterRecord {
  /** `{GUID}`, the filter's `msWMI-ID` / CN. */
  id: string;
  dn: string;
  name: string;
  description: string;
  author: string;
  /** Raw `msWMI-Parm2`, kept verbatim for restore. */
  parm2: string;
  queries: Array<{ language: string; namespace: string; query: string }>;
  creationDate: string;
  changeDate: string;
}

export interface GpoExtras {
  format: typeof GPO_EXTRAS_FORMAT;
  version: 1;
  gpo: {
    id: string;
    dn: string;
    displayName: string;
    flags: number;
    versionNumber: number;
    gptIniVersion: number;
    machineExtensionNames: string;
    userExtensionNames: string;
    fileSysPath: string;
    wqlFilter: string;
    whenCreated: string;
    whenChanged: string;
  };
  securityDescriptor: {
    /** The whole self-relative descriptor as read (owner, group, DACL, and SACL when readable), hex. */
    hex: string;
    sddl: string;
    saclIncluded: boolean;
  };
  links: GpoLinkRecord[];
  wmiFilter: WmiFilterRecord | null;
}

export function renderGpoExtras(extras: GpoExtras): string {
  return `${JSON.stringify(extras, null, 2)}\n`;
}

export function parseGpoExtras(text: string, where: string): GpoExtras {
  const value = JSON.parse(text) as Partial<GpoExtras>;
  if (
    value.format !== GPO_EXTRAS_FORMAT ||
    value.version !== 1 ||
    !value.gpo ||
    !value.securityDescriptor ||
    !Array.isArray(value.links)
  ) {
    throw new Error(
      `${where} is not a Coffer GPO extras file (format ${String(value.format)}, version ${String(value.version)}).`,
    );
  }
  return value as GpoExtras;
}
