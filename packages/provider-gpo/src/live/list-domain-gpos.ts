import { matchGuidOrName, parseSecurityDescriptor, SecurityInformation } from '@coffer/active-directory';
import type { CommandOutput, OperationContext } from '@coffer/core';
import { openDomainSession, type DomainSession } from '../ad/domain-session.js';
import { parseGptIni } from '../ad/gpt-ini.js';
import { attributeBytes, attributeNumber, attributeText, parseGeneralizedTime } from '../ad/ldap-values.js';
import { policiesContainerDn, sharePathOf } from '../ad/read-gpos.js';
import { readGpoLinks } from '../ad/read-links.js';
import { readWmiFilters } from '../ad/read-wmi-filters.js';
import { displayNameOfSid, resolveDomainSids } from '../ad/resolve-principals.js';
import { parseGpcWqlFilter } from '../ad/wmi-filter.js';
import { selectGpos } from '../select/select-gpos.js';
import type { GpoListOptions } from './live-options.js';

/** Get-GPO's GpoStatus, from the container's `flags` (bit 0: user half disabled, bit 1: computer half). */
export type GpoStatus =
  | 'AllSettingsEnabled'
  | 'UserSettingsDisabled'
  | 'ComputerSettingsDisabled'
  | 'AllSettingsDisabled';
const STATUS: readonly GpoStatus[] = [
  'AllSettingsEnabled',
  'UserSettingsDisabled',
  'ComputerSettingsDisabled',
  'AllSettingsDisabled',
];
/** How GPMC's "GPO Status" column words them. */
const STATUS_TEXT: Record<GpoStatus, string> = {
  AllSettingsEnabled: 'Enabled',
  UserSettingsDisabled: 'User configuration settings disabled',
  ComputerSettingsDisabled: 'Computer configuration settings disabled',
  AllSettingsDisabled: 'All settings disabled',
};

/** One half's version in AD (`versionNumber`) and in SYSVOL (GPT.INI); null where GPT.INI could not be read. */
export interface HalfVersion {
  ad: number;
  sysvol: number | null;
  /** False is what GPMC flags as "AD / SYSVOL version mismatch": replication or an edit that did not finish. */
  consistent: boolean;
}

/** A GPO of the live domain, as `coffer gpo list --json` prints it. */
export interface LiveGpo {
  id: string;
  displayName: string;
  status: GpoStatus;
  flags: number;
  user: HalfVersion;
  computer: HalfVersion;
  wmiFilter: { id: string; name: string | null } | null;
  links: number;
  created: string | null;
  modified: string | null;
  owner: { sid: string; name: string } | null;
  /** The SYSVOL folder below the share (`<domain>/Policies/{GUID}`). */
  sysvolPath: string;
}

const ATTRIBUTES = [
  'cn',
  'displayName',
  'flags',
  'versionNumber',
  'gPCFileSysPath',
  'gPCWQLFilter',
  'whenCreated',
  'whenChanged',
  'nTSecurityDescriptor',
];

/** `coffer gpo list`: every GPO of the domain, read now (LDAP once, every GPT.INI in one SYSVOL pass). */
export async function listDomainGpos(options: GpoListOptions, context: OperationContext): Promise<CommandOutput> {
  const session = await openDomainSession(options, context);
  try {
    const gpos = await readLiveGpos(session, context);
    const selected = selectByPatterns(gpos, options.name);
    return {
      data: selected,
      lines: [`${selected.length} of ${gpos.length} GPOs in ${session.dnsDomain}.`],
      table: {
        columns: [
          'NAME',
          'GUID',
          'STATUS',
          'USER AD/SYSVOL',
          'COMPUTER AD/SYSVOL',
          'WMI FILTER',
          'LINKS',
          'MODIFIED',
          'OWNER',
        ],
        rows: selected.map((gpo) => [
          gpo.displayName,
          gpo.id,
          STATUS_TEXT[gpo.status],
          versionText(gpo.user),
          versionText(gpo.computer),
          gpo.wmiFilter ? (gpo.wmiFilter.name ?? `${gpo.wmiFilter.id} (missing)`) : '',
          String(gpo.links),
          gpo.modified ?? '',
          gpo.owner?.name ?? '',
        ]),
      },
    };
  } finally {
    await session.close();
  }
}

