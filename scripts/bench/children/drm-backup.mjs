// One DRM license backup in a fresh process, so the parent can read this process's peak RSS.
// Arguments: store, destination, machine id.
import { runBackup } from '@coffer/core';
import provider from '@coffer/provider-drm-licenses';

const [store, destination, machineId] = process.argv.slice(2);
const started = performance.now();
const result = await runBackup(provider, { destination, options: { store, machineId, overwrite: true } });
const backupMs = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    status: result.status,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    counts: result.output?.counts ?? null,
    backupMs: Math.round(backupMs),
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
