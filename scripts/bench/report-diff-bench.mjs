// Settings report and diff benchmark: `coffer report` (HTML of every GPO) and `coffer diff` (two backup directories,
// paired by GUID) of two all-GPO backups of the bench domain, against the floor of reading those files once
// (`cat` of every file of both directories). Also their peak RSS with 100 GPOs and with all of them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestDomain } from '../../packages/samba-test-domain/dist/index.js';
import { median, round, timed } from './measure.mjs';

const BACKUP_CHILD = fileURLToPath(new URL('./children/gpo-backup.mjs', import.meta.url));
const CLI_CHILD = fileURLToPath(new URL('./children/coffer-cli.mjs', import.meta.url));
const SUBSET_SIZE = 100;
const FLAT_MEMORY_FACTOR = 1.25;

/** @param {{ runs: number, extraGpos: number, address: string, realm: string, work: string, log: (line: string) => void }} settings */
export async function reportDiffBenchmark(settings) {
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

async function measure(domain, { runs, work, log }) {
  const secrets = join(work, 'report-diff-secrets');
  await mkdir(secrets, { mode: 0o700 });
  const passwordFile = join(secrets, 'admin.password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`, { mode: 0o600 });
  const connection = { dc: domain.dcHostname, user: domain.adminUser, passwordFile, caFile: domain.caFile };

  async function backup(name, selection) {
    const destination = join(work, name);
    await mkdir(destination);
    const { stdout } = await timed(process.execPath, [
      BACKUP_CHILD,
      JSON.stringify({ destination, options: { ...connection, ...selection } }),
    ]);
    const report = JSON.parse(stdout);
    if (report.status !== 'succeeded')
      throw new Error(`Coffer GPO backup ${report.status}: ${JSON.stringify(report.error)}`);
    return { destination, gpos: report.backups, counts: report.counts };
  }
  log('  two backups of every GPO (A and B), and two of the first 100 (for the RSS at 100 GPOs)');
  const a = await backup('report-diff-a', { all: true });
  const b = await backup('report-diff-b', { all: true });
  const subset = [...a.gpos].sort().slice(0, SUBSET_SIZE);
  const a100 = await backup('report-diff-a100', { gpo: subset });
  const b100 = await backup('report-diff-b100', { gpo: subset });

  const coffer = async (args) => {
    const { stdout } = await timed(process.execPath, [CLI_CHILD, JSON.stringify(args)]);
    const result = JSON.parse(stdout);
    if (result.exitCode !== 0 && result.exitCode !== 3)
      throw new Error(`coffer ${args.join(' ')} exited ${result.exitCode}`);
    return result;
  };
  // The floor: every file of both directories read once, by one cat process (find batches the names).
  const cat = async () =>
    (await timed('sh', ['-c', 'find "$0" "$1" -type f -exec cat {} + > /dev/null', a.destination, b.destination]))
      .wallMs;
  const report = (dirA, out) => coffer(['report', dirA, '--format', 'html', '--out', join(work, out)]);
  const diff = (dirA, dirB, out) => coffer(['diff', dirA, dirB, '--format', 'json', '--out', join(work, out)]);

  log('  warm-up (not counted)');
  await cat();
  await report(a.destination, 'warm.html');
  const rounds = [];
  for (let n = 1; n <= runs; n += 1) {
    const row = { catMs: await cat() };
    const all = await report(a.destination, `report-${n}.html`);
    const all2 = await diff(a.destination, b.destination, `diff-${n}.json`);
    const sub = await report(a100.destination, `report100-${n}.html`);
    const sub2 = await diff(a100.destination, b100.destination, `diff100-${n}.json`);
    // The floor reads both directories; the report reads one, the diff both: report+diff together read A twice and B once.
    Object.assign(row, {
      reportMs: all.wallMs,
      diffMs: all2.wallMs,
      reportRssKiB: all.maxRssKiB,
      diffRssKiB: all2.maxRssKiB,
      report100RssKiB: sub.maxRssKiB,
      diff100RssKiB: sub2.maxRssKiB,
    });
    log(`  round ${n}: cat ${Math.round(row.catMs)} ms, report ${row.reportMs} ms, diff ${row.diffMs} ms`);
    rounds.push(row);
  }
  const med = (pick) => median(rounds.map(pick));
  const summary = {
    gpos: a.gpos.length,
    filesPerBackup: a.counts.files,
    bytesPerBackup: a.counts.bytes,
    subsetSize: subset.length,
    medians: {
      catBothMs: med((r) => r.catMs),
      reportMs: med((r) => r.reportMs),
      diffMs: med((r) => r.diffMs),
      reportMaxRssKiB: med((r) => r.reportRssKiB),
      diffMaxRssKiB: med((r) => r.diffRssKiB),
      report100MaxRssKiB: med((r) => r.report100RssKiB),
      diff100MaxRssKiB: med((r) => r.diff100RssKiB),
    },
    ratios: {
      diffOverCat: round(
        med((r) => r.diffMs / r.catMs),
        2,
      ),
      reportOverCat: round(
        med((r) => r.reportMs / r.catMs),
        2,
      ),
      reportAndDiffOverCat: round(
        med((r) => (r.reportMs + r.diffMs) / r.catMs),
        2,
      ),
    },
  };
  const m = summary.medians;
  summary.targets = {
    diffWithinTwiceTheCatFloor: {
      met: summary.ratios.diffOverCat <= 2,
      measured: `${summary.ratios.diffOverCat}x the floor`,
    },
    reportAndDiffWithinTwiceTheCatFloor: {
      met: summary.ratios.reportAndDiffOverCat <= 2,
      measured: `${summary.ratios.reportAndDiffOverCat}x the floor`,
    },
    memoryFlat: {
      met:
        m.reportMaxRssKiB <= m.report100MaxRssKiB * FLAT_MEMORY_FACTOR &&
        m.diffMaxRssKiB <= m.diff100MaxRssKiB * FLAT_MEMORY_FACTOR,
      measured: `report ${Math.round(m.report100MaxRssKiB / 1024)} → ${Math.round(m.reportMaxRssKiB / 1024)} MiB, diff ${Math.round(m.diff100MaxRssKiB / 1024)} → ${Math.round(m.diffMaxRssKiB / 1024)} MiB (${subset.length} → ${a.gpos.length} GPOs)`,
    },
  };
  return { summary, rounds };
}
