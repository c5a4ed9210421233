import { isDomainSid } from '@coffer/active-directory';
import type { SecurityPrincipal } from '@coffer/gpmc';
import type { MigrationMapping } from './migration-table.js';

/** A principal in the target domain: what a mapped reference becomes. */
export interface TargetPrincipal {
  sid: string;
  /** `DOMAIN\sam`, or the well-known name. */
  name: string;
}

export type PrincipalOutcome =
  | { kind: 'unmapped' }
  | { kind: 'keep'; mapping: MigrationMapping }
  | { kind: 'remove'; mapping: MigrationMapping }
  | { kind: 'replace'; mapping: MigrationMapping; principal: TargetPrincipal };

/** What the import changed, and what it could not map. */
export interface MigrationReport {
  principalsReplaced: number;
  principalsRemoved: number;
  uncPathsReplaced: number;
  /** Domain principals the settings name that no mapping covers (SID or name). */
  unmappedPrincipals: Set<string>;
  unmappedUncPaths: Set<string>;
  /** Each unmapped principal (keyed as in unmappedPrincipals) with the SID and name the settings give it. */
  unmappedReferences: Map<string, { sid: string | null; name: string | null }>;
  /** How many references each mapping (by its index in the table) applied to. */
  mappingUses: Map<number, number>;
}

export function emptyMigrationReport(): MigrationReport {
  return {
    principalsReplaced: 0,
    principalsRemoved: 0,
    uncPathsReplaced: 0,
    unmappedPrincipals: new Set(),
    unmappedUncPaths: new Set(),
    unmappedReferences: new Map(),
    mappingUses: new Map(),
  };
}

/**
 * The mappings of a migration table bound to one backup and one target domain. A settings reference (a
 * SID, a name, or both) matches a mapping whose source is that SID or any name Backup.xml's
 * `<SecurityGroups>` records for it (sam, DOMAIN\sam, dns\sam, UPN), case-insensitively.
 */
export class MigrationPlan {
  readonly #principalMappings: MigrationMapping[];
  readonly #uncMappings: Array<{ mapping: MigrationMapping; source: string; destination: string }>;
  readonly #sourcePrincipals: readonly SecurityPrincipal[];
  readonly #targets: ReadonlyMap<number, TargetPrincipal>;

  /** `targets`: the resolved target principal of every `set` and `by-relative-name` principal mapping, by mapping index. */
  constructor(
    mappings: readonly MigrationMapping[],
    sourcePrincipals: readonly SecurityPrincipal[],
    targets: ReadonlyMap<number, TargetPrincipal>,
  ) {
    this.#principalMappings = mappings.filter((m) => m.type !== 'UNCPath');
    this.#uncMappings = mappings
      .filter((m) => m.type === 'UNCPath')
      .map((mapping) => ({
        mapping,
        source: trimSlash(mapping.source),
        destination:
          mapping.destination.kind === 'set' ? trimSlash(mapping.destination.value) : trimSlash(mapping.source),
      }))
      .sort((a, b) => b.source.length - a.source.length); // the most specific path wins
    this.#sourcePrincipals = sourcePrincipals;
    this.#targets = targets;
  }

  /** Every name and SID a reference is known by in the source domain, lower-case. */
  keysOf(reference: { sid?: string | null; name?: string | null }): Set<string> {
    const keys = new Set<string>();
    if (reference.sid) keys.add(reference.sid.toLowerCase());
    if (reference.name) keys.add(reference.name.toLowerCase());
    for (const principal of this.#sourcePrincipals) {
      const names = namesOf(principal);
      const sidMatches = reference.sid && principal.sid && principal.sid.toLowerCase() === reference.sid.toLowerCase();
      const nameMatches = reference.name && names.includes(reference.name.toLowerCase());
      if (!sidMatches && !nameMatches) continue;
      if (principal.sid) keys.add(principal.sid.toLowerCase());
      for (const name of names) keys.add(name);
    }
    return keys;
  }

  principal(reference: { sid?: string | null; name?: string | null }): PrincipalOutcome {
    const keys = this.keysOf(reference);
    const mapping = this.#principalMappings.find((m) => keys.has(m.source.toLowerCase()));
    if (!mapping) return { kind: 'unmapped' };
    if (mapping.destination.kind === 'same-as-source') return { kind: 'keep', mapping };
    if (mapping.destination.kind === 'none') return { kind: 'remove', mapping };
    const principal = this.#targets.get(mapping.index);
    if (!principal) throw new Error(`mapping #${mapping.index} was not resolved`);
    return { kind: 'replace', mapping, principal };
  }

  /** The mapped UNC path, or null when no mapping covers it. */
  unc(path: string): string | null {
    return this.uncMatch(path)?.mapped ?? null;
  }

  /** The mapped UNC path and the mapping that maps it, or null when no mapping covers it. */
  uncMatch(path: string): { mapped: string; mapping: MigrationMapping } | null {
    const lower = path.toLowerCase();
    for (const { mapping, source, destination } of this.#uncMappings) {
      const key = source.toLowerCase();
      if (lower === key || lower.startsWith(`${key}\\`))
        return { mapped: destination + path.slice(source.length), mapping };
    }
    return null;
  }
}

