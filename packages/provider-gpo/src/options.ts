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
    unverified: unverifiedOption,
  })
  .refine((o) => !(o.backupId !== undefined && o.gpo !== undefined), {
    message: 'name the backup with backupId or gpo, not both',
    path: ['backupId'],
  })
  .refine((o) => !o.migrationTableOnly || o.migrationTable !== undefined, {
    message: 'migrationTableOnly needs a migrationTable',
    path: ['migrationTableOnly'],
  });

export type GpoRestoreOptions = z.infer<typeof gpoRestoreOptions>;
export type GpoImportOptions = z.infer<typeof gpoImportOptions>;
