#!/usr/bin/env node
// `npm run bench`: measures the GPO and DRM providers against peers run in the same rounds
// and writes docs/benchmarks.md (and prints the summary as JSON). Needs the packages built
// (`npm run bench` builds first) and, for the GPO part, Samba (the test-domain harness
// installs what is missing).
//
//   npm run bench -- [--runs 3] [--drm-runs 5] [--only gpo|drm|report-diff|scale] [--extra-gpos 300] [--licenses 100000]
//                    [--small 20000] [--samba-tool-limit N] [--scale-sizes 1000,10000] [--scale-backups 7]
//                    [--out docs/benchmarks.md] [--keep]
// The scale part (issue 18: 1,000 and 10,000 GPOs, an hour or more) runs only with --only scale.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { drmBenchmark } from './drm-bench.mjs';
import { gpoBenchmark } from './gpo-bench.mjs';
import { machineFacts } from './measure.mjs';
import { readFile } from 'node:fs/promises';
import { REPORT_DIFF_HEADING, renderReport, renderReportDiffSection, spliceSection } from './report.mjs';
import { reportDiffBenchmark } from './report-diff-bench.mjs';
import { scaleBenchmark } from './scale-bench.mjs';
import { renderScaleSection, SCALE_HEADING } from './scale-report.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    // DRM rounds take seconds, GPO rounds a minute (the samba-tool loop): the DRM figures get more of them.
    'drm-runs': { type: 'string', default: '5' },
    only: { type: 'string' },
    'extra-gpos': { type: 'string', default: '300' },
    licenses: { type: 'string', default: '100000' },
    small: { type: 'string', default: '20000' },
    'samba-tool-limit': { type: 'string' },
    'scale-sizes': { type: 'string', default: '1000,10000' },
    'scale-backups': { type: 'string', default: '7' },
    // The scale DC has an address of its own, so a short `--only gpo` run beside it does not collide.
    'scale-address': { type: 'string', default: '127.0.0.63' },
    'scale-realm': { type: 'string', default: 'SCALE.COFFER.TEST' },
    address: { type: 'string', default: '127.0.0.61' },
    realm: { type: 'string', default: 'BENCH.COFFER.TEST' },
    out: { type: 'string', default: join(root, 'docs', 'benchmarks.md') },
    keep: { type: 'boolean', default: false },
  },
});
const whole = (name) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above 0.`);
  return value;
};
const runs = whole('runs');
const drmRuns = whole('drm-runs');
const only = values.only;
if (only !== undefined && only !== 'gpo' && only !== 'drm' && only !== 'report-diff' && only !== 'scale')
  throw new Error('--only takes gpo, drm, report-diff or scale.');
const scaleSizes = values['scale-sizes'].split(',').map((text) => {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 14) throw new Error('--scale-sizes takes whole numbers of GPOs above 13.');
  return value;
});
const outFile = resolve(values.out);

const passedArgs = process.argv.slice(2);
const command =
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: npm sets npm_lifecycle_event; it is not a turbo task input
  process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${passedArgs.length > 0 ? ` -- ${passedArgs.join(' ')}` : ''}`
    : `node ${relative(root, fileURLToPath(import.meta.url))}${passedArgs.length > 0 ? ` ${passedArgs.join(' ')}` : ''}`;
const log = (line) => process.stderr.write(`bench: ${line}\n`);

const work = await mkdtemp(join(tmpdir(), 'coffer-bench-'));
const started = new Date();
const facts = machineFacts(work);
const results = { command, startedAt: started.toISOString(), runs, drmRuns, machine: facts };
try {
  if (only === undefined || only === 'gpo') {
    log(`GPO provider: one Samba DC on ${values.address} with ${values['extra-gpos']} extra GPOs, ${runs} rounds`);
    results.gpo = await gpoBenchmark({
      runs,
      extraGpos: whole('extra-gpos'),
      address: values.address,
      realm: values.realm,
      work,
      sambaToolLimit: values['samba-tool-limit'] === undefined ? undefined : whole('samba-tool-limit'),
      log,
    });
  }
  if (only === undefined || only === 'report-diff') {
    log(
      `coffer report and diff: one Samba DC on ${values.address} with ${values['extra-gpos']} extra GPOs, ${runs} rounds`,
    );
    results.reportDiff = await reportDiffBenchmark({
      runs,
      extraGpos: whole('extra-gpos'),
      address: values.address,
      realm: values.realm,
      work,
      log,
    });
  }
  if (only === 'scale') {
    log(`scale: sizes ${scaleSizes.join(', ')} GPOs on ${values['scale-address']}, ${runs} rounds`);
    results.scale = await scaleBenchmark({
      sizes: scaleSizes,
      runs,
      backups: whole('scale-backups'),
      address: values['scale-address'],
      realm: values['scale-realm'],
      work,
      log,
    });
  }
  if (only === undefined || only === 'drm') {
    const sizes = [whole('small'), whole('licenses')];
    log(`DRM provider: stores of ${sizes.join(' and ')} licenses, a warm-up round and ${drmRuns} rounds`);
    results.drm = await drmBenchmark({ runs: drmRuns, sizes, work, log });
  }
  results.finishedAt = new Date().toISOString();
  results.machine.loadAverageAtEnd = machineFacts(work).loadAverage;
  if (only === 'report-diff' || only === 'scale') {
    // Only this part was run: its section replaces the one in the existing file, the other figures stay as they were.
    const existing = await readFile(outFile, 'utf8').catch(() =>
      renderReport({ ...results, reportDiff: undefined, scale: undefined }),
    );
    const section =
      only === 'scale'
        ? spliceSection(existing, renderScaleSection(results), SCALE_HEADING)
        : spliceSection(existing, renderReportDiffSection(results), REPORT_DIFF_HEADING);
    await writeFile(outFile, section);
  } else {
    // The scale sections are measured only by --only scale (an hour or more), and `## Profiles` sections are written
    // by hand (where the time goes, from profiles): a full run keeps both as they were, after what it measured.
    const existing = await readFile(outFile, 'utf8').catch(() => '');
    const scale = existing
      .split(/\n(?=## )/)
      .filter((section) => section.startsWith('## Scale') || section.startsWith('## Profiles'))
      .join('\n');
    await writeFile(outFile, scale === '' ? renderReport(results) : `${renderReport(results)}\n${scale}`);
  }
  log(`wrote ${relative(process.cwd(), outFile) || outFile}`);
  process.stdout.write(
    `${JSON.stringify({ command, gpo: results.gpo?.summary, drm: results.drm && { bySize: results.drm.bySize, targets: results.drm.targets }, reportDiff: results.reportDiff?.summary, scale: results.scale?.targets }, null, 2)}\n`,
  );
} finally {
  if (!values.keep) await rm(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
