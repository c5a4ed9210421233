// GPO provider benchmark: Coffer's backup of every GPO of a seeded Samba DC, against
// `samba-tool gpo backup` run once per GPO (the Linux tool for the job) and against one
// smbclient tar of the whole Policies folder (the transfer floor), interleaved round by round
// so a busy machine slows every side alike. Also Coffer's peak RSS at 100 GPOs and at all.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestDomain } from '../../packages/samba-test-domain/dist/index.js';
import { median, round, timed, writeDomainSecrets } from './measure.mjs';

const GPO_CHILD = fileURLToPath(new URL('./children/gpo-backup.mjs', import.meta.url));
const SUBSET_SIZE = 100;
/** Peak RSS at all GPOs may exceed the 100-GPO figure by this much and still count as flat. */
const FLAT_MEMORY_FACTOR = 1.25;

/**
 * @param {{ runs: number, extraGpos: number, address: string, realm: string, work: string,
 *           sambaToolLimit: number | undefined, log: (line: string) => void }} settings
 */
export async function gpoBenchmark(settings) {
  const { log } = settings;
  const domain = await startTestDomain({
    seed: { extraGpos: settings.extraGpos },
    address: settings.address,
    realm: settings.realm,
    log: (line) => log(`  dc: ${line}`),
  });
  try {
    return await measure(domain, settings);
  } finally {
    log('  stopping the DC');
    await domain.stop();
  }
}

async function measure(domain, settings) {
  // Every run's output stays until the end. ext4 passes over inodes freed in the last minute or so
  // when it allocates new ones, so deleting one run's thousands of files just before the next run
  // makes that run's file creation several times slower: the benchmark would measure its own clean-up.
  const outputs = [];
  try {
    return await measureRounds(domain, settings, (path) => outputs.push(path));
  } finally {
    for (const path of outputs) await rm(path, { recursive: true, force: true });
  }
}

