/**
 * A loop over thousands of backups gives the event loop a turn now and then. Core's readers make their system calls
 * synchronously behind promises that are already settled (a thread-pool round trip per call cost more than the call),
 * so `await` in such a loop never lets a timer, an I/O callback or a signal handler run: Ctrl-C would be seen only
 * once the whole directory was read, and a progress bar would not move.
 *
 * The function returned answers undefined (nothing to wait for) until `turnMs` have passed since the last turn, then a
 * promise settled on the next turn of the event loop: `await turn()` costs a check most of the time.
 */
export function eventLoopTurns(turnMs = TURN_MS): () => Promise<void> | undefined {
  let turnStarted = performance.now();
  return () => {
    if (performance.now() - turnStarted < turnMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        turnStarted = performance.now();
        resolve();
      }),
    );
  };
}

/** How long a loop may hold the event loop (ms): short enough for Ctrl-C to feel immediate, long enough to cost nothing. */
const TURN_MS = 10;
