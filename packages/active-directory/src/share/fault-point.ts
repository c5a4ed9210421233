/**
 * COFFER_FAULT_AT=share:<step>:<n> makes the process SIGKILL itself the n-th time a share publish reaches <step>
 * (`uploaded`, `journal-written`, `renamed` (once the entries are in place), `index-written`, `done`), as core's engine does for
 * `commit:` steps: for the kill -9 tests only, no option of any API; unset it costs one comparison per step.
 */
const FAULT_AT = /^share:([a-z-]+):(\d+)$/.exec(process.env.COFFER_FAULT_AT ?? '');
const counts = new Map<string, number>();

export function shareFaultPoint(step: string): void {
  if (FAULT_AT === null || FAULT_AT[1] !== step) return;
  const count = (counts.get(step) ?? 0) + 1;
  counts.set(step, count);
  if (count === Number(FAULT_AT[2])) process.kill(process.pid, 'SIGKILL');
}
