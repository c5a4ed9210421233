// Scale benchmark (issue 18 item 4): one seeded Samba DC per size (default 1,000 and 10,000 GPOs), and at each size
//  - how long the test domain took to seed;
//  - a full Coffer GPO backup against one smbclient tar of the same Policies folder (the transfer floor), peak RSS;
//  - `--changed` with 10 GPOs changed, against the full backup (the seeded SYSVOL files are aged an hour first: see
//    ageSysvol);
//  - `coffer list`, `coffer verify` and `coffer prune --dry-run` of a directory holding every GPO × N backups, each
//    against its floor: `find` + `cat` of the files the command must read.
// Every pair is measured in the same round (the machine is shared and noisy); ratios are per round, then the median.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestDomain } from '../../packages/samba-test-domain/dist/index.js';
import { median, round, timed, writeDomainSecrets } from './measure.mjs';

const GPO_CHILD = fileURLToPath(new URL('./children/gpo-backup.mjs', import.meta.url));
const CLI_CHILD = fileURLToPath(new URL('./children/coffer-cli.mjs', import.meta.url));
/** GPOs the domain holds besides the seed's `extraGpos`: the seed's 11 and the 2 every new domain has. */
const BASELINE_GPOS = 13;
/** GPOs changed before each `--changed` run. */
const CHANGED_GPOS = 10;

/**
 * @param {{ sizes: number[], runs: number, backups: number, address: string, realm: string, work: string,
 *           log: (line: string) => void }} settings
 */
export async function scaleBenchmark(settings) {
  const bySize = {};
  for (const size of settings.sizes) {
    const log = (line) => settings.log(`[${size.toLocaleString('en-US')}] ${line}`);
    log(`seeding a DC with ${size} GPOs`);
    const domain = await startTestDomain({
      seed: { extraGpos: Math.max(0, size - BASELINE_GPOS) },
      address: settings.address,
      realm: settings.realm,
      log: (line) => log(`  dc: ${line}`),
    });
    try {
      bySize[size] = await measureSize(domain, { ...settings, log, work: join(settings.work, `scale-${size}`) });
    } finally {
      log('stopping the DC');
      await domain.stop();
    }
  }
  return { bySize, targets: targets(bySize) };
}

/**
 * Sets every file and folder of the seeded domain's SYSVOL an hour back. The seed writes them minutes before the
 * first backup, and gpmc's change check treats a file written within its clock allowance (300 s) before the backup it
 * compares with as ambiguous, so it reads it in full: `--changed` then hashed nearly every file, which a real
 * domain, whose files are days or years old, never does. Local files: the DC serves this folder as its share.
 */
async function ageSysvol(domain, log) {
  const root = join(domain.sysvolPath, domain.dnsDomain);
  const then = new Date(Date.now() - 3600_000);
  const entries = await readdir(root, { recursive: true });
  // Deepest first, so touching a file never moves its folder's time back to now.
  for (const entry of entries.sort((a, b) => b.length - a.length)) await utimes(join(root, entry), then, then);
  await utimes(root, then, then);
  log(`aged ${entries.length} SYSVOL files and folders to ${then.toISOString()}`);
}

