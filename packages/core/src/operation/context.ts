import { cancelledError } from '../errors/coffer-error.js';
import type { MessageListener, StatusMessage } from './messages.js';
import { ProgressTracker, type Progress, type ProgressListener } from './progress.js';

/**
 * What a provider gets besides its request: the cancel signal, the progress tracker and
 * a place to record status messages. Messages recorded here reach the result whatever
 * way the operation ends, so a warning is never lost to a later failure or cancel.
 */
export interface OperationContext {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** Records a status message (info, warning or error) and passes it to the host at once. */
  report(message: StatusMessage): void;
  /** Throws a CANCELLED CofferError when the signal has fired; call it between units of work. */
  throwIfCancelled(): void;
}

export interface OperationContextOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onMessage?: MessageListener;
}

export class RecordingContext implements OperationContext {
  readonly signal: AbortSignal;
  readonly progress: ProgressTracker;
  readonly messages: StatusMessage[] = [];
  readonly #onMessage: MessageListener | undefined;

  constructor(options: OperationContextOptions = {}) {
    this.signal = options.signal ?? new AbortController().signal;
    this.progress = new ProgressTracker(options.onProgress);
    this.#onMessage = options.onMessage;
  }

  report(message: StatusMessage): void {
    this.messages.push(message);
    this.#onMessage?.(message);
  }

  throwIfCancelled(): void {
    if (this.signal.aborted) throw cancelledError();
  }
}

/** A context for tests and scripts that do not care about progress. */
export function createOperationContext(options: OperationContextOptions = {}): RecordingContext {
  return new RecordingContext(options);
}
