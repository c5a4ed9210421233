// One `coffer` command in a fresh process (as a user's run would be), so the parent can read this process's peak
// RSS and CPU time. Arguments: a JSON array of the command's arguments, and optionally how many times to run it in this
// process (default 1). Prints {exitCode, wallMs, cpuMs, processCpuMs, maxRssKiB} of the first run as JSON on stdout,
// and with more runs `laterWallMs`, the wall time of each later one (the same work with its modules loaded and its code
// compiled and optimised: what a fresh process costs on top). The command's own output goes to /dev/null-like sinks
// (the report and diff are written with --out).
import { main } from '@coffer/cli';

const args = JSON.parse(process.argv[2]);
const runs = Number(process.argv[3] ?? 1);
const sink = { write: () => true };
const stderr = { write: (chunk) => process.stderr.write(chunk) };
const started = performance.now();
const cpuBefore = process.cpuUsage();
const exitCode = await main(args, { stdout: sink, stderr });
const wallMs = Math.round(performance.now() - started);
const cpu = process.cpuUsage(cpuBefore);
const usage = process.resourceUsage();
const laterWallMs = [];
for (let run = 2; run <= runs; run += 1) {
  const again = performance.now();
  const code = await main(args, { stdout: sink, stderr });
  if (code !== exitCode) throw new Error(`run ${run} exited ${code}, the first ${exitCode}`);
  laterWallMs.push(Math.round(performance.now() - again));
}
process.stdout.write(
  JSON.stringify({
    exitCode,
    wallMs,
    // CPU time (user + system, every thread) of main() alone and of the whole process so far: on a busy machine the
    // wall time of a run depends on the other processes, its CPU time much less.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    processCpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    maxRssKiB: usage.maxRSS,
    ...(runs > 1 ? { laterWallMs } : {}),
  }),
);
