import { ErrorCode, HRESULT, type OperationStatus, type SerializedError } from '@coffer/core';

/** The coffer command's exit codes. */
export const ExitCode = {
  Succeeded: 0,
  Failed: 1,
  /** Bad flags, invalid options (E_INVALIDARG), unknown provider. */
  Usage: 2,
  CompletedWithWarnings: 3,
  /** `coffer diff --exit-code` found differences (git diff uses 1, which is Coffer's 'failed'). */
  DifferencesFound: 4,
  /** 128 + SIGINT, as shells report a Ctrl-C. */
  Cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(status: OperationStatus, error?: SerializedError): ExitCodeValue {
  switch (status) {
    case 'succeeded':
      return ExitCode.Succeeded;
    case 'succeeded-with-warnings':
      return ExitCode.CompletedWithWarnings;
    case 'cancelled':
      return ExitCode.Cancelled;
    case 'failed':
      // A usage error is any E_INVALIDARG, whatever its code names (AD_CREDENTIALS_MISSING for a missing password,
      // a provider's own code for a flag combination it refuses): what the user fixes is the command line.
      return error?.code === ErrorCode.InvalidArgument ||
        (error?.hresult !== undefined && error.hresult >>> 0 === HRESULT.E_INVALIDARG >>> 0)
        ? ExitCode.Usage
        : ExitCode.Failed;
  }
}
