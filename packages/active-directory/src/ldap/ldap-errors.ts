import { CofferError, HRESULT } from '@coffer/core';
import { InsufficientAccessError, InvalidCredentialsError, NoSuchObjectError, ResultCodeError } from 'ldapts';
import { AD_HRESULT, AdErrorCode, connectionLost, logonFailure, serverUnreachable } from '../errors.js';

const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export interface LdapErrorContext {
  server: string;
  /** What was being done: `connect`, `bind`, `search of CN=...`. */
  operation: string;
  account?: string;
  /** True once the connection had been established: a socket error then means "lost", not "unreachable". */
  wasConnected: boolean;
  caOption: string;
}

/** Maps ldapts and Node socket/TLS errors to CofferErrors that say what happened and what to do. */
export function toLdapCofferError(error: unknown, context: LdapErrorContext): CofferError {
  if (error instanceof CofferError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InvalidCredentialsError)
    return logonFailure(context.account ?? '(unknown account)', `The LDAP server ${context.server}`, error);
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new CofferError(
      AdErrorCode.UntrustedCertificate,
      `The TLS certificate of ${context.server} is not trusted (${code}).`,
      {
        hresult: AD_HRESULT.SEC_E_UNTRUSTED_ROOT,
        object: context.server,
        hint: `Pass the CA that issued the domain controller's certificate with ${context.caOption} (a PEM file), or add it to the system trust store. Turning verification off is for labs only.`,
        cause: error,
      },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new CofferError(
      AdErrorCode.CertificateNameMismatch,
      `The TLS certificate of ${context.server} does not name that host: ${message}`,
      {
        hresult: AD_HRESULT.SEC_E_WRONG_PRINCIPAL,
        object: context.server,
        hint: 'Connect with the DC’s fully qualified name exactly as in its certificate (e.g. dc1.example.com), not an IP address or alias.',
        cause: error,
      },
    );
  }
  if (error instanceof NoSuchObjectError) {
    return new CofferError(AdErrorCode.NoSuchObject, `${context.operation}: no such object.`, {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: context.operation,
      hint: 'Check the DN.',
      cause: error,
    });
  }
  if (error instanceof InsufficientAccessError) {
    return new CofferError(
      AdErrorCode.AccessDenied,
      `${context.operation}: access denied for ${context.account ?? 'this account'}.`,
      {
        hresult: HRESULT.E_ACCESSDENIED,
        object: context.operation,
        hint: 'Use an account with the needed rights.',
        cause: error,
      },
    );
  }
  if (/Operation timed out|Connection timeout/.test(message)) {
    return new CofferError(AdErrorCode.Timeout, `${context.operation} on ${context.server} timed out.`, {
      hresult: AD_HRESULT.ERROR_TIMEOUT,
      object: context.server,
      hint: 'The DC did not answer in time: check it is up and reachable, or raise the timeout.',
      cause: error,
    });
  }
  const dropped =
    /Connection closed before message response|Socket error|socket hang up|Connection closed/.test(message) ||
    (typeof code === 'string' && DROPPED_CODES.has(code));
  if (dropped || (context.wasConnected && typeof code === 'string' && UNREACHABLE_CODES.has(code))) {
    return connectionLost(context.server, context.operation, HRESULT.ERROR_DS_SERVER_DOWN, error);
  }
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return serverUnreachable(context.server, 'LDAP', HRESULT.ERROR_DS_SERVER_DOWN, error);
  }
  if (error instanceof ResultCodeError) {
    return new CofferError(
      AdErrorCode.LdapOperationFailed,
      `${context.operation} failed on ${context.server}: ${message} (LDAP result ${error.code}).`,
      {
        hresult: HRESULT.E_FAIL,
        object: context.operation,
        cause: error,
      },
    );
  }
  return new CofferError(
    AdErrorCode.LdapOperationFailed,
    `${context.operation} failed on ${context.server}: ${message}`,
    { hresult: HRESULT.E_FAIL, object: context.server, cause: error },
  );
}