async function measureRounds(domain, { runs, work, log, sambaToolLimit }, keepUntilTheEnd) {
  const { passwordFile, authFile } = await writeDomainSecrets(work, domain);

  // A pass-through smbclient first on PATH counts how many smbclient processes a Coffer run starts.
  const realSmbclient = spawnSync('sh', ['-c', 'command -v smbclient'], { encoding: 'utf8' }).stdout.trim();
  if (!realSmbclient) throw new Error('smbclient is not installed.');
  const wrapperDir = join(work, 'bin');
  await mkdir(wrapperDir);
  await writeFile(
    join(wrapperDir, 'smbclient'),
    `#!/bin/sh\necho started >> "$COFFER_BENCH_SMBCLIENT_LOG"\nexec ${realSmbclient} "$@"\n`,
    { mode: 0o755 },
  );

  const connection = { dc: domain.dcHostname, user: domain.adminUser, passwordFile, caFile: domain.caFile };
  const sysvolUnc = `//${domain.dcHostname}/sysvol`;
  const policies = `${domain.dnsDomain}/Policies`;
  let runNumber = 0;

  async function coffer(selection) {
    runNumber += 1;
    const destination = join(work, `coffer-${runNumber}`);
    const smbclientLog = join(work, `smbclient-${runNumber}.log`);
    await mkdir(destination);
    keepUntilTheEnd(destination);
    try {
      const env = {
        ...process.env,
        PATH: `${wrapperDir}${delimiter}${process.env.PATH}`,
        COFFER_BENCH_SMBCLIENT_LOG: smbclientLog,
      };
      const { wallMs, stdout } = await timed(
        process.execPath,
        [GPO_CHILD, JSON.stringify({ destination, options: { ...connection, ...selection } })],
        { env },
      );
      const report = JSON.parse(stdout);
      if (report.status !== 'succeeded')
        throw new Error(`Coffer GPO backup ${report.status}: ${JSON.stringify(report.error)}`);
      const smbclientProcesses = (await readFile(smbclientLog, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean).length;
      return { ...report, wallMs, smbclientProcesses };
    } finally {
      await rm(smbclientLog, { force: true });
    }
  }

  const smbclientArgs = [sysvolUnc, '-A', authFile, '--use-kerberos=off', '-Tc', '-', policies];
  async function smbclientTar() {
    const file = join(work, 'policies.tar');
    const { wallMs } = await timed('smbclient', smbclientArgs, { stdoutFile: file });
    return { wallMs };
  }
  // Made durable the way Coffer's commit does it: one syncfs of the file system (sync -f).
  async function smbclientTarSync() {
    const file = join(work, 'policies-sync.tar');
    const { wallMs } = await timed('sh', ['-c', 'smbclient "$@" > "$0" && sync -f "$0"', file, ...smbclientArgs]);
    return { wallMs };
  }
  async function smbclientFilesSync() {
    runNumber += 1;
    const folder = join(work, `policies-files-${runNumber}`);
    await mkdir(folder);
    keepUntilTheEnd(folder);
    const script = 'smbclient "$@" | tar xf - -C "$0" && sync -f "$0"';
    const { wallMs } = await timed('sh', ['-c', script, folder, ...smbclientArgs]);
    const entries = spawnSync('find', [folder], { encoding: 'utf8' }).stdout.trim().split('\n').length - 1;
    return { wallMs, entries };
  }
  async function sambaToolLoop(guids) {
    const tmp = join(work, `samba-tool-${(runNumber += 1)}`);
    await mkdir(tmp);
    keepUntilTheEnd(tmp);
    const env = { ...process.env, PASSWD_FILE: passwordFile };
    const started = performance.now();
    for (const guid of guids) {
      await timed(
        'samba-tool',
        [
          'gpo',
          'backup',
          guid,
          `--tmpdir=${tmp}`,
          '-H',
          `ldap://${domain.dcHostname}`,
          '-U',
          domain.adminUser,
          '-W',
          domain.netbiosDomain,
          '--use-kerberos=off',
        ],
        { env },
      );
    }
    return { wallMs: performance.now() - started, gpos: guids.length };
  }

  log('  warm-up: one Coffer backup of every GPO and one smbclient tar (not counted)');
  const warmUp = await coffer({ all: true });
  await smbclientTar();
  const allGuids = [...warmUp.backups].sort();
  const subset = allGuids.slice(0, SUBSET_SIZE);
  const loopGuids = sambaToolLimit && sambaToolLimit < allGuids.length ? allGuids.slice(0, sambaToolLimit) : allGuids;
  const tarBytes = (await readFile(join(work, 'policies.tar'))).length;
  log(
    `  ${allGuids.length} GPOs (${warmUp.counts.files} GPT files, ${warmUp.counts.bytes} bytes); Policies tar ${tarBytes} bytes`,
  );

  const rounds = [];
  for (let n = 1; n <= runs; n += 1) {
    const row = {};
    row.cofferAll = await coffer({ all: true });
    log(`  round ${n}: Coffer all ${Math.round(row.cofferAll.wallMs)} ms`);
    row.tar = await smbclientTar();
    row.tarSync = await smbclientTarSync();
    log(`  round ${n}: smbclient tar ${Math.round(row.tar.wallMs)} ms, + sync -f ${Math.round(row.tarSync.wallMs)} ms`);
    row.cofferSubset = await coffer({ gpo: subset });
    log(`  round ${n}: Coffer ${subset.length} GPOs ${Math.round(row.cofferSubset.wallMs)} ms`);
    row.filesSync = await smbclientFilesSync();
    log(`  round ${n}: smbclient tar unpacked into files + sync -f ${Math.round(row.filesSync.wallMs)} ms`);
    log(`  round ${n}: samba-tool gpo backup × ${loopGuids.length} …`);
    row.sambaTool = await sambaToolLoop(loopGuids);
    row.sambaTool.extrapolatedMs = (row.sambaTool.wallMs * allGuids.length) / loopGuids.length;
    log(`  round ${n}: samba-tool loop ${Math.round(row.sambaTool.wallMs)} ms`);
    rounds.push(row);
  }
  await rm(join(work, 'policies.tar'), { force: true });
  await rm(join(work, 'policies-sync.tar'), { force: true });

  const med = (pick) => median(rounds.map(pick));
  const ratio = (pick) => round(med(pick), 2);
  const cofferAllMs = med((r) => r.cofferAll.wallMs);
  const rssAll = med((r) => r.cofferAll.maxRssKiB);
  const rssSubset = med((r) => r.cofferSubset.maxRssKiB);
  const summary = {
    gpos: allGuids.length,
    gptFiles: warmUp.counts.files,
    gptBytes: warmUp.counts.bytes,
    policiesTarBytes: tarBytes,
    subsetSize: subset.length,
    sambaToolGpos: loopGuids.length,
    sambaToolExtrapolated: loopGuids.length < allGuids.length,
    medians: {
      cofferAllWallMs: cofferAllMs,
      cofferAllOperationMs: med((r) => r.cofferAll.backupMs),
      cofferSubsetWallMs: med((r) => r.cofferSubset.wallMs),
      smbclientTarMs: med((r) => r.tar.wallMs),
      smbclientTarSyncMs: med((r) => r.tarSync.wallMs),
      smbclientFilesSyncMs: med((r) => r.filesSync.wallMs),
      sambaToolLoopMs: med((r) => r.sambaTool.extrapolatedMs),
      cofferAllMaxRssKiB: rssAll,
      cofferSubsetMaxRssKiB: rssSubset,
    },
    // Paired per round (same minute, same load), then the median of the rounds.
    ratios: {
      sambaToolOverCoffer: ratio((r) => r.sambaTool.extrapolatedMs / r.cofferAll.wallMs),
      cofferOverTar: ratio((r) => r.cofferAll.wallMs / r.tar.wallMs),
      cofferOverTarSync: ratio((r) => r.cofferAll.wallMs / r.tarSync.wallMs),
      cofferOverFilesSync: ratio((r) => r.cofferAll.wallMs / r.filesSync.wallMs),
      cofferOperationOverTar: ratio((r) => r.cofferAll.backupMs / r.tar.wallMs),
      rssAllOverSubset: round(rssAll / rssSubset, 2),
    },
    smbclientProcesses: { all: warmUp.smbclientProcesses, subset: rounds[0]?.cofferSubset.smbclientProcesses },
    phases: Object.fromEntries(
      Object.keys(warmUp.phases).map((name) => [name, med((r) => r.cofferAll.phases[name] ?? Number.NaN)]),
    ),
  };
  summary.targets = {
    tenTimesFasterThanSambaTool: {
      met: summary.ratios.sambaToolOverCoffer >= 10,
      measured: `${summary.ratios.sambaToolOverCoffer}x faster`,
    },
    withinTwiceTheSmbclientFloor: {
      met: summary.ratios.cofferOverTar <= 2,
      measured: `${summary.ratios.cofferOverTar}x the floor`,
    },
    memoryFlat: {
      met: rssAll <= rssSubset * FLAT_MEMORY_FACTOR,
      measured: `${Math.round(rssSubset / 1024)} MiB at ${subset.length} GPOs, ${Math.round(rssAll / 1024)} MiB at ${allGuids.length}`,
    },
  };
  return {
    summary,
    rounds: rounds.map(simplifyRound),
    dc: { realm: domain.realm, address: domain.address, startSeconds: domain.timings.totalSeconds },
  };
}

function simplifyRound(row) {
  const ms = (value) => Math.round(value);
  return {
    cofferAllMs: ms(row.cofferAll.wallMs),
    cofferAllOperationMs: ms(row.cofferAll.backupMs),
    cofferAllMaxRssKiB: row.cofferAll.maxRssKiB,
    cofferAllPhases: row.cofferAll.phases,
    cofferSubsetMs: ms(row.cofferSubset.wallMs),
    cofferSubsetMaxRssKiB: row.cofferSubset.maxRssKiB,
    smbclientTarMs: ms(row.tar.wallMs),
    smbclientTarSyncMs: ms(row.tarSync.wallMs),
    smbclientFilesSyncMs: ms(row.filesSync.wallMs),
    smbclientFilesEntries: row.filesSync.entries,
    sambaToolLoopMs: ms(row.sambaTool.wallMs),
    sambaToolGpos: row.sambaTool.gpos,
  };
}
