import { adConnectionShape } from '@coffer/active-directory';
import { z } from 'zod';

/**
 * How to reach the domain: active-directory's shared connection options, so the CLI shows the same flags
 * for every AD provider (`--dc`, `--user`, `--password-file`, `--ca-file`, `--sysvol`...).
 */
export const connectionOptions = {
  ...adConnectionShape,
  sysvol: adConnectionShape.sysvol.describe(
    'Read SYSVOL from this local or mounted folder (the share root, holding <domain>/Policies) instead of over SMB.',
  ),
};

export const gpoBackupOptions = z
  .object({
    ...connectionOptions,
    gpo: z.array(z.string().min(1)).default([]).describe('GPO to back up, by display name or GUID (repeatable).'),
    all: z.boolean().default(false).describe('Back up every GPO of the domain.'),
    changed: z
      .boolean()
      .default(false)
      .describe(
        'Back up only the selected GPOs that differ from their newest backup in the directory (Active Directory state or SYSVOL files); the others are listed as unchanged.',
      ),
  })
  .refine((o) => o.all !== o.gpo.length > 0, {
    message: 'name GPOs with gpo, or ask for all of them with all (one or the other)',
    path: ['gpo'],
  });

export type ConnectionOptions = z.infer<z.ZodObject<typeof connectionOptions>>;
export type GpoBackupOptions = z.infer<typeof gpoBackupOptions>;

/**
 * A backup without a Coffer integrity manifest (GPMC wrote it on Windows) has nothing vouching for its bytes:
 * it is used only when the user says so. A Coffer backup missing its manifest is refused even then.
 */
const unverifiedOption = z
  .boolean()
  .default(false)
  .describe(
    'Accept a backup without a Coffer integrity manifest (one GPMC wrote on Windows); it is checked against its Backup.xml only. A Coffer backup that lost its manifest is refused even so.',
  );

/** Like the GroupPolicy module's -WhatIf: everything is read and checked, the plan printed, nothing written. */
const whatIfOption = z
  .boolean()
  .default(false)
  .describe(
    'Read and check everything, print what would change (GPOs, files, versions, attributes, links, ACEs, migration table entries) and write nothing.',
  );

const backupChoice = {
  backupId: z.string().min(1).optional().describe('Restore this backup (its {GUID} folder name).'),
  gpo: z
    .string()
    .min(1)
    .optional()
    .describe("The newest backup of this GPO (display name or GUID), as GPMC's restore picks it."),
  all: z.boolean().default(false).describe('The newest backup of every GPO in the directory.'),
};

export const gpoRestoreOptions = z
  .object({
    ...connectionOptions,
    ...backupChoice,
    restoreLinks: z
      .boolean()
      .default(false)
      .describe('Also put back the links (order, enforced, enabled) on the containers that still exist.'),
    restoreWmiFilter: z
      .boolean()
      .default(false)
      .describe('Also re-create or update the WMI filter object the GPO used.'),
    unverified: unverifiedOption,
    whatIf: whatIfOption,
  })
  .refine((o) => [o.backupId !== undefined, o.gpo !== undefined, o.all].filter(Boolean).length <= 1, {
    message: 'choose the backup with one of backupId, gpo or all',
    path: ['backupId'],
  });

export const gpoImportOptions = z
  .object({
    ...connectionOptions,
    from: z.string().min(1).describe('GPMC backup directory (or one backup folder) holding the backup to import.'),
    backupId: z.string().min(1).optional().describe('Import this backup (its {GUID} folder name).'),
    gpo: z
      .string()
      .min(1)
      .optional()
      .describe('Import the newest backup of this backed-up GPO (display name or GUID).'),
    targetGpo: z
      .string()
      .min(1)
      .describe('The existing GPO to import into (display name or GUID); it keeps its permissions, name and links.'),
    migrationTable: z
      .string()
      .min(1)
      .optional()
      .describe('A GPMC migration table (.migtable) mapping security principals and UNC paths.'),
    migrationTableOnly: z
      .boolean()
      .default(false)
      .describe(
        'Refuse the import when a domain principal or UNC path in the settings has no mapping in the migration table.',
      ),
    createIfNeeded: z
      .boolean()
      .default(false)
      .describe(
        "Create the target GPO (named targetGpo) when no GPO has that name, as Import-GPO -CreateIfNeeded does; it gets the domain's default GPO permissions.",
      ),
    unverified: unverifiedOption,
    whatIf: whatIfOption,
  })
  .refine((o) => !(o.backupId !== undefined && o.gpo !== undefined), {
    message: 'name the backup with backupId or gpo, not both',
    path: ['backupId'],
  })
  .refine((o) => !o.migrationTableOnly || o.migrationTable !== undefined, {
    message: 'migrationTableOnly needs a migrationTable',
    path: ['migrationTableOnly'],
  });

/** `coffer gpo migration-table`: offline, only backups are read. */
export const gpoMigrationTableOptions = z
  .object({
    from: z.string().min(1).describe('GPMC backup directory (or one backup folder) to read the backups from.'),
    backupId: z
      .array(z.string().min(1))
      .default([])
      .describe('Take this backup (its {GUID} folder name; repeatable). Default: the newest backup of every GPO.'),
    gpo: z.string().min(1).optional().describe('Take the newest backup of this backed-up GPO (display name or GUID).'),
    out: z.string().min(1).describe('The .migtable file to write (UTF-16, as GPMC writes it).'),
    force: z.boolean().default(false).describe('Replace the file named by out if it exists.'),
    unverified: unverifiedOption,
  })
  .refine((o) => !(o.backupId.length > 0 && o.gpo !== undefined), {
    message: 'name the backups with backupId or gpo, not both',
    path: ['backupId'],
  });

export type GpoRestoreOptions = z.infer<typeof gpoRestoreOptions>;
export type GpoMigrationTableOptions = z.infer<typeof gpoMigrationTableOptions>;
export type GpoImportOptions = z.infer<typeof gpoImportOptions>;
