// DRM license provider benchmark: back up stores of 20,000 and 100,000 licenses, each in a
// fresh process (wall time and peak RSS), against `tar cf` of the store's files and
// `tar cf` + `sync -f` (the backup's commit makes its files durable with one syncfs), interleaved.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round, timed } from './measure.mjs';

const BACKUP_CHILD = fileURLToPath(new URL('./children/drm-backup.mjs', import.meta.url));
const ISSUE_CHILD = fileURLToPath(new URL('./children/drm-issue.mjs', import.meta.url));
const MACHINE_ID = 'bench-machine';
const FLAT_MEMORY_FACTOR = 1.25;

/** @param {{ runs: number, sizes: number[], work: string, log: (line: string) => void }} settings */
export async function drmBenchmark({ runs, sizes, work, log }) {
  const service = join(work, 'drm-service');
  const stores = [];
  for (const licenses of sizes) {
    const store = join(work, `drm-store-${licenses}`);
    const destination = join(work, `drm-backup-${licenses}`);
    await mkdir(destination);
    log(`  issuing ${licenses} licenses`);
    const { wallMs: issueMs } = await timed(process.execPath, [
      ISSUE_CHILD,
      store,
      service,
      MACHINE_ID,
      String(licenses),
    ]);
    let storeBytes = 0;
    for (const name of await readdir(store)) {
      const info = await stat(join(store, name));
      if (info.isFile()) storeBytes += info.size;
    }
    stores.push({ licenses, store, destination, storeBytes, issueMs: Math.round(issueMs) });
  }

  // Every step starts with nothing of the previous one's left to write back (untimed): a store exists
  // on disk before it is backed up, and plain tar leaves its archive in the page cache, which the next
  // step's syncfs (Coffer's commit, or `sync -f`) would otherwise write and be timed for.
  const settle = () => timed('sync', ['-f', work]);
  await settle();
  const tarArgs = (store, archive) => ['cf', archive, '-C', store, '--exclude=.coffer.lock', '.'];
  // Round 0 is a warm-up, reported but not counted: it creates Coffer's backup set and tar's archives,
  // so in every counted round both replace the previous round's (the nightly run the overwrite flag
  // is for). A first run differs for both: tar need not truncate an old archive, Coffer need not
  // remove an old set.
  const rounds = [];
  let warmUp;
  for (let n = 0; n <= runs; n += 1) {
    const row = {};
    for (const { licenses, store, destination } of stores) {
      await settle();
      const { wallMs, stdout } = await timed(process.execPath, [BACKUP_CHILD, store, destination, MACHINE_ID]);
      const backup = JSON.parse(stdout);
      if (backup.status !== 'succeeded' && backup.status !== 'succeeded-with-warnings')
        throw new Error(`DRM backup ${backup.status}: ${JSON.stringify(backup.error)}`);
      await settle();
      const tar = await timed('tar', tarArgs(store, join(work, `drm-${licenses}.tar`)));
      await settle();
      const tarSync = await timed('sh', [
        '-c',
        'tar cf "$0" -C "$1" --exclude=.coffer.lock . && sync -f "$0"',
        join(work, `drm-${licenses}-sync.tar`),
        store,
      ]);
      row[licenses] = {
        backup: { ...backup, wallMs: Math.round(wallMs) },
        tarMs: Math.round(tar.wallMs),
        tarSyncMs: Math.round(tarSync.wallMs),
      };
      log(
        `  ${n === 0 ? 'warm-up' : `round ${n}`}, ${licenses} licenses: backup ${Math.round(wallMs)} ms (operation ${backup.backupMs} ms), tar ${Math.round(tar.wallMs)} ms, tar + sync -f ${Math.round(tarSync.wallMs)} ms`,
      );
    }
    if (n === 0) warmUp = row;
    else rounds.push(row);
  }
  for (const { licenses, store, destination } of stores) {
    await rm(store, { recursive: true, force: true });
    await rm(destination, { recursive: true, force: true });
    await rm(join(work, `drm-${licenses}.tar`), { force: true });
    await rm(join(work, `drm-${licenses}-sync.tar`), { force: true });
  }
  await rm(service, { recursive: true, force: true });

  const bySize = {};
  for (const { licenses, storeBytes, issueMs } of stores) {
    const med = (pick) => median(rounds.map((row) => pick(row[licenses])));
    const first = rounds[0][licenses].backup.counts;
    bySize[licenses] = {
      licenses,
      storeBytes,
      issueMs,
      counts: first,
      medians: {
        backupWallMs: med((r) => r.backup.wallMs),
        backupOperationMs: med((r) => r.backup.backupMs),
        maxRssKiB: med((r) => r.backup.maxRssKiB),
        tarMs: med((r) => r.tarMs),
        tarSyncMs: med((r) => r.tarSyncMs),
      },
      // Paired per round, then the median of the rounds.
      ratios: {
        wallOverTar: round(med((r) => r.backup.wallMs / r.tarMs)),
        wallOverTarSync: round(med((r) => r.backup.wallMs / r.tarSyncMs)),
        operationOverTar: round(med((r) => r.backup.backupMs / r.tarMs)),
        operationOverTarSync: round(med((r) => r.backup.backupMs / r.tarSyncMs)),
      },
    };
  }
  const small = bySize[Math.min(...sizes)];
  const large = bySize[Math.max(...sizes)];
  const targets = {
    withinThreeTimesTar: {
      met: large.ratios.wallOverTar <= 3,
      measured: `${large.ratios.wallOverTar}x tar as a fresh process, ${large.ratios.operationOverTar}x as an operation (${large.ratios.wallOverTarSync}x / ${large.ratios.operationOverTarSync}x tar + sync -f)`,
    },
    memoryFlat: {
      met: large.medians.maxRssKiB <= small.medians.maxRssKiB * FLAT_MEMORY_FACTOR,
      measured: `${Math.round(small.medians.maxRssKiB / 1024)} MiB at ${small.licenses} licenses, ${Math.round(large.medians.maxRssKiB / 1024)} MiB at ${large.licenses}`,
    },
  };
  return { bySize, targets, rounds, warmUp };
}
