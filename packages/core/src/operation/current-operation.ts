import { AsyncLocalStorage } from 'node:async_hooks';
import type { OperationContext } from './context.js';

/**
 * The operation (runBackup, runRestore, ...) the calling code runs inside, so the engine can report
 * what it did on its own initiative — a dead run's lock taken over, an interrupted commit finished —
 * to the run that caused it, without every provider having to pass its context down.
 */
const storage = new AsyncLocalStorage<OperationContext>();

export function runInOperation<T>(context: OperationContext, body: () => Promise<T>): Promise<T> {
  return storage.run(context, body);
}

export function currentOperation(): OperationContext | undefined {
  return storage.getStore();
}
