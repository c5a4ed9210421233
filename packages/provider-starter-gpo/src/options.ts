/**
 * Options. The connection part is active-directory's shared shape, so the CLI gives every AD provider the same
 * flags (`--dc`, `--domain`, `--user`, `--password-file`, `--ca-file`, `--sysvol`; the password itself never a flag).
 */
import { adConnectionShape } from '@coffer/active-directory';
import { z } from 'zod';

/** active-directory's shared connection options; a DC is optional here (a local --sysvol alone will do), smbConf is ours. */
const connectionShape = {
  ...adConnectionShape,
  dc: adConnectionShape.dc
    .optional()
    .describe(
      'FQDN of the domain controller (its name in the LDAPS certificate), e.g. dc1.example.com. Needed unless --sysvol is given.',
    ),
  domain: adConnectionShape.domain.describe(
    'DNS name of the domain, e.g. example.com (default: read from the DC; needed with --sysvol alone).',
  ),
  user: adConnectionShape.user
    .optional()
    .describe('Account to bind as: user, user@domain or DOMAIN\\user. Needed with --dc.'),
  password: adConnectionShape.password.describe('Password of the account.'),
  sysvol: adConnectionShape.sysvol.describe(
    'Local or mounted SYSVOL folder (the one holding <domain>/StarterGPOs) to read instead of SMB.',
  ),
  smbConf: z
    .string()
    .min(1)
    .optional()
    .describe("smb.conf of the DC that owns a local --sysvol, so samba-tool can read the folders' NT ACLs."),
};

export const connectionOptionsSchema = z.object(connectionShape);
export type StarterGpoConnectionOptions = z.infer<typeof connectionOptionsSchema>;

function connectionProblems(options: StarterGpoConnectionOptions, context: z.RefinementCtx): void {
  if (options.dc === undefined && options.sysvol === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['dc'],
      message: 'give --dc (read SYSVOL over SMB) or --sysvol (a local SYSVOL path)',
    });
  }
  if (options.dc === undefined && options.domain === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['domain'],
      message: 'give the domain (--domain) when reading a local SYSVOL without a DC',
    });
  }
  if (options.dc !== undefined && options.user === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['user'],
      message: 'an account is needed to reach the domain controller',
    });
  }
}

export const backupOptionsSchema = z
  .object({
    ...connectionShape,
    starterGpo: z
      .array(z.string().min(1))
      .optional()
      .describe('Starter GPO to back up, by display name or GUID; repeat for several.'),
    all: z.boolean().optional().describe('Back up every Starter GPO of the domain.'),
    changed: z
      .boolean()
      .optional()
      .describe(
        'Back up only the selected Starter GPOs that differ from their newest backup in the directory (a file added, removed, renamed or with other content, the folder name or its permissions); the others are reported as unchanged.',
      ),
  })
  .superRefine((options, context) => {
    connectionProblems(options, context);
    const named = (options.starterGpo ?? []).length > 0;
    if (named && options.all === true)
      context.addIssue({ code: 'custom', path: ['all'], message: 'give either --starter-gpo or --all, not both' });
    if (!named && options.all !== true)
      context.addIssue({
        code: 'custom',
        path: ['starterGpo'],
        message: 'name a Starter GPO (--starter-gpo) or pass --all',
      });
  });

export type StarterGpoBackupOptions = z.infer<typeof backupOptionsSchema>;

export const saveCabOptionsSchema = z
  .object({
    ...connectionShape,
    starterGpo: z.string().min(1).describe('The Starter GPO to save, by display name or GUID.'),
    out: z.string().min(1).describe('The .cab file to write; its folder must exist.'),
    overwrite: z.boolean().optional().describe('Replace the .cab file when it exists (otherwise that is an error).'),
    compression: z.enum(['mszip', 'none']).optional().describe('MSZIP (default, as GPMC) or none.'),
  })
  .superRefine(connectionProblems);

export type SaveCabOptions = z.infer<typeof saveCabOptionsSchema>;

/** Which backups a restore takes: one by id, the newest of one Starter GPO, or the newest of each. */
export const restoreOptionsSchema = z
  .object({
    ...connectionShape,
    backupId: z
      .string()
      .min(1)
      .optional()
      .describe('The backup to restore, by its id ({GUID}, the backup folder name).'),
    starterGpo: z
      .string()
      .min(1)
      .optional()
      .describe('Restore the newest backup of this Starter GPO, by display name or GUID.'),
    all: z.boolean().optional().describe('Restore the newest backup of every Starter GPO in the directory.'),
    unverified: z
      .boolean()
      .optional()
      .describe(
        'Accept a backup without a Coffer integrity manifest (one GPMC wrote on Windows): nothing vouches for its files. A Coffer backup that lost its manifest is refused even so.',
      ),
    whatIf: z
      .boolean()
      .optional()
      .describe(
        'Read and check everything, print what would change (Starter GPOs, files added, changed and removed, versions, folder ACL) and write nothing.',
      ),
  })
  .superRefine((options, context) => {
    connectionProblems(options, context);
    const chosen = [options.backupId !== undefined, options.starterGpo !== undefined, options.all === true].filter(
      Boolean,
    ).length;
    if (chosen > 1)
      context.addIssue({
        code: 'custom',
        path: ['backupId'],
        message: 'give only one of --backup-id, --starter-gpo and --all',
      });
  });

export type StarterGpoRestoreOptions = z.infer<typeof restoreOptionsSchema>;

export const loadCabOptionsSchema = z
  .object({
    ...connectionShape,
    cab: z
      .string()
      .min(1)
      .describe('The .cab file to load (saved by GPMC, by save-cab, or any cabinet holding StarterGPO.tmplx).'),
    overwrite: z
      .boolean()
      .optional()
      .describe(
        'Replace the Starter GPO with the same GUID when the domain already has it (otherwise that is an error).',
      ),
  })
  .superRefine(connectionProblems);

export type LoadCabOptions = z.infer<typeof loadCabOptionsSchema>;
