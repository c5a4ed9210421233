import type { ReportLink } from '../write/gpreport-xml.js';
import { child, childText, malformed, parseXmlDocument, type XmlElement } from '../xml/element-tree.js';

export interface ReportSide {
  versionDirectory: number;
  versionSysvol: number;
  enabled: boolean;
  /** `<Name>` of each `<ExtensionData>` (e.g. `Registry`, `Security`). */
  extensionNames: string[];
}

/** The identity, security, version and link facts of a gpreport.xml (settings are not interpreted). */
export interface ParsedGpReport {
  gpoId: string;
  domain: string;
  name: string;
  createdTime: string;
  modifiedTime: string;
  readTime: string;
  sddl: string;
  owner: { sid: string; name: string } | null;
  group: { sid: string; name: string } | null;
  trustees: Array<{ sid: string; name: string; type: string; standard: string | null }>;
  filterName: string | null;
  computer: ReportSide;
  user: ReportSide;
  links: ReportLink[];
}

function side(element: XmlElement | undefined): ReportSide {
  if (element === undefined) return { versionDirectory: 0, versionSysvol: 0, enabled: true, extensionNames: [] };
  return {
    versionDirectory: Number(childText(element, 'VersionDirectory') || 0),
    versionSysvol: Number(childText(element, 'VersionSysvol') || 0),
    enabled: childText(element, 'Enabled') !== 'false',
    extensionNames: element.children.filter((e) => e.name === 'ExtensionData').map((e) => childText(e, 'Name')),
  };
}

function principal(element: XmlElement | undefined): { sid: string; name: string } | null {
  return element === undefined ? null : { sid: childText(element, 'SID'), name: childText(element, 'Name') };
}

/** Parses gpreport.xml (UTF-16LE with BOM, or UTF-8). */
export function parseGpReportXml(input: Uint8Array | string): ParsedGpReport {
  // The settings GPMC rendered (<Computer|User>/<ExtensionData>/<Extension>, most of the file) are never read here:
  // checked, not built.
  const root = parseXmlDocument(input, 'gpreport.xml', (name, depth) => depth === 3 && name === 'Extension');
  if (root.name !== 'GPO') throw malformed('gpreport.xml', `the root element is <${root.name}>, not <GPO>`);
  const identifier = child(root, 'Identifier');
  const security = child(root, 'SecurityDescriptor');
  const permissions = security === undefined ? undefined : child(security, 'Permissions');
  return {
    gpoId: identifier === undefined ? '' : childText(identifier, 'Identifier'),
    domain: identifier === undefined ? '' : childText(identifier, 'Domain'),
    name: childText(root, 'Name'),
    createdTime: childText(root, 'CreatedTime'),
    modifiedTime: childText(root, 'ModifiedTime'),
    readTime: childText(root, 'ReadTime'),
    sddl: security === undefined ? '' : childText(security, 'SDDL'),
    owner: principal(security === undefined ? undefined : child(security, 'Owner')),
    group: principal(security === undefined ? undefined : child(security, 'Group')),
    trustees: (permissions?.children ?? [])
      .filter((e) => e.name === 'TrusteePermissions')
      .map((e) => {
        const trustee = child(e, 'Trustee');
        const type = child(e, 'Type');
        const standard = child(e, 'Standard');
        return {
          sid: trustee === undefined ? '' : childText(trustee, 'SID'),
          name: trustee === undefined ? '' : childText(trustee, 'Name'),
          type: type === undefined ? '' : childText(type, 'PermissionType'),
          standard: standard === undefined ? null : childText(standard, 'GPOGroupedAccessEnum'),
        };
      }),
    filterName: child(root, 'FilterName')?.text ?? null,
    computer: side(child(root, 'Computer')),
    user: side(child(root, 'User')),
    links: root.children
      .filter((e) => e.name === 'LinksTo')
      .map((e) => ({
        somName: childText(e, 'SOMName'),
        somPath: childText(e, 'SOMPath'),
        enabled: childText(e, 'Enabled') === 'true',
        noOverride: childText(e, 'NoOverride') === 'true',
      })),
  };
}
