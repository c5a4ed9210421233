import { CofferError, HRESULT } from '@coffer/core';

/**
 * Win32 codes core's HRESULT table does not list yet (requested from the lead); values are
 * HRESULT_FROM_WIN32 of winerror.h's ERROR_INVALID_ACL (1336), ERROR_INVALID_SID (1337) and
 * ERROR_INVALID_SECURITY_DESCR (1338), the codes Windows' own validators return.
 */
export const SECURITY_HRESULT = {
  ERROR_INVALID_ACL: 0x80070538,
  ERROR_INVALID_SID: 0x80070539,
  ERROR_INVALID_SECURITY_DESCR: 0x8007053a,
} as const;

/** Stable codes of the errors this module throws. */
export const SecurityErrorCode = {
  InvalidSecurityDescriptor: 'INVALID_SECURITY_DESCRIPTOR',
  InvalidSid: 'INVALID_SID',
  InvalidGuid: 'INVALID_GUID',
  InvalidSddl: 'INVALID_SDDL',
  SddlNotRepresentable: 'SDDL_NOT_REPRESENTABLE',
} as const;

export type SecurityErrorCodeValue = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode];

/** A binary security descriptor (or one of its ACLs/ACEs) is malformed. */
export function invalidSecurityDescriptor(message: string, object = 'security descriptor'): CofferError {
  return new CofferError(SecurityErrorCode.InvalidSecurityDescriptor, message, {
    hresult: SECURITY_HRESULT.ERROR_INVALID_SECURITY_DESCR,
    object,
    hint: 'The bytes are not a well-formed self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6); re-read the attribute (nTSecurityDescriptor) or the backup file it came from.',
  });
}

export function invalidSid(message: string, object: string): CofferError {
  return new CofferError(SecurityErrorCode.InvalidSid, message, {
    hresult: SECURITY_HRESULT.ERROR_INVALID_SID,
    object,
    hint: 'A SID is written S-1-<authority>-<sub-authority>... with at most 15 sub-authorities ([MS-DTYP] 2.4.2.1).',
  });
}

export function invalidGuid(message: string, object: string): CofferError {
  return new CofferError(SecurityErrorCode.InvalidGuid, message, {
    hresult: HRESULT.E_INVALIDARG,
    object,
    hint: 'A GUID is 32 hex digits written xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, optionally in braces.',
  });
}

export function invalidSddl(message: string, object: string): CofferError {
  return new CofferError(SecurityErrorCode.InvalidSddl, message, {
    // ConvertStringSecurityDescriptorToSecurityDescriptor fails with ERROR_INVALID_PARAMETER.
    hresult: HRESULT.E_INVALIDARG,
    object,
    hint: 'Check the SDDL against [MS-DTYP] 2.5.1; domain aliases such as DA or EA need the domain SID.',
  });
}

export function sddlNotRepresentable(message: string, object: string): CofferError {
  return new CofferError(SecurityErrorCode.SddlNotRepresentable, message, {
    hresult: HRESULT.ERROR_NOT_SUPPORTED,
    object,
    hint: 'Keep the binary form (serializeSecurityDescriptor) for this descriptor; SDDL cannot express this part of it.',
  });
}
