import type { OperationContext } from './context.js';

/**
 * The operations (runBackup, runRestore, ...) running in this process, so the engine can report what
 * it did on its own initiative — a dead run's lock taken over, an interrupted commit finished — to the
 * run that caused it, without every provider having to pass its context down.
 *
 * Not an AsyncLocalStorage: on Node 20 that installs promise hooks that tax every promise of a
 * backup (hundreds of thousands in a GPO backup of 300 GPOs), for one message a run at most. The
 * price of the plain set: when several operations run at once in one process, the engine cannot tell
 * whose a message is and reports it to none (a host running operations side by side passes
 * `report` to the engine instead). The CLI runs one operation at a time.
 */
const running = new Set<OperationContext>();

export async function runInOperation<T>(context: OperationContext, body: () => Promise<T>): Promise<T> {
  running.add(context);
  try {
    return await body();
  } finally {
    running.delete(context);
  }
}

/** The operation running in this process, when there is exactly one. */
export function currentOperation(): OperationContext | undefined {
  if (running.size !== 1) return undefined;
  return running.values().next().value;
}
