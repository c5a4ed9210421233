/**
 * The engine's fault hook, for the fault-injection suite (tests/fault-injection) only, which must kill a real
 * `coffer` at a precise step: COFFER_FAULT_AT=<phase>:<step>:<n> makes the process SIGKILL itself the n-th time
 * <phase> (`commit` for a backup's commit, `prune` for a prune's) reaches <step>. It is no option of any public
 * API; unset (always, outside that suite) it costs one comparison per step.
 */
const FAULT_AT = /^([a-z]+):([a-z-]+):(\d+)$/.exec(process.env.COFFER_FAULT_AT ?? '');
const faultCounts = new Map<string, number>();

/** Kills this process at the chosen step when COFFER_FAULT_AT asks for it; nothing otherwise. */
export function faultPoint(phase: 'commit' | 'prune', step: string): void {
  if (FAULT_AT === null || FAULT_AT[1] !== phase || FAULT_AT[2] !== step) return;
  const count = (faultCounts.get(step) ?? 0) + 1;
  faultCounts.set(step, count);
  if (count === Number(FAULT_AT[3])) process.kill(process.pid, 'SIGKILL');
}
