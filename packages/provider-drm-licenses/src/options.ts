import { z } from 'zod';

/** Flag values of IWMDRMLicenseManagement (wmdrmsdk.h) and IWMLicenseBackup/Restore (wmsdkidl.h). */
export const WMDRM_BACKUP_OVERWRITE = 0x1;
export const WMDRM_RESTORE_INDIVIDUALIZE = 0x2;

const storeLocation = {
  store: z
    .string()
    .min(1)
    .optional()
    .describe('License store folder (default: COFFER_DRM_STORE, else <XDG data>/coffer/drm-store).'),
  machineId: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Machine id to bind to (default: COFFER_DRM_MACHINE_ID, else /etc/machine-id). Tests simulate machines with it.',
    ),
};

function flagsField(allowed: number, names: string) {
  return z
    .number()
    .int()
    .min(0)
    .max(0xffffffff)
    .optional()
    .refine((flags) => flags === undefined || (flags & ~allowed) === 0, {
      message: `unknown flag bits (E_INVALIDARG); this operation accepts only ${names}`,
    })
    .describe(`WMDRM flags: ${names}`);
}

export const backupOptionsSchema = z
  .object({
    ...storeLocation,
    flags: flagsField(WMDRM_BACKUP_OVERWRITE, 'WMDRM_BACKUP_OVERWRITE (0x1)'),
    overwrite: z.boolean().optional().describe('Replace an existing backup (same as flag WMDRM_BACKUP_OVERWRITE).'),
  })
  .strict()
  // Given together, the boolean and the flags must say the same: --flags 0 --overwrite asks for both.
  .refine(
    (o) =>
      o.overwrite === undefined || o.flags === undefined || o.overwrite === ((o.flags & WMDRM_BACKUP_OVERWRITE) !== 0),
    {
      message:
        'overwrite contradicts the flags: overwrite: true needs flag WMDRM_BACKUP_OVERWRITE (0x1) in flags, overwrite: false its absence',
      path: ['overwrite'],
    },
  );

export const restoreOptionsSchema = z
  .object({
    ...storeLocation,
    servicePath: z
      .string()
      .min(1)
      .optional()
      .describe(
        'License restore service folder (default: COFFER_DRM_SERVICE, else <XDG data>/coffer/drm-license-service).',
      ),
    flags: flagsField(WMDRM_RESTORE_INDIVIDUALIZE, 'WMDRM_RESTORE_INDIVIDUALIZE (0x2)'),
    individualize: z
      .boolean()
      .optional()
      .describe('Bind licenses from another machine to this one (same as flag WMDRM_RESTORE_INDIVIDUALIZE).'),
  })
  .strict()
  .refine(
    (o) =>
      o.individualize === undefined ||
      o.flags === undefined ||
      o.individualize === ((o.flags & WMDRM_RESTORE_INDIVIDUALIZE) !== 0),
    {
      message:
        'individualize contradicts the flags: individualize: true needs flag WMDRM_RESTORE_INDIVIDUALIZE (0x2) in flags, individualize: false its absence',
      path: ['individualize'],
    },
  );

export type BackupOptions = z.infer<typeof backupOptionsSchema>;
export type RestoreOptions = z.infer<typeof restoreOptionsSchema>;

export function wantsOverwrite(options: BackupOptions): boolean {
  return options.overwrite === true || ((options.flags ?? 0) & WMDRM_BACKUP_OVERWRITE) !== 0;
}

export function wantsIndividualize(options: RestoreOptions): boolean {
  return options.individualize === true || ((options.flags ?? 0) & WMDRM_RESTORE_INDIVIDUALIZE) !== 0;
}