function trimSlash(path: string): string {
  return path.replace(/\\+$/, '');
}

function namesOf(principal: SecurityPrincipal): string[] {
  const sam = principal.samAccountName;
  if (!sam) return [];
  const names = [sam];
  if (principal.netbiosDomainName) names.push(`${principal.netbiosDomainName}\\${sam}`);
  if (principal.dnsDomainName) names.push(`${principal.dnsDomainName}\\${sam}`);
  if (principal.upn) names.push(principal.upn);
  return names.map((n) => n.toLowerCase());
}

/** Whether a settings reference needs mapping when moved to another domain (GPMC: domain accounts and any plain name). */
function isDomainSpecific(reference: { sid?: string | null; name?: string | null }): boolean {
  if (reference.sid) return isDomainSid(reference.sid);
  return reference.name?.includes('\\') === true && !/^(BUILTIN|NT AUTHORITY)\\/i.test(reference.name);
}

function note(
  plan: MigrationPlan,
  report: MigrationReport,
  reference: { sid?: string | null; name?: string | null },
): PrincipalOutcome {
  const outcome = plan.principal(reference);
  if (outcome.kind === 'unmapped' && isDomainSpecific(reference)) {
    const key = reference.sid ?? reference.name ?? '';
    report.unmappedPrincipals.add(key);
    const known = report.unmappedReferences.get(key);
    report.unmappedReferences.set(key, { sid: reference.sid ?? null, name: known?.name ?? reference.name ?? null });
  }
  if (outcome.kind !== 'unmapped')
    report.mappingUses.set(outcome.mapping.index, (report.mappingUses.get(outcome.mapping.index) ?? 0) + 1);
  if (outcome.kind === 'replace') report.principalsReplaced += 1;
  if (outcome.kind === 'remove') report.principalsRemoved += 1;
  return outcome;
}

// ---- GptTmpl.inf ------------------------------------------------------------------------------

function templateToken(token: string): { sid: string | null; name: string | null } {
  const value = token.trim().replace(/^"(.*)"$/, '$1');
  return value.startsWith('*') ? { sid: value.slice(1).toUpperCase(), name: null } : { sid: null, name: value };
}

/**
 * Maps the principals of a security template: the accounts of `[Privilege Rights]` and the groups and
 * members of `[Group Membership]`. Lines nothing applies to are kept byte for byte.
 */
export function migrateSecurityTemplate(text: string, plan: MigrationPlan, report: MigrationReport): string {
  let section = '';
  const lines = text.split(/(\r\n|\n)/);
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i]!;
    const header = /^\s*\[(.*)\]\s*$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    if (section !== 'privilege rights' && section !== 'group membership') continue;
    const equals = line.indexOf('=');
    if (equals < 0) continue;
    let key = line.slice(0, equals);
    const valueText = line.slice(equals + 1);
    const lead = /^\s*/.exec(valueText)![0];
    let changed = false;
    if (section === 'group membership') {
      const match = /^(\s*)(.*?)(__members|__memberof)(\s*)$/i.exec(key);
      if (match) {
        const outcome = note(plan, report, templateToken(match[2]!));
        if (outcome.kind === 'remove') {
          lines[i] = '';
          if (lines[i + 1] !== undefined) lines[i + 1] = '';
          continue;
        }
        if (outcome.kind === 'replace') {
          key = `${match[1]}*${outcome.principal.sid}${match[3]}${match[4]}`;
          changed = true;
        }
      }
    }
    const tokens = valueText.trim() === '' ? [] : valueText.split(',');
    const mapped: string[] = [];
    for (const token of tokens) {
      const outcome = note(plan, report, templateToken(token));
      if (outcome.kind === 'remove') {
        changed = true;
        continue;
      }
      if (outcome.kind === 'replace') {
        mapped.push(`*${outcome.principal.sid}`);
        changed = true;
        continue;
      }
      mapped.push(token.trim());
    }
    if (changed) lines[i] = `${key}=${lead}${mapped.join(',')}`;
  }
  return lines.join('');
}

// ---- Group Policy Preferences XML ---------------------------------------------------------------

const PRINCIPAL_ATTRIBUTE_PAIRS: Array<[string, string]> = [
  ['sid', 'name'],
  ['groupSid', 'groupName'],
];

function unescapeXml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Maps Preferences items (Groups.xml members and groups, and any item naming an account by `sid` +
 * `name`) and UNC paths in attribute values. A member mapped to nothing is removed from the group.
 * Attributes nothing applies to are kept byte for byte.
 */
