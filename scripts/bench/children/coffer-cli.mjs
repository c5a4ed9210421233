// One `coffer` command in a fresh process (as a user's run would be), so the parent can read this process's peak
// RSS and CPU time. Argument: a JSON array of the command's arguments. Prints {exitCode, wallMs, cpuMs, processCpuMs,
// maxRssKiB} as JSON on stdout; the command's own output goes to /dev/null-like sinks (the report and diff are written
// with --out).
import { main } from '@coffer/cli';

const args = JSON.parse(process.argv[2]);
const sink = { write: () => true };
const started = performance.now();
const cpuBefore = process.cpuUsage();
const exitCode = await main(args, { stdout: sink, stderr: { write: (chunk) => process.stderr.write(chunk) } });
const cpu = process.cpuUsage(cpuBefore);
const usage = process.resourceUsage();
process.stdout.write(
  JSON.stringify({
    exitCode,
    wallMs: Math.round(performance.now() - started),
    // CPU time (user + system, every thread) of main() alone and of the whole process so far: on a busy machine the
    // wall time of a run depends on the other processes, its CPU time much less.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    processCpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    maxRssKiB: usage.maxRSS,
  }),
);
