// Runs one backup in its own process, so the parent can read this process's peak RSS.
import { runBackup } from '@coffer/core';
import provider from '../dist/index.js';

const [store, destination, machineId] = process.argv.slice(2);
const started = performance.now();
const result = await runBackup(provider, { destination, options: { store, machineId, overwrite: true } });
const backupMs = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    status: result.status,
    error: result.error ?? null,
    counts: result.output?.counts ?? null,
    backupMs: Math.round(backupMs),
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
