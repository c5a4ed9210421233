import { HRESULT, formatHresult } from './hresult.js';

/**
 * Stable codes of the errors core itself raises. Providers may use their own codes
 * (for example `NS_E_DRM_BACKUP_EXISTS`); a code is any SCREAMING_SNAKE string.
 */
export const ErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  PathNotFound: 'PATH_NOT_FOUND',
  NotADirectory: 'NOT_A_DIRECTORY',
  AccessDenied: 'ACCESS_DENIED',
  AlreadyExists: 'ALREADY_EXISTS',
  DestinationLocked: 'DESTINATION_LOCKED',
  Cancelled: 'CANCELLED',
  NotFound: 'NOT_FOUND',
  Ambiguous: 'AMBIGUOUS',
  IntegrityMismatch: 'INTEGRITY_MISMATCH',
  ManifestMissing: 'MANIFEST_MISSING',
  /** A path in or named by a backup leaves it (symlink, junction, a file that is not plain): E_ACCESSDENIED. */
  BackupPathEscapes: 'BACKUP_PATH_ESCAPES',
  /** A backup names an absolute, drive, UNC or `..` path: ERROR_BAD_PATHNAME. */
  BackupPathInvalid: 'BACKUP_PATH_INVALID',
  /** A file (or XML document) of a backup is over Coffer's bound: ERROR_FILE_TOO_LARGE. */
  BackupFileTooLarge: 'BACKUP_FILE_TOO_LARGE',
  /** A backup without an integrity manifest, used without `--unverified`: TRUST_E_NOSIGNATURE. */
  BackupUnverified: 'BACKUP_UNVERIFIED',
  /** An XML document with a DOCTYPE (entities, external references): ERROR_INVALID_DATA. */
  XmlDoctypeRefused: 'XML_DOCTYPE_REFUSED',
  UnsupportedOperation: 'UNSUPPORTED_OPERATION',
  ProviderNotFound: 'PROVIDER_NOT_FOUND',
  ProviderLoadFailed: 'PROVIDER_LOAD_FAILED',
  ProviderInvalid: 'PROVIDER_INVALID',
  ProviderUnsupportedSpecification: 'PROVIDER_UNSUPPORTED_SPECIFICATION',
  DiskFull: 'DISK_FULL',
  IoError: 'IO_ERROR',
  Internal: 'INTERNAL',
} as const;

export type CoreErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CofferErrorOptions {
  /** The Windows HRESULT for this failure, where Windows defines one. */
  hresult?: number;
  /** What the error concerns: a path, a GPO, a license ID, a provider. */
  object?: string;
  /** What the user can do next. */
  hint?: string;
  cause?: unknown;
}

/** The one error type every Coffer package throws: a code, an HRESULT where one exists, the object, a hint. */
export class CofferError extends Error {
  override readonly name = 'CofferError';
  readonly code: string;
  readonly hresult: number | undefined;
  readonly object: string | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: CofferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hresult = options.hresult;
    this.object = options.object;
    this.hint = options.hint;
  }

  /** One line for logs: `CODE (0x80070003): message`. */
  describe(): string {
    const hr = this.hresult === undefined ? '' : ` (${formatHresult(this.hresult)})`;
    return `${this.code}${hr}: ${this.message}`;
  }

  toJSON(): SerializedError {
    return serializeError(this);
  }
}

export interface SerializedError {
  code: string;
  message: string;
  hresult?: number;
  hresultHex?: string;
  object?: string;
  hint?: string;
}

export function serializeError(error: CofferError): SerializedError {
  const out: SerializedError = { code: error.code, message: error.message };
  if (error.hresult !== undefined) {
    out.hresult = error.hresult;
    out.hresultHex = formatHresult(error.hresult);
  }
  if (error.object !== undefined) out.object = error.object;
  if (error.hint !== undefined) out.hint = error.hint;
  return out;
}

export function isCofferError(value: unknown): value is CofferError {
  return (
    value instanceof CofferError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'CofferError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

export function invalidArgument(message: string, options: Omit<CofferErrorOptions, 'hresult'> = {}): CofferError {
  return new CofferError(ErrorCode.InvalidArgument, message, { ...options, hresult: HRESULT.E_INVALIDARG });
}

export function pathNotFound(path: string, what = 'directory', hint?: string): CofferError {
  return new CofferError(ErrorCode.PathNotFound, `The ${what} ${path} does not exist.`, {
    hresult: HRESULT.ERROR_PATH_NOT_FOUND,
    object: path,
    hint: hint ?? `Create it first (mkdir -p ${JSON.stringify(path)}); Coffer never creates it.`,
  });
}

export function cancelledError(object?: string): CofferError {
  return new CofferError(ErrorCode.Cancelled, 'The operation was cancelled.', {
    hresult: HRESULT.ERROR_CANCELLED,
    ...(object === undefined ? {} : { object }),
  });
}

const ERRNO_MAP: Record<string, { code: CoreErrorCode; hresult: number }> = {
  ENOENT: { code: ErrorCode.PathNotFound, hresult: HRESULT.ERROR_PATH_NOT_FOUND },
  ENOTDIR: { code: ErrorCode.NotADirectory, hresult: HRESULT.ERROR_DIRECTORY },
  EACCES: { code: ErrorCode.AccessDenied, hresult: HRESULT.E_ACCESSDENIED },
  EPERM: { code: ErrorCode.AccessDenied, hresult: HRESULT.E_ACCESSDENIED },
  EEXIST: { code: ErrorCode.AlreadyExists, hresult: HRESULT.ERROR_ALREADY_EXISTS },
  ENOSPC: { code: ErrorCode.DiskFull, hresult: HRESULT.ERROR_DISK_FULL },
  EDQUOT: { code: ErrorCode.DiskFull, hresult: HRESULT.ERROR_DISK_FULL },
};

/**
 * Turns anything thrown into a CofferError, keeping the original as `cause`.
 * Node file-system errors keep their meaning (ENOENT becomes PATH_NOT_FOUND with its HRESULT).
 */
export function toCofferError(error: unknown, object?: string): CofferError {
  if (isCofferError(error)) return error;
  if (isAbortError(error)) return cancelledError(object);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'string' && ERRNO_MAP[errno]) {
    const mapped = ERRNO_MAP[errno];
    const path = (error as NodeJS.ErrnoException).path ?? object;
    return new CofferError(mapped.code, message, {
      hresult: mapped.hresult,
      cause: error,
      ...(path === undefined ? {} : { object: path }),
    });
  }
  if (typeof errno === 'string' && errno.startsWith('E')) {
    return new CofferError(ErrorCode.IoError, message, {
      hresult: HRESULT.E_FAIL,
      cause: error,
      ...(object === undefined ? {} : { object }),
    });
  }
  return new CofferError(ErrorCode.Internal, message, {
    hresult: HRESULT.E_UNEXPECTED,
    cause: error,
    ...(object === undefined ? {} : { object }),
  });
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
