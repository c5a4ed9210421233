// Renders the scale benchmark (scale-bench.mjs) as its section of docs/benchmarks.md: a table per size, how each cost
// grows from the smallest size to the largest, the targets and every round.

import { mib, ms, number as integer, table, times, verdict } from './report.mjs';

const number = (value) => (Number.isFinite(value) ? integer(value) : 'n/a');

export const SCALE_HEADING = '## Scale: 1,000 to 10,000 GPOs';

function sizeTable(size) {
  const { full, changed, reads } = size;
  return table(
    ['measure', 'Coffer', 'peer / floor', 'ratio', 'peak RSS'],
    [
      ['seed of the test domain', `${size.seedSeconds} s`, '', '', ''],
      [
        'full backup of every GPO',
        ms(full.wallMs),
        `smbclient tar ${ms(full.tarMs)}`,
        times(full.overTar),
        mib(full.maxRssKiB),
      ],
      [
        `\`--changed\`, ${changed.gpos} GPOs changed`,
        ms(changed.wallMs),
        `full backup ${ms(full.wallMs)}`,
        `${Math.round(changed.overFull * 1000) / 10}% of the full backup`,
        mib(changed.maxRssKiB),
      ],
      ...['list', 'verify', 'prune'].map((command) => [
        `\`coffer ${command === 'prune' ? 'prune --keep-last 3 --dry-run' : command}\` of the set`,
        ms(reads[command].wallMs),
        `find + cat ${ms(reads[command].floorMs)}`,
        times(reads[command].overFloor),
        mib(reads[command].maxRssKiB),
      ]),
    ],
  );
}

function growth(small, large) {
  const factor = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) && a > 0 ? `${Math.round((b / a) * 10) / 10}x` : 'n/a';
  const rows = [
    ['GPOs', number(small.gpos), number(large.gpos), factor(small.gpos, large.gpos)],
    [
      'backups in the set',
      number(small.set.backups),
      number(large.set.backups),
      factor(small.set.backups, large.set.backups),
    ],
    ['seed', `${small.seedSeconds} s`, `${large.seedSeconds} s`, factor(small.seedSeconds, large.seedSeconds)],
    ['smbclient tar (floor)', ms(small.full.tarMs), ms(large.full.tarMs), factor(small.full.tarMs, large.full.tarMs)],
    ['full backup', ms(small.full.wallMs), ms(large.full.wallMs), factor(small.full.wallMs, large.full.wallMs)],
    [
      'full backup peak RSS',
      mib(small.full.maxRssKiB),
      mib(large.full.maxRssKiB),
      factor(small.full.maxRssKiB, large.full.maxRssKiB),
    ],
    [
      '`--changed`',
      ms(small.changed.wallMs),
      ms(large.changed.wallMs),
      factor(small.changed.wallMs, large.changed.wallMs),
    ],
  ];
  for (const command of ['list', 'verify', 'prune'])
    rows.push(
      [
        `${command}`,
        ms(small.reads[command].wallMs),
        ms(large.reads[command].wallMs),
        factor(small.reads[command].wallMs, large.reads[command].wallMs),
      ],
      [
        `${command} floor`,
        ms(small.reads[command].floorMs),
        ms(large.reads[command].floorMs),
        factor(small.reads[command].floorMs, large.reads[command].floorMs),
      ],
      [
        `${command} peak RSS`,
        mib(small.reads[command].maxRssKiB),
        mib(large.reads[command].maxRssKiB),
        factor(small.reads[command].maxRssKiB, large.reads[command].maxRssKiB),
      ],
    );
  return table(['measure', number(small.gpos), number(large.gpos), 'growth'], rows);
}

