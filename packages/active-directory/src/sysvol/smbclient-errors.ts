import { CofferError, HRESULT } from '@coffer/core';
import { AD_HRESULT, AdErrorCode, connectionLost, logonFailure, serverUnreachable } from '../errors.js';
import { sysvolPathNotFound } from './sysvol-source.js';

export interface SmbErrorContext {
  server: string;
  share: string;
  path: string;
  account: string;
  operation: string;
}

const PATH_MISSING = [
  'NT_STATUS_OBJECT_NAME_NOT_FOUND',
  'NT_STATUS_OBJECT_PATH_NOT_FOUND',
  'NT_STATUS_NO_SUCH_FILE',
  'NT_STATUS_NOT_FOUND',
  'NT_STATUS_OBJECT_NAME_INVALID',
];
const UNREACHABLE = [
  'NT_STATUS_CONNECTION_REFUSED',
  'NT_STATUS_HOST_UNREACHABLE',
  'NT_STATUS_NETWORK_UNREACHABLE',
  'NT_STATUS_BAD_NETWORK_PATH',
  'NT_STATUS_IO_TIMEOUT',
  'NT_STATUS_PORT_UNREACHABLE',
];
const DROPPED = [
  'NT_STATUS_CONNECTION_DISCONNECTED',
  'NT_STATUS_CONNECTION_RESET',
  'NT_STATUS_CONNECTION_ABORTED',
  'NT_STATUS_END_OF_FILE',
  'NT_STATUS_PIPE_BROKEN',
  'NT_STATUS_NETWORK_NAME_DELETED',
  'NT_STATUS_INVALID_NETWORK_RESPONSE',
  'NT_STATUS_REMOTE_DISCONNECT',
];

/** The first NT_STATUS code smbclient/smbcacls printed, if any. */
export function firstNtStatus(output: string): string | null {
  return /NT_STATUS_[A-Z0-9_]+/.exec(output)?.[0] ?? null;
}

/**
 * Turns smbclient/smbcacls output into a CofferError. `connected` says whether the session was up before the failure
 * (then a network status means the DC went away mid-operation, not that it was unreachable).
 */
export function smbFailure(output: string, context: SmbErrorContext, connected: boolean): CofferError {
  const status = firstNtStatus(output);
  const where = `//${context.server}/${context.share}`;
  if (
    status === 'NT_STATUS_LOGON_FAILURE' ||
    status === 'NT_STATUS_WRONG_PASSWORD' ||
    status === 'NT_STATUS_NO_SUCH_USER' ||
    status === 'NT_STATUS_ACCOUNT_LOCKED_OUT' ||
    status === 'NT_STATUS_ACCOUNT_DISABLED'
  ) {
    return logonFailure(context.account, `The SMB server ${context.server}`, new Error(status));
  }
  if (status === 'NT_STATUS_BAD_NETWORK_NAME') {
    return new CofferError(
      AdErrorCode.ShareNotFound,
      `The share ${context.share} does not exist on ${context.server}.`,
      {
        hresult: AD_HRESULT.ERROR_BAD_NET_NAME,
        object: where,
        hint: 'Domain controllers share SYSVOL as "sysvol"; check the share name and that the server is a DC.',
      },
    );
  }
  if (status !== null && PATH_MISSING.includes(status))
    return sysvolPathNotFound(context.path, where, new Error(status));
  if (status === 'NT_STATUS_ACCESS_DENIED') {
    return new CofferError(
      AdErrorCode.AccessDenied,
      `Access denied to ${where}/${context.path} for ${context.account}.`,
      {
        hresult: HRESULT.E_ACCESSDENIED,
        object: context.path,
        hint: 'Use an account allowed to read (or, for restore, write) SYSVOL, e.g. a Domain Admin.',
      },
    );
  }
  if (status !== null && DROPPED.includes(status))
    return connectionLost(context.server, context.operation, AD_HRESULT.ERROR_NETNAME_DELETED, new Error(status));
  if (status !== null && UNREACHABLE.includes(status)) {
    return connected
      ? connectionLost(context.server, context.operation, AD_HRESULT.ERROR_NETNAME_DELETED, new Error(status))
      : serverUnreachable(context.server, 'SMB', AD_HRESULT.ERROR_BAD_NETPATH, new Error(status));
  }
  const detail = output.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
  return new CofferError(AdErrorCode.SmbFailed, `${context.operation} on ${where} failed: ${detail || 'no output'}.`, {
    hresult: HRESULT.E_FAIL,
    object: `${where}/${context.path}`,
  });
}