export function migratePreferencesXml(text: string, plan: MigrationPlan, report: MigrationReport): string {
  return text.replace(
    /<([A-Za-z][\w:.-]*)(\s[^<>]*?)?(\/?)>/g,
    (whole, tag: string, attributeText: string | undefined, selfClosing: string) => {
      if (!attributeText) return whole;
      let attributes = attributeText;
      for (const [sidName, nameName] of PRINCIPAL_ATTRIBUTE_PAIRS) {
        const sid = new RegExp(`(\\s${sidName}=")([^"]*)(")`).exec(attributes);
        if (!sid) continue;
        const name = new RegExp(`(\\s${nameName}=")([^"]*)(")`).exec(attributes);
        const reference = { sid: sid[2] ? sid[2] : null, name: name ? unescapeXml(name[2]!) : null };
        if (!reference.sid && !reference.name) continue;
        const outcome = note(plan, report, reference);
        if (outcome.kind === 'remove' && tag === 'Member' && selfClosing === '/') return '';
        if (outcome.kind === 'replace') {
          attributes = attributes.replace(sid[0], `${sid[1]}${outcome.principal.sid}${sid[3]}`);
          if (name)
            attributes = attributes.replace(name[0], `${name[1]}${escapeXml(outcome.principal.name)}${name[3]}`);
        }
      }
      attributes = attributes.replace(
        /(\s[\w:.-]+=")(\\\\[^"]*)(")/g,
        (match, before: string, value: string, after: string) => {
          const mapped = mapUnc(plan, report, unescapeXml(value));
          return mapped === null ? match : `${before}${escapeXml(mapped)}${after}`;
        },
      );
      return `<${tag}${attributes}${selfClosing}>`;
    },
  );
}

function mapUnc(plan: MigrationPlan, report: MigrationReport, path: string): string | null {
  const match = plan.uncMatch(path);
  if (match === null) {
    report.unmappedUncPaths.add(path);
    return null;
  }
  const { mapped, mapping } = match;
  report.mappingUses.set(mapping.index, (report.mappingUses.get(mapping.index) ?? 0) + 1);
  if (mapped !== path) report.uncPathsReplaced += 1;
  return mapped;
}

// ---- ini files: scripts, folder redirection -----------------------------------------------------

/**
 * Maps UNC paths in `key=value` lines (scripts.ini, psscripts.ini, fdeploy*.ini) and, in folder
 * redirection files, the SIDs that key each redirection target.
 */
export function migrateIniText(text: string, plan: MigrationPlan, report: MigrationReport, sidKeys: boolean): string {
  const lines = text.split(/(\r\n|\n)/);
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i]!;
    const equals = line.indexOf('=');
    if (equals < 0 || /^\s*\[/.test(line)) continue;
    let key = line.slice(0, equals);
    let value = line.slice(equals + 1);
    let changed = false;
    if (sidKeys && /^\s*S-1-[\d-]+\s*$/i.test(key)) {
      const outcome = note(plan, report, { sid: key.trim().toUpperCase(), name: null });
      if (outcome.kind === 'remove') {
        lines[i] = '';
        if (lines[i + 1] !== undefined) lines[i + 1] = '';
        continue;
      }
      if (outcome.kind === 'replace') {
        key = outcome.principal.sid;
        changed = true;
      }
    }
    if (value.trim().startsWith('\\\\')) {
      const mapped = mapUnc(plan, report, value.trim());
      if (mapped !== null && mapped !== value.trim()) {
        value = value.replace(value.trim(), mapped);
        changed = true;
      }
    }
    if (changed) lines[i] = `${key}=${value}`;
  }
  return lines.join('');
}

// ---- dispatch by file -------------------------------------------------------------------------

export type SettingsFileKind = 'security-template' | 'preferences-xml' | 'ini' | 'folder-redirection';

/** Which settings files a migration table applies to, by their path in the GPT. */
export function settingsFileKind(path: string): SettingsFileKind | null {
  const lower = path.toLowerCase();
  if (/(^|\/)gpttmpl\.inf$/.test(lower)) return 'security-template';
  if (/(^|\/)preferences\/.+\.xml$/.test(lower)) return 'preferences-xml';
  if (/(^|\/)fdeploy\d*\.ini$/.test(lower)) return 'folder-redirection';
  if (/(^|\/)(ps)?scripts\.ini$/.test(lower)) return 'ini';
  return null;
}

/** Text encodings as found: UTF-16LE with BOM (SecEdit, scripts.ini), UTF-8 with or without BOM. */
function decodeSettings(bytes: Buffer): { text: string; encode: (text: string) => Buffer } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return {
      text: bytes.subarray(2).toString('utf16le'),
      encode: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
    };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return {
      text: bytes.subarray(3).toString('utf8'),
      encode: (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')]),
    };
  }
  return { text: bytes.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8') };
}

/** A settings file with the migration table applied; the same bytes back when nothing applied. */
export function migrateSettingsFile(path: string, bytes: Buffer, plan: MigrationPlan, report: MigrationReport): Buffer {
  const kind = settingsFileKind(path);
  if (kind === null) return bytes;
  const { text, encode } = decodeSettings(bytes);
  const migrated =
    kind === 'security-template'
      ? migrateSecurityTemplate(text, plan, report)
      : kind === 'preferences-xml'
        ? migratePreferencesXml(text, plan, report)
        : migrateIniText(text, plan, report, kind === 'folder-redirection');
  return migrated === text ? bytes : encode(migrated);
}
