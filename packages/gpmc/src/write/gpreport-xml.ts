import { NS_SETTINGS, NS_TYPES, NS_TYPES_SECURITY, type GpoBackupModel } from '../model.js';
import { splitGpoVersion } from '../versions.js';
import { escapeText } from '../xml/escape.js';

export interface ReportPrincipal {
  sid: string;
  /** `DOMAIN\name` as Windows shows it. */
  name: string;
}

export interface ReportTrusteePermission {
  trustee: ReportPrincipal;
  type: 'Allow' | 'Deny';
  inherited: boolean;
  applicability: {
    toSelf: boolean;
    toDescendantObjects: boolean;
    toDescendantContainers: boolean;
    toDirectDescendantsOnly: boolean;
  };
  /** GPMC's grouped right: `Read`, `Apply Group Policy`, `Edit settings`, `Edit, delete, modify security`, or null for custom rights. */
  standard: string | null;
  accessMask: number;
}

/** Where the GPO is linked, as Get-GPOReport lists it. */
export interface ReportLink {
  /** Name of the container (`corp`, `Domain Controllers`, a site). */
  somName: string;
  /** Canonical path: `corp.example.com/Domain Controllers`. */
  somPath: string;
  enabled: boolean;
  /** Enforced. */
  noOverride: boolean;
}

/** What gpreport.xml holds beyond the backup model. */
export interface ReportFacts {
  /** `whenCreated` / `whenChanged` of the GPO. */
  createdTime: Date;
  modifiedTime: Date;
  /** When the report was read; a string is written as is (Windows writes 7 fraction digits and `Z`). */
  readTime: Date | string;
  /** The full security descriptor as SDDL (owner, group, DACL). */
  sddl: string;
  owner?: ReportPrincipal;
  group?: ReportPrincipal;
  permissions?: { inheritsFromParent: boolean; trustees: ReportTrusteePermission[] };
  auditingPresent?: boolean;
  /** The WMI filter's description (`msWMI-Parm1`), written when the model has a filter. */
  wmiFilterDescription?: string;
  links: ReportLink[];
  /** Pre-rendered `<ExtensionData>` elements (indented four spaces) per side; rendering every extension's settings is not this package's job. */
  extensionData?: { computer?: string; user?: string };
  includeComments?: boolean;
}

const CRLF = '\r\n';
const XSD = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema"';
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** The 2015 GPMC wrote xsi before xsd, later ones xsd first (both proven by the corpus). */
function schemaNamespaces(model: GpoBackupModel): string {
  return model.layout === 'gpmc-2012r2' ? `${XSI} ${XSD}` : `${XSD} ${XSI}`;
}

function reportTime(time: Date): string {
  return time.toISOString().slice(0, 19);
}

function readTime(time: Date | string): string {
  if (typeof time === 'string') return time;
  return `${time.toISOString().slice(0, 19)}.${String(time.getUTCMilliseconds()).padStart(3, '0')}0000Z`;
}

function principal(tag: string, value: ReportPrincipal, indent: string): string[] {
  return [
    `${indent}<${tag} xmlns="${NS_TYPES_SECURITY}">`,
    `${indent}  <SID xmlns="${NS_TYPES}">${escapeText(value.sid)}</SID>`,
    `${indent}  <Name xmlns="${NS_TYPES}">${escapeText(value.name)}</Name>`,
    `${indent}</${tag}>`,
  ];
}

function trusteeLines(permission: ReportTrusteePermission): string[] {
  const a = permission.applicability;
  const lines = [
    '      <TrusteePermissions>',
    '        <Trustee>',
    `          <SID xmlns="${NS_TYPES}">${escapeText(permission.trustee.sid)}</SID>`,
    `          <Name xmlns="${NS_TYPES}">${escapeText(permission.trustee.name)}</Name>`,
    '        </Trustee>',
    '        <Type xsi:type="PermissionType">',
    `          <PermissionType>${permission.type}</PermissionType>`,
    '        </Type>',
    `        <Inherited>${permission.inherited}</Inherited>`,
    '        <Applicability>',
    `          <ToSelf>${a.toSelf}</ToSelf>`,
    `          <ToDescendantObjects>${a.toDescendantObjects}</ToDescendantObjects>`,
    `          <ToDescendantContainers>${a.toDescendantContainers}</ToDescendantContainers>`,
    `          <ToDirectDescendantsOnly>${a.toDirectDescendantsOnly}</ToDirectDescendantsOnly>`,
    '        </Applicability>',
  ];
  if (permission.standard !== null) {
    lines.push(
      '        <Standard>',
      `          <GPOGroupedAccessEnum>${escapeText(permission.standard)}</GPOGroupedAccessEnum>`,
      '        </Standard>',
    );
  }
  lines.push(`        <AccessMask>${permission.accessMask >>> 0}</AccessMask>`, '      </TrusteePermissions>');
  return lines;
}