async function measureSize(domain, { runs, backups, work, log }) {
  await mkdir(work, { recursive: true });
  const { passwordFile, authFile } = await writeDomainSecrets(work, domain);
  const connection = { dc: domain.dcHostname, user: domain.adminUser, passwordFile, caFile: domain.caFile };
  let runNumber = 0;

  async function backup(destination, selection) {
    await mkdir(destination, { recursive: true });
    const { wallMs, stdout } = await timed(process.execPath, [
      GPO_CHILD,
      JSON.stringify({ destination, options: { ...connection, ...selection } }),
    ]);
    const report = JSON.parse(stdout);
    if (report.status !== 'succeeded')
      throw new Error(`Coffer GPO backup ${report.status}: ${JSON.stringify(report.error)}`);
    return { ...report, wallMs };
  }
  const tarArgs = [
    `//${domain.dcHostname}/sysvol`,
    '-A',
    authFile,
    '--use-kerberos=off',
    '-Tc',
    '-',
    `${domain.dnsDomain}/Policies`,
  ];
  const tar = async () => (await timed('smbclient', tarArgs, { stdoutFile: join(work, 'policies.tar') })).wallMs;
  const coffer = async (args) => {
    const { stdout } = await timed(process.execPath, [CLI_CHILD, JSON.stringify(args)]);
    const result = JSON.parse(stdout);
    // 3: completed with warnings (verify of a directory whose stray entries are warnings); anything else is a failure.
    if (result.exitCode !== 0 && result.exitCode !== 3)
      throw new Error(`coffer ${args.join(' ')} exited ${result.exitCode}`);
    return result;
  };
  // A floor reads the files its command must read, once, with one cat process (find batches the names).
  const floor = async (findArgs) =>
    (await timed('sh', ['-c', 'find "$@" -exec cat {} + > /dev/null', 'find', ...findArgs])).wallMs;

  await ageSysvol(domain, log);
  log('warm-up: one full backup and one smbclient tar (not counted)');
  const warmUp = await backup(join(work, `full-${(runNumber += 1)}`), { all: true });
  await tar();
  const gpoCount = warmUp.backups.length;
  const tarBytes = (await readFile(join(work, 'policies.tar'))).length;
  log(
    `${gpoCount} GPOs, ${warmUp.counts.files} GPT files, ${warmUp.counts.bytes} bytes; Policies tar ${tarBytes} bytes`,
  );

  const fullRounds = [];
  for (let n = 1; n <= runs; n += 1) {
    const full = await backup(join(work, `full-${(runNumber += 1)}`), { all: true });
    const tarMs = await tar();
    fullRounds.push({ fullMs: full.wallMs, operationMs: full.backupMs, maxRssKiB: full.maxRssKiB, tarMs });
    log(
      `round ${n}: full backup ${Math.round(full.wallMs)} ms (${full.maxRssKiB} KiB), smbclient tar ${Math.round(tarMs)} ms`,
    );
  }

  // The directory of every GPO × `backups` backups that list, verify and prune read.
  const set = join(work, 'set');
  const fill = [];
  for (let n = 1; n <= backups; n += 1) {
    const run = await backup(set, { all: true });
    fill.push({ wallMs: run.wallMs, maxRssKiB: run.maxRssKiB });
    log(`backup ${n} of ${backups} into the set: ${Math.round(run.wallMs)} ms (${run.maxRssKiB} KiB)`);
  }

  // --changed: 10 GPOs' GPT.INI rewritten (the version bumped, as an edit in GPMC does) before each run.
  const extras = domain.seed.gpos.filter((gpo) => gpo.purpose === 'bench').sort((a, b) => (a.guid < b.guid ? -1 : 1));
  const changedRounds = [];
  for (let n = 1; n <= runs; n += 1) {
    const changed = extras.slice((n - 1) * CHANGED_GPOS, n * CHANGED_GPOS);
    for (const gpo of changed) {
      const file = join(gpo.sysvolFolder, 'GPT.INI');
      const text = await readFile(file, 'utf8');
      await writeFile(
        file,
        text.replace(/Version=(\d+)/, (_, version) => `Version=${Number(version) + 1}`),
      );
    }
    const run = await backup(set, { all: true, changed: true });
    const backedUp = run.backups.length;
    if (backedUp !== changed.length)
      log(`warning: --changed backed up ${backedUp} GPOs, ${changed.length} were changed`);
    const tarMs = await tar();
    changedRounds.push({ changedMs: run.wallMs, maxRssKiB: run.maxRssKiB, backedUp, tarMs });
    log(`round ${n}: --changed (${backedUp} GPOs) ${Math.round(run.wallMs)} ms, smbclient tar ${Math.round(tarMs)} ms`);
  }

  const setCounts = countSet(set);
  log(`the set: ${setCounts.backups} backups, ${setCounts.files} files`);
  const readRounds = [];
  for (let n = 0; n <= runs; n += 1) {
    const row = {
      listFloorMs: await floor([
        set,
        '-maxdepth',
        '2',
        '(',
        '-name',
        'manifest.xml',
        '-o',
        '-name',
        'bkupInfo.xml',
        ')',
      ]),
      list: await coffer(['list', set]),
      verifyFloorMs: await floor([set, '-type', 'f']),
      verify: await coffer(['verify', set]),
      pruneFloorMs: await floor([
        set,
        '-maxdepth',
        '2',
        '(',
        '-name',
        'manifest.xml',
        '-o',
        '-name',
        'coffer-manifest.json',
        ')',
      ]),
      prune: await coffer(['prune', set, '--keep-last', '3', '--dry-run']),
    };
    const line = `list ${row.list.wallMs} ms (floor ${Math.round(row.listFloorMs)}), verify ${row.verify.wallMs} ms (floor ${Math.round(row.verifyFloorMs)}), prune --dry-run ${row.prune.wallMs} ms (floor ${Math.round(row.pruneFloorMs)})`;
    // Round 0 warms the page cache for the floors and the commands alike: not counted.
    if (n === 0) log(`warm-up: ${line}`);
    else {
      log(`round ${n}: ${line}`);
      readRounds.push(row);
    }
  }

  const med = (rows, pick) => median(rows.map(pick));
  const ratio = (rows, pick) => round(med(rows, pick), 2);
  const fullMs = med(fullRounds, (r) => r.fullMs);
  return {
    gpos: gpoCount,
    gptFiles: warmUp.counts.files,
    gptBytes: warmUp.counts.bytes,
    policiesTarBytes: tarBytes,
    seedSeconds: domain.timings.seedSeconds,
    dcStartSeconds: domain.timings.totalSeconds,
    set: { ...setCounts, backupsPerGpo: backups },
    full: {
      wallMs: fullMs,
      operationMs: med(fullRounds, (r) => r.operationMs),
      tarMs: med(fullRounds, (r) => r.tarMs),
      overTar: ratio(fullRounds, (r) => r.fullMs / r.tarMs),
      maxRssKiB: med(fullRounds, (r) => r.maxRssKiB),
      rounds: fullRounds,
      intoSet: fill,
    },
    changed: {
      gpos: CHANGED_GPOS,
      wallMs: med(changedRounds, (r) => r.changedMs),
      overFull: round(med(changedRounds, (r) => r.changedMs) / fullMs, 3),
      overTar: ratio(changedRounds, (r) => r.changedMs / r.tarMs),
      maxRssKiB: med(changedRounds, (r) => r.maxRssKiB),
      rounds: changedRounds,
    },
    reads: Object.fromEntries(
      ['list', 'verify', 'prune'].map((command) => [
        command,
        {
          wallMs: med(readRounds, (r) => r[command].wallMs),
          floorMs: med(readRounds, (r) => r[`${command}FloorMs`]),
          overFloor: ratio(readRounds, (r) => r[command].wallMs / r[`${command}FloorMs`]),
          maxRssKiB: med(readRounds, (r) => r[command].maxRssKiB),
          rounds: readRounds.map((r) => ({
            wallMs: r[command].wallMs,
            floorMs: Math.round(r[`${command}FloorMs`]),
            maxRssKiB: r[command].maxRssKiB,
          })),
        },
      ]),
    ),
  };
}

