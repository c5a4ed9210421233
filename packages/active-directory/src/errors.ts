import { CofferError, HRESULT } from '@coffer/core';

/**
 * HRESULTs this package reports that core's table does not have yet (winerror.h values).
 * Kept here until the lead adds them to packages/core/src/errors/hresult.ts.
 */
export const AD_HRESULT = {
  /** ERROR_BAD_NETPATH: the network path was not found (SMB server unreachable). */
  ERROR_BAD_NETPATH: 0x80070035,
  /** ERROR_NETNAME_DELETED: the specified network name is no longer available (connection dropped mid-operation). */
  ERROR_NETNAME_DELETED: 0x80070040,
  /** ERROR_BAD_NET_NAME: the network name cannot be found (no such share). */
  ERROR_BAD_NET_NAME: 0x80070043,
  /** ERROR_TIMEOUT: this operation returned because the timeout period expired. */
  ERROR_TIMEOUT: 0x800705b4,
  /** SEC_E_UNTRUSTED_ROOT: the certificate chain was issued by an authority that is not trusted. */
  SEC_E_UNTRUSTED_ROOT: 0x80090325,
  /** SEC_E_WRONG_PRINCIPAL: the target principal name is incorrect (certificate name mismatch). */
  SEC_E_WRONG_PRINCIPAL: 0x80090322,
} as const;

/** Stable codes of the errors this package raises. */
export const AdErrorCode = {
  LogonFailure: 'AD_LOGON_FAILURE',
  UntrustedCertificate: 'AD_UNTRUSTED_CERTIFICATE',
  CertificateNameMismatch: 'AD_CERTIFICATE_NAME_MISMATCH',
  ServerUnreachable: 'AD_SERVER_UNREACHABLE',
  ConnectionLost: 'AD_CONNECTION_LOST',
  Timeout: 'AD_TIMEOUT',
  LdapOperationFailed: 'AD_LDAP_OPERATION_FAILED',
  NoSuchObject: 'AD_NO_SUCH_OBJECT',
  AccessDenied: 'AD_ACCESS_DENIED',
  ShareNotFound: 'AD_SHARE_NOT_FOUND',
  PathNotFound: 'PATH_NOT_FOUND',
  SmbFailed: 'AD_SMB_FAILED',
  CredentialsMissing: 'AD_CREDENTIALS_MISSING',
  UnsupportedPath: 'AD_UNSUPPORTED_PATH',
  ToolMissing: 'AD_TOOL_MISSING',
  /** A SYSVOL rename was refused: a file below is open, or the new name is taken. */
  RenameFailed: 'SYSVOL_RENAME_FAILED',
  /** Samba would not take a descriptor (for a reason other than an SMB status, e.g. SDDL it cannot parse). */
  AclWriteFailed: 'ACL_WRITE_FAILED',
} as const;

export type AdErrorCodeValue = (typeof AdErrorCode)[keyof typeof AdErrorCode];

export function logonFailure(account: string, service: string, cause?: unknown): CofferError {
  return new CofferError(AdErrorCode.LogonFailure, `${service} rejected the user name or password for ${account}.`, {
    hresult: HRESULT.ERROR_LOGON_FAILURE,
    object: account,
    hint: 'Check the user (user@domain or DOMAIN\\user), the domain and the password; the account may also be locked or disabled.',
    cause,
  });
}

export function serverUnreachable(server: string, service: string, hresult: number, cause?: unknown): CofferError {
  const reason = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
  return new CofferError(
    AdErrorCode.ServerUnreachable,
    `Cannot reach the domain controller ${server} over ${service}${reason}.`,
    {
      hresult,
      object: server,
      hint: 'Check the DC name resolves (DNS or /etc/hosts), the DC is running and the port is not blocked by a firewall.',
      cause,
    },
  );
}

export function connectionLost(server: string, operation: string, hresult: number, cause?: unknown): CofferError {
  return new CofferError(AdErrorCode.ConnectionLost, `The connection to ${server} was lost during ${operation}.`, {
    hresult,
    object: server,
    hint: 'The domain controller went away or closed the connection; nothing was completed. Retry once it is back.',
    cause,
  });
}