const TARGET_LABELS = {
  fullWithinTwiceTheTar: 'full backup within 2x the smbclient tar',
  fullMemoryUnder200MiB: 'full backup peak RSS under 200 MiB',
  fullMemoryFlat: 'full backup peak RSS flat (largest ≤ 1.25 × smallest)',
  changedUnderTenPercent: '`--changed` (10 GPOs) under 10% of the full backup',
  listWithinThreeTimesItsFloor: '`list` within 3x its floor',
  listMemoryUnder200MiB: '`list` peak RSS under 200 MiB',
  verifyWithinThreeTimesItsFloor: '`verify` within 3x its floor',
  verifyMemoryUnder200MiB: '`verify` peak RSS under 200 MiB',
  pruneWithinThreeTimesItsFloor: '`prune --dry-run` within 3x its floor',
  pruneMemoryUnder200MiB: '`prune --dry-run` peak RSS under 200 MiB',
};

/** The scale section, with the command and time of the run that measured it (it may be run alone). */
export function renderScaleSection(results) {
  const { bySize, targets } = results.scale;
  const sizes = Object.values(bySize).sort((a, b) => a.gpos - b.gpos);
  const parts = [
    SCALE_HEADING,
    '',
    `Measured by \`${results.command}\`, started ${results.startedAt}${results.finishedAt ? `, finished ${results.finishedAt}` : ''}; load average at start ${results.machine.loadAverage.join(', ')}${results.machine.loadAverageAtEnd ? `, at end ${results.machine.loadAverageAtEnd.join(', ')}` : ''}; ${results.runs} rounds after a warm-up.`,
    '',
    "One test domain per size, seeded with that many GPOs (the seed adds every record in one batch-mode ldb transaction and writes each SYSVOL path's ACL once; see packages/samba-test-domain), then every file and folder of its SYSVOL set an hour back (the seed writes them minutes before the first backup, and gpmc's change check reads in full any file written within its 300 s clock allowance before the backup it compares with, which a real domain's old files never are). At each size: a full Coffer GPO backup of every GPO into a fresh folder, paired in each round with one `smbclient -Tc` of the Policies folder; then a directory (the set) filled with that many full backups, into which `--changed` runs after 10 GPOs each got a new GPT.INI version (its time is compared with the median full backup). `coffer list`, `coffer verify` and `coffer prune --keep-last 3 --dry-run` then read the set, each paired in its round with its floor, one `find … -exec cat {} +` of the files it must read: manifest.xml and every bkupInfo.xml for list, every file for verify, manifest.xml and every coffer-manifest.json for prune. Every Coffer command runs in a fresh `node` process (module loading included) and its peak RSS is that process's maxRSS.",
    '',
  ];
  for (const size of sizes) {
    parts.push(
      `### ${number(size.gpos)} GPOs`,
      '',
      `${number(size.gptFiles)} GPT files (${number(size.gptBytes)} bytes), Policies tar ${number(size.policiesTarBytes)} bytes; the set holds ${number(size.set.backups)} backup folders (${number(size.set.files)} files). Medians of the rounds; a ratio is the median of the per-round ratios.`,
      '',
      sizeTable(size),
      '',
    );
  }
  if (sizes.length > 1) parts.push('### Growth', '', growth(sizes[0], sizes.at(-1)), '');
  parts.push(
    '### Targets',
    '',
    table(
      ['target', 'verdict', 'measured'],
      Object.entries(targets).map(([key, target]) => [TARGET_LABELS[key] ?? key, verdict(target), target.measured]),
    ),
    '',
    '### Every round',
    '',
  );
  for (const size of sizes) {
    parts.push(
      table(
        ['GPOs', 'round', 'full', 'tar', 'full RSS', '--changed', 'list / floor', 'verify / floor', 'prune / floor'],
        size.full.rounds.map((row, index) => {
          const changed = size.changed.rounds[index];
          const read = (command) => {
            const r = size.reads[command].rounds[index];
            return r ? `${ms(r.wallMs)} / ${ms(r.floorMs)}` : 'n/a';
          };
          return [
            number(size.gpos),
            String(index + 1),
            ms(row.fullMs),
            ms(row.tarMs),
            mib(row.maxRssKiB),
            changed ? ms(changed.changedMs) : 'n/a',
            read('list'),
            read('verify'),
            read('prune'),
          ];
        }),
      ),
      '',
    );
  }
  return parts.join('\n');
}
