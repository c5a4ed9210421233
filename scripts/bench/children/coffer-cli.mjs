// One `coffer` command in a fresh process (as a user's run would be), so the parent can read this process's peak
// RSS. Argument: a JSON array of the command's arguments. Prints {exitCode, wallMs, maxRssKiB} as JSON on stdout;
// the command's own output goes to /dev/null-like sinks (the report and diff are written with --out).
import { main } from '@coffer/cli';

const args = JSON.parse(process.argv[2]);
const sink = { write: () => true };
const started = performance.now();
const exitCode = await main(args, { stdout: sink, stderr: { write: (chunk) => process.stderr.write(chunk) } });
process.stdout.write(
  JSON.stringify({
    exitCode,
    wallMs: Math.round(performance.now() - started),
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
