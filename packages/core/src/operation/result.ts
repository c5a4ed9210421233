import type { SerializedError } from '../errors/coffer-error.js';
import type { StatusMessage } from './messages.js';

/** Overall outcome, like IGPMResult's overall status. */
export type OperationStatus = 'succeeded' | 'succeeded-with-warnings' | 'failed' | 'cancelled';

export type OperationKind = 'backup' | 'restore' | 'list' | 'command' | 'verify';

export interface OperationResult<TOutput> {
  operation: OperationKind;
  providerId: string;
  status: OperationStatus;
  /** Every status message the operation produced, in order (IGPMStatusMsgCollection). */
  messages: StatusMessage[];
  /** What was written or found; present when the operation succeeded. */
  output?: TOutput;
  /** Why it failed or was cancelled. */
  error?: SerializedError;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** The status an operation that ran to completion earns from its messages. */
export function statusFromMessages(messages: readonly StatusMessage[]): OperationStatus {
  return messages.some((m) => m.severity === 'warning' || m.severity === 'error')
    ? 'succeeded-with-warnings'
    : 'succeeded';
}