function sideLines(
  tag: 'Computer' | 'User',
  directory: number,
  sysvol: number,
  enabled: boolean,
  extensionData: string | undefined,
): string[] {
  const lines = [
    `  <${tag}>`,
    `    <VersionDirectory>${directory}</VersionDirectory>`,
    `    <VersionSysvol>${sysvol}</VersionSysvol>`,
    `    <Enabled>${enabled}</Enabled>`,
  ];
  // Verbatim: Windows' settings text keeps bare LFs inside explain strings.
  if (extensionData !== undefined && extensionData.trim() !== '') lines.push(extensionData.replace(/(?:\r?\n)+$/, ''));
  lines.push(`  </${tag}>`);
  return lines;
}

/**
 * gpreport.xml in Get-GPOReport's XML schema: UTF-16LE with BOM, CRLF, two-space indentation, no final
 * line break. Identity, times, security, WMI filter, versions, enabled state per side and links;
 * extension settings only as given pre-rendered.
 */
export function renderGpReportXml(model: GpoBackupModel, facts: ReportFacts): Buffer {
  const ad = splitGpoVersion(model.versionNumber);
  const sysvol = splitGpoVersion(model.gptIniVersion);
  const lines = [
    '<?xml version="1.0" encoding="utf-16"?>',
    `<GPO ${schemaNamespaces(model)} xmlns="${NS_SETTINGS}">`,
    '  <Identifier>',
    `    <Identifier xmlns="${NS_TYPES}">${escapeText(model.gpoId)}</Identifier>`,
    `    <Domain xmlns="${NS_TYPES}">${escapeText(model.domain)}</Domain>`,
    '  </Identifier>',
    `  <Name>${escapeText(model.displayName)}</Name>`,
    `  <IncludeComments>${facts.includeComments ?? true}</IncludeComments>`,
    `  <CreatedTime>${reportTime(facts.createdTime)}</CreatedTime>`,
    `  <ModifiedTime>${reportTime(facts.modifiedTime)}</ModifiedTime>`,
    `  <ReadTime>${readTime(facts.readTime)}</ReadTime>`,
    '  <SecurityDescriptor>',
    `    <SDDL xmlns="${NS_TYPES_SECURITY}">${escapeText(facts.sddl)}</SDDL>`,
  ];
  if (facts.owner !== undefined) lines.push(...principal('Owner', facts.owner, '    '));
  if (facts.group !== undefined) lines.push(...principal('Group', facts.group, '    '));
  const permissions = facts.permissions;
  lines.push(`    <PermissionsPresent xmlns="${NS_TYPES_SECURITY}">${permissions !== undefined}</PermissionsPresent>`);
  if (permissions !== undefined) {
    lines.push(
      `    <Permissions xmlns="${NS_TYPES_SECURITY}">`,
      `      <InheritsFromParent>${permissions.inheritsFromParent}</InheritsFromParent>`,
    );
    for (const trustee of permissions.trustees) lines.push(...trusteeLines(trustee));
    lines.push('    </Permissions>');
  }
  lines.push(
    `    <AuditingPresent xmlns="${NS_TYPES_SECURITY}">${facts.auditingPresent ?? false}</AuditingPresent>`,
    '  </SecurityDescriptor>',
  );
  lines.push('  <FilterDataAvailable>true</FilterDataAvailable>');
  if (model.wmiFilter !== null) {
    lines.push(`  <FilterName>${escapeText(model.wmiFilter.name)}</FilterName>`);
    if (facts.wmiFilterDescription)
      lines.push(`  <FilterDescription>${escapeText(facts.wmiFilterDescription)}</FilterDescription>`);
  }
  lines.push(
    ...sideLines('Computer', ad.machine, sysvol.machine, (model.flags & 2) === 0, facts.extensionData?.computer),
  );
  lines.push(...sideLines('User', ad.user, sysvol.user, (model.flags & 1) === 0, facts.extensionData?.user));
  for (const link of facts.links) {
    lines.push(
      '  <LinksTo>',
      `    <SOMName>${escapeText(link.somName)}</SOMName>`,
      `    <SOMPath>${escapeText(link.somPath)}</SOMPath>`,
      `    <Enabled>${link.enabled}</Enabled>`,
      `    <NoOverride>${link.noOverride}</NoOverride>`,
      '  </LinksTo>',
    );
  }
  lines.push('</GPO>');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join(CRLF), 'utf16le')]);
}
