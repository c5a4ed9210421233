import type { OperationContext, Severity } from '@coffer/core';

/** MSDRM_STATUS values of IWMDRMLicenseBackupRestoreStatus (wmdrmsdk.h). */
export const MSDRM_STATUS = {
  ERROR: 0,
  INFORMATION: 1,
  BACKUPRESTORE_BEGIN: 2,
  BACKUPRESTORE_END: 3,
  CONNECTING: 4,
  DISCONNECTING: 5,
  ERROR_WITHURL: 6,
  RESTRICTED_LICENSE: 7,
  NEEDS_INDIVIDUALIZATION: 8,
} as const;

/** WMT_STATUS values the wmsdkidl IWMStatusCallback receives for the same events. */
export const WMT_STATUS = {
  BACKUPRESTORE_BEGIN: 21,
  BACKUPRESTORE_END: 27,
  BACKUPRESTORE_CONNECTING: 28,
  BACKUPRESTORE_DISCONNECTING: 29,
  ERROR_WITHURL: 30,
  RESTRICTED_LICENSE: 31,
} as const;

export type MsdrmStatusName = keyof typeof MSDRM_STATUS;

/** The statuses that are phases, in words for a person (the CLI shows these; --json keeps the status name as the phase). */
const PHASE_LABELS: Partial<Record<MsdrmStatusName, string>> = {
  BACKUPRESTORE_BEGIN: 'Copying licenses',
  BACKUPRESTORE_END: 'Finishing',
  CONNECTING: 'Contacting the license restore service',
  DISCONNECTING: 'Closing the license restore service connection',
  NEEDS_INDIVIDUALIZATION: 'Individualizing',
};

/**
 * How the status sequence maps onto core: every status is a progress phase of that name (labelled for people)
 * and a status message whose code is the name. RESTRICTED_LICENSE is a warning (the
 * backup succeeds, but the user must learn that a license is not in it); the other
 * statuses are information.
 */
export function reportStatus(
  context: OperationContext,
  status: Exclude<MsdrmStatusName, 'ERROR' | 'INFORMATION' | 'ERROR_WITHURL'>,
  message: string,
  extra: { object?: string; addTotal?: number; severity?: Severity } = {},
): void {
  if (status !== 'RESTRICTED_LICENSE') context.progress.phase(status, extra.addTotal ?? 0, PHASE_LABELS[status]);
  context.report({
    severity: extra.severity ?? (status === 'RESTRICTED_LICENSE' ? 'warning' : 'info'),
    code: status,
    message,
    ...(extra.object === undefined ? {} : { object: extra.object }),
  });
}

/** The MSDRM_STATUS value a Coffer status message stands for, if it is one. */
export function msdrmStatusOf(code: string): number | undefined {
  return Object.hasOwn(MSDRM_STATUS, code) ? MSDRM_STATUS[code as MsdrmStatusName] : undefined;
}