async function readLiveGpos(session: DomainSession, context: OperationContext): Promise<LiveGpo[]> {
  context.progress.phase('reading GPOs', 4, 'Reading the GPOs of the domain');
  const entries = await session.ldap.search(policiesContainerDn(session), {
    scope: 'one',
    filter: '(objectClass=groupPolicyContainer)',
    attributes: ATTRIBUTES,
    sdFlags: SecurityInformation.Owner,
  });
  context.progress.advance();
  const [links, filters] = await Promise.all([readGpoLinks(session), readWmiFilters(session)]);
  context.progress.advance();
  const rows = entries.map((entry) => {
    const id = attributeText(entry, 'cn') ?? entry.dn.split(',')[0]!.replace(/^cn=/i, '');
    const descriptor = attributeBytes(entry, 'nTSecurityDescriptor');
    return {
      entry,
      id,
      sysvolPath: sharePathOf(attributeText(entry, 'gPCFileSysPath') ?? '', session.dnsDomain, id),
      owner: descriptor ? parseSecurityDescriptor(descriptor).owner : undefined,
    };
  });
  const [gptInis, accounts] = await Promise.all([
    session.sysvol.readFiles(rows.map((row) => `${row.sysvolPath}/GPT.INI`)),
    resolveDomainSids(
      session,
      rows.flatMap((row) => (row.owner ? [row.owner] : [])),
    ),
  ]);
  context.progress.advance();
  const gpos = rows.map(({ entry, id, sysvolPath, owner }): LiveGpo => {
    const flags = attributeNumber(entry, 'flags');
    const adVersion = attributeNumber(entry, 'versionNumber') >>> 0;
    const gptIni = gptInis.get(`${sysvolPath}/GPT.INI`);
    const sysvolVersion = gptIni === undefined ? null : parseGptIni(gptIni).version;
    const wql = parseGpcWqlFilter(attributeText(entry, 'gPCWQLFilter'));
    return {
      id,
      displayName: attributeText(entry, 'displayName') ?? id,
      status: STATUS[flags & 3]!,
      flags,
      user: half(adVersion >>> 16, sysvolVersion === null ? null : sysvolVersion >>> 16),
      computer: half(adVersion & 0xffff, sysvolVersion === null ? null : sysvolVersion & 0xffff),
      wmiFilter: wql ? { id: wql.id, name: filters.get(wql.id.toUpperCase())?.name ?? null } : null,
      links: links.get(id.toUpperCase())?.length ?? 0,
      created: isoTime(attributeText(entry, 'whenCreated')),
      modified: isoTime(attributeText(entry, 'whenChanged')),
      owner: owner ? { sid: owner, name: displayNameOfSid(owner, accounts) } : null,
      sysvolPath,
    };
  });
  context.progress.advance();
  // GPMC's "Group Policy Objects" node sorts by name; the GUID breaks ties between GPOs of the same name.
  return gpos.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
}

function half(ad: number, sysvol: number | null): HalfVersion {
  return { ad, sysvol, consistent: sysvol === ad };
}

function versionText(version: HalfVersion): string {
  if (version.sysvol === null) return `${version.ad}/? (no GPT.INI)`;
  return version.consistent ? `${version.ad}/${version.sysvol}` : `${version.ad}/${version.sysvol} (mismatch)`;
}

function isoTime(text: string | undefined): string | null {
  return parseGeneralizedTime(text)?.toISOString() ?? null;
}

/**
 * The GPOs the patterns name, in list order: a pattern with `*` or `?` is a case-insensitive wildcard on the display
 * name (it may match none); anything else is a GUID or an exact name, which must match (NOT_FOUND otherwise).
 */
export function selectByPatterns<T extends { id: string; displayName: string }>(
  all: readonly T[],
  patterns: readonly string[],
): T[] {
  if (patterns.length === 0) return [...all];
  const chosen = new Set<T>();
  for (const pattern of patterns) {
    if (/[*?]/.test(pattern)) {
      const regex = wildcard(pattern);
      for (const item of all) if (regex.test(item.displayName)) chosen.add(item);
      continue;
    }
    const matches = matchGuidOrName(all, pattern);
    // Two GPOs may share a name: a list shows both, where a backup would ask which one.
    if (matches.length === 0) selectGpos(all, [pattern]);
    for (const item of matches) chosen.add(item);
  }
  return all.filter((item) => chosen.has(item));
}

function wildcard(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'iu');
}
