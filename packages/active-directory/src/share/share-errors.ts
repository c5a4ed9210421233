import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import { firstNtStatus, smbFailure, type SmbErrorContext } from '../sysvol/smbclient-errors.js';

/** Stable codes of the errors only SMB-share destinations raise (the others are the SMB ones of {@link smbFailure}). */
export const ShareErrorCode = {
  /** The share has no space left (NT_STATUS_DISK_FULL / NT_STATUS_QUOTA_EXCEEDED): ERROR_DISK_FULL. */
  DiskFull: 'SHARE_DISK_FULL',
  /** Another Coffer run publishes into the same share folder: ERROR_SHARING_VIOLATION, as core's DESTINATION_LOCKED. */
  Locked: 'DESTINATION_LOCKED',
  /** Writers kept changing the share folder while it was read: no consistent copy could be taken. */
  Busy: 'SHARE_BUSY',
  /** An upload did not come back byte for byte: ERROR_FILE_CORRUPT. */
  UploadMismatch: 'SHARE_UPLOAD_MISMATCH',
} as const;

const DISK_FULL = new Set(['NT_STATUS_DISK_FULL', 'NT_STATUS_QUOTA_EXCEEDED', 'NT_STATUS_ALLOTTED_SPACE_EXCEEDED']);

/**
 * A failure of a tar transfer (the SYSVOL source words it as AD_SMB_FAILED with smbclient's line) that was the
 * share running out of space, as SHARE_DISK_FULL; any other error as it is.
 */
export function diskFullOr(error: unknown, context: SmbErrorContext): unknown {
  if (!(error instanceof CofferError)) return error;
  const status = firstNtStatus(error.message);
  return status !== null && DISK_FULL.has(status) ? shareFailure(error.message, context, true) : error;
}

/** smbFailure, plus the one status a destination meets that a SYSVOL read never does: no space left. */
export function shareFailure(output: string, context: SmbErrorContext, connected: boolean): CofferError {
  const status = firstNtStatus(output);
  if (status !== null && DISK_FULL.has(status)) {
    return new CofferError(
      ShareErrorCode.DiskFull,
      `The share //${context.server}/${context.share} is full: ${context.operation} failed (${status}).`,
      {
        hresult: HRESULT.ERROR_DISK_FULL,
        object: `//${context.server}/${context.share}/${context.path}`,
        hint: 'Free space on the share (or raise the quota), then run the backup again; nothing partial is visible.',
      },
    );
  }
  const failure = smbFailure(output, context, connected);
  if (failure.code === AdErrorCode.PathNotFound) {
    // smbFailure words it for SYSVOL (a GPO folder); a backup folder on a share is another thing to check.
    return new CofferError(
      AdErrorCode.PathNotFound,
      `${context.path} does not exist on //${context.server}/${context.share}.`,
      {
        hresult: HRESULT.ERROR_PATH_NOT_FOUND,
        object: `//${context.server}/${context.share}/${context.path}`,
        hint: 'Check the folder named after the share; Coffer never creates the backup folder itself.',
        cause: failure,
      },
    );
  }
  return failure;
}
