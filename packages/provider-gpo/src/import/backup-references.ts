import { isDomainSid } from '@coffer/active-directory';
import type { SecurityPrincipal } from '@coffer/gpmc';
import { GPT_FOLDER, type LoadedGpoBackup } from '../restore/load-backup.js';
import {
  MigrationPlan,
  emptyMigrationReport,
  migrateSettingsFile,
  settingsFileKind,
  type MigrationReport,
} from './apply-migration.js';
import type { MigrationEntryType, MigrationTableEntry } from './migration-table.js';

/**
 * Applies a migration plan to every settings file of a backup a table applies to, in memory: the bytes each file
 * would be written with, and what was mapped and what was not. Import writes these bytes; a what-if and the
 * migration-table command only read the report. With a plan of no mappings it lists every domain principal and
 * UNC path the settings name.
 */
export async function migrateBackupSettings(
  backup: LoadedGpoBackup,
  plan: MigrationPlan,
): Promise<{ migrated: Map<string, Buffer>; report: MigrationReport }> {
  const migrated = new Map<string, Buffer>();
  const report = emptyMigrationReport();
  for (const file of backup.gpt) {
    if (file.kind !== 'file' || settingsFileKind(file.path) === null) continue;
    const bytes = await backup.reader.readFile([...GPT_FOLDER, file.path].join('/'));
    migrated.set(file.path, migrateSettingsFile(file.path, bytes, plan, report));
  }
  return { migrated, report };
}

/** What the settings of a backup name that a migration table could map, found with the import's own scanner. */
export async function referencesOf(backup: LoadedGpoBackup): Promise<MigrationReport> {
  return (await migrateBackupSettings(backup, new MigrationPlan([], backup.xml.securityGroups, new Map()))).report;
}

/** Whether Backup.xml's principal is a domain account (not BUILTIN, NT AUTHORITY or another well-known one). */
function isDomainPrincipal(principal: SecurityPrincipal): boolean {
  if (principal.sid) return isDomainSid(principal.sid);
  const domain = principal.netbiosDomainName?.toUpperCase() ?? '';
  return principal.samAccountName !== null && domain !== '' && domain !== 'BUILTIN' && domain !== 'NT AUTHORITY';
}

/**
 * The source a migration table names a principal by, as GPMC's Migration Table Editor fills it in from a backup:
 * a user or computer by its UPN when Backup.xml records one, otherwise (groups) `DOMAIN\name`; the SID when no name
 * is known (type Unknown, GPMC's "Free text or SID").
 */
function sourceOf(principal: SecurityPrincipal): string | null {
  const sam = principal.samAccountName;
  if ((principal.type === 'User' || principal.type === 'Computer') && principal.upn) return principal.upn;
  if (sam && principal.netbiosDomainName) return `${principal.netbiosDomainName}\\${sam}`;
  if (sam && principal.dnsDomainName) return `${principal.dnsDomainName}\\${sam}`;
  return principal.sid;
}

/**
 * The entries of a migration table made from backups (GPMC's "Populate from backup"): every domain principal
 * Backup.xml's `<SecurityGroups>` lists from the settings (not the GPO's DACL, which import leaves alone), every
 * domain principal and UNC path the settings name that it does not (Group Policy Preferences, folder redirection),
 * each once, destinations set to `<DestinationSameAsSource />` for the admin to fill in. Principals first, in the
 * order found, then UNC paths.
 */
export async function migrationEntriesFrom(backups: readonly LoadedGpoBackup[]): Promise<MigrationTableEntry[]> {
  const entries: MigrationTableEntry[] = [];
  const seen = new Set<string>();
  const add = (type: MigrationEntryType, source: string, keys: Array<string | null | undefined>) => {
    const all = [source, ...keys].filter((k): k is string => Boolean(k)).map((k) => k.toLowerCase());
    if (all.some((k) => seen.has(`${type === 'UNCPath' ? 'unc' : 'p'}|${k}`))) return;
    for (const k of all) seen.add(`${type === 'UNCPath' ? 'unc' : 'p'}|${k}`);
    entries.push({ type, source, destination: { kind: 'same-as-source' } });
  };
  const uncPaths: string[] = [];
  for (const backup of backups) {
    for (const principal of backup.xml.securityGroups) {
      if (principal.fromDacl || !isDomainPrincipal(principal)) continue;
      const source = sourceOf(principal);
      if (source) add(principal.type ?? 'Unknown', source, [principal.sid]);
    }
    const report = await referencesOf(backup);
    for (const [key, reference] of report.unmappedReferences) {
      const known = backup.xml.securityGroups.find(
        (p) => (reference.sid && p.sid?.toLowerCase() === reference.sid.toLowerCase()) || false,
      );
      if (known && !known.fromDacl && sourceOf(known)) {
        add(known.type ?? 'Unknown', sourceOf(known)!, [known.sid, reference.name]);
        continue;
      }
      // A name the settings give (`DOMAIN\name`) matches by name; the SID alone when there is none.
      const source = reference.name?.includes('\\') ? reference.name : (reference.sid ?? key);
      add('Unknown', source, [reference.sid, reference.name]);
    }
    uncPaths.push(...report.unmappedUncPaths);
  }
  // Each path as the settings spell it (an exact source matches in GPMC and in Coffer, which also maps below it).
  for (const path of uncPaths) add('UNCPath', path, []);
  return entries;
}
