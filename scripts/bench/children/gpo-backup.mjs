// One GPO backup in a fresh process (as a CLI run would be), so the parent can read this
// process's peak RSS. Arguments: a JSON object with destination, the connection options
// (the password comes from passwordFile, never from argv) and either all or gpo.
import { runBackup } from '@coffer/core';
import provider from '@coffer/provider-gpo';

const { destination, options } = JSON.parse(process.argv[2]);
const started = performance.now();
const phases = {};
let phase;
let phaseStarted = started;
const result = await runBackup(provider, {
  destination,
  options,
  onProgress: (report) => {
    if (report.phase === phase) return;
    const now = performance.now();
    if (phase !== undefined) phases[phase] = Math.round(now - phaseStarted);
    phase = report.phase;
    phaseStarted = now;
  },
});
const backupMs = performance.now() - started;
if (phase !== undefined) phases[phase] = Math.round(performance.now() - phaseStarted);
process.stdout.write(
  JSON.stringify({
    status: result.status,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    counts: result.output?.counts ?? null,
    backups: result.output?.backups.map((backup) => backup.objectId) ?? [],
    backupMs: Math.round(backupMs),
    phases,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