function countSet(set) {
  const count = (args) =>
    Number(spawnSync('sh', ['-c', 'find "$@" | wc -l', 'find', set, ...args], { encoding: 'utf8' }).stdout.trim());
  return {
    backups: count(['-mindepth', '1', '-maxdepth', '1', '-type', 'd']),
    files: count(['-type', 'f']),
  };
}

const MEMORY_LIMIT_KIB = 200 * 1024;
const FLAT_MEMORY_FACTOR = 1.25;

function targets(bySize) {
  const sizes = Object.values(bySize).sort((a, b) => a.gpos - b.gpos);
  const small = sizes[0];
  const large = sizes.at(-1);
  if (!large) return {};
  const mib = (kib) => `${Math.round(kib / 1024)} MiB`;
  const result = {
    fullWithinTwiceTheTar: {
      met: large.full.overTar <= 2,
      measured: `${large.full.overTar}x the smbclient tar at ${large.gpos} GPOs`,
    },
    fullMemoryUnder200MiB: {
      met: large.full.maxRssKiB < MEMORY_LIMIT_KIB,
      measured: `${mib(large.full.maxRssKiB)} at ${large.gpos} GPOs`,
    },
    changedUnderTenPercent: {
      met: large.changed.overFull < 0.1,
      measured: `${round(large.changed.overFull * 100, 1)}% of the full backup at ${large.gpos} GPOs`,
    },
  };
  if (small !== large)
    result.fullMemoryFlat = {
      met: large.full.maxRssKiB <= small.full.maxRssKiB * FLAT_MEMORY_FACTOR,
      measured: `${mib(small.full.maxRssKiB)} at ${small.gpos} GPOs, ${mib(large.full.maxRssKiB)} at ${large.gpos}`,
    };
  for (const command of ['list', 'verify', 'prune']) {
    const read = large.reads[command];
    result[`${command}WithinThreeTimesItsFloor`] = {
      met: read.overFloor <= 3,
      measured: `${read.overFloor}x its floor at ${large.set.backups} backups`,
    };
    result[`${command}MemoryUnder200MiB`] = {
      met: read.maxRssKiB < MEMORY_LIMIT_KIB,
      measured: `${mib(read.maxRssKiB)} at ${large.set.backups} backups`,
    };
  }
  return result;
}
