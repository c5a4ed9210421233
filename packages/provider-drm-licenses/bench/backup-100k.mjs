#!/usr/bin/env node
/**
 * Benchmark: back up a 100,000-license store (and a 20,000-license one, to show memory is
 * flat in the license count) and compare with `tar cf` of the store's files in the same run.
 * Run against the built dist (`npx tsup` first). Prints one JSON object.
 *
 *   node bench/backup-100k.mjs [--licenses 100000] [--small 20000] [--runs 3] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStore, issueLicenses } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const large = option('licenses', 100_000);
const small = option('small', 20_000);
const runs = option('runs', 3);
const keep = args.includes('--keep');
const machineId = 'bench-machine';
const CHUNK = 5_000;

const root = await mkdtemp(join(tmpdir(), 'coffer-drm-bench-'));
try {
  const results = {};
  for (const count of [small, large]) results[count] = await benchmark(count);
  const big = results[large];
  const little = results[small];
  const summary = {
    benchmark: 'drm-licenses backup vs tar',
    node: process.version,
    runs,
    sizes: results,
    // childWallMs: a fresh `node` process (startup, module loading, backup, exit), as a CLI run.
    ratioToTar: round(big.backup.childWallMs / big.tar.wallMs),
    ratioToTarWithFsync: round(big.backup.childWallMs / big.tarFsync.wallMs),
    // backupMs: the backup operation alone, as a long-running host sees it.
    operationRatioToTar: round(big.backup.backupMs / big.tar.wallMs),
    operationRatioToTarWithFsync: round(big.backup.backupMs / big.tarFsync.wallMs),
    rssGrowthFrom20kTo100kKiB: big.backup.maxRssKiB - little.backup.maxRssKiB,
    targets: {
      withinThreeTimesTar: big.backup.childWallMs <= 3 * big.tar.wallMs,
      memoryFlat: big.backup.maxRssKiB <= little.backup.maxRssKiB * 1.25,
    },
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  if (!keep) await rm(root, { recursive: true, force: true });
}

async function benchmark(count) {
  const store = join(root, `store-${count}`);
  const service = join(root, 'service');
  const destination = join(root, `dest-${count}`);
  await mkdir(destination);
  const location = { store, machineId };
  const issueStarted = performance.now();
  await createStore({ ...location, servicePath: service });
  for (let done = 0; done < count; done += CHUNK) {
    const n = Math.min(CHUNK, count - done);
    // 1 license in 100 carries a play count: it is reported RESTRICTED_LICENSE, not backed up.
    const licenses = Array.from({ length: n }, (_, i) =>
      (done + i) % 100 === 0
        ? { title: `Track ${done + i}`, playCount: 5 }
        : { title: `Track ${done + i}`, allowBackupRestore: true, priority: (done + i) % 7, meta: { ARTIST: 'Benchmark Ensemble', ALBUM: `Album ${Math.floor((done + i) / 12)}` } },
    );
    await issueLicenses({ ...location, licenses });
  }
  const issueMs = performance.now() - issueStarted;
  const files = await readdir(store);
  let storeBytes = 0;
  for (const file of files) {
    const info = await stat(join(store, file));
    if (info.isFile()) storeBytes += info.size;
  }
  // Interleaved, so a busy machine slows both sides alike.
  const backups = [];
  const tars = [];
  const tarsFsync = [];
  for (let i = 0; i < runs; i += 1) {
    backups.push(runBackupChild(store, destination));
    tars.push(runTimed('tar', ['cf', join(root, `store-${count}.tar`), '-C', store, '--exclude=.coffer.lock', '.']));
    tarsFsync.push(runTimed('sh', ['-c', `tar cf "$1" -C "$2" --exclude=.coffer.lock . && sync "$1"`, 'sh', join(root, `store-${count}-sync.tar`), store]));
  }
  const backup = median(backups, 'childWallMs');
  return {
    licenses: count,
    storeBytes,
    issueMs: Math.round(issueMs),
    backup: { ...backup, counts: backup.counts },
    tar: median(tars, 'wallMs'),
    tarFsync: median(tarsFsync, 'wallMs'),
  };
}

function runBackupChild(store, destination) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [join(here, 'backup-child.mjs'), store, destination, machineId], { encoding: 'utf8' });
  const childWallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`backup child failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout);
  if (report.status !== 'succeeded' && report.status !== 'succeeded-with-warnings') throw new Error(`backup ${report.status}: ${JSON.stringify(report.error)}`);
  return { ...report, childWallMs: Math.round(childWallMs) };
}

function runTimed(command, commandArgs) {
  const started = performance.now();
  const child = spawnSync(command, commandArgs, { encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`${command} failed: ${child.stderr}`);
  return { wallMs: Math.round(wallMs) };
}

function round(value) {
  return Math.round(value * 100) / 100;
}

function median(samples, key) {
  const sorted = [...samples].sort((a, b) => a[key] - b[key]);
  return sorted[Math.floor(sorted.length / 2)];
}
