/**
 * kill -9 at 100+ instants of real backups, and what every reader sees afterwards.
 *
 * Three scenarios run side by side, each in a folder of its own: `coffer backup gpo --all` and
 * `coffer backup starter-gpo --all` against the suite's seeded Samba DC, and `coffer backup drm
 * --overwrite` of a license store. Each is first run once to completion (how many backups a run
 * makes, how long it takes); then, for every kill point, a run (its `--comment` names it) is
 * SIGKILLed either after a delay (spread evenly over the measured run: connecting, reading,
 * staging, committing) or by itself at a commit step through the engine's fault hook
 * (COFFER_FAULT_AT=commit:<step>:<n>: after sealing, after the journal, after the n-th rename,
 * after the index, at the end). After each kill:
 *
 * - `coffer list --json`, `coffer verify --json` and manifest.xml (what GPMC reads) must show every
 *   run whole or not at all: per run comment, 0 backups or all of them (a partial run is counted);
 *   every committed run stays whole; manifest.xml lists no backup whose folder is incomplete;
 * - the next backup must start at once (never DESTINATION_LOCKED) and say it took the dead run's
 *   lock over (LOCK_TAKEN_OVER) when one was left; after it, nothing of the engine's is left
 *   (staging, old copies, journal, temp files, lock), and the killed run is whole or absent for good;
 * - no file under the children's TMPDIR or the backup folders holds the password.
 *
 * The counts are printed at the end and must be: partial runs 0, leftovers 0, secrets 0.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifestXml } from '@coffer/gpmc';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { filesHolding, gpoConnectionArgs } from '@coffer/test-support';
import { countBy, engineLeftovers, runCoffer, type CofferRun } from './harness.js';

const domain = inject('testDomain');

/** Totals over every scenario, printed (and checked) at the end. */
const totals = {
  killPoints: 0,
  completedBeforeKill: 0,
  partialRunsSeen: 0,
  readerFailures: 0,
  leftovers: 0,
  secretsFound: 0,
  lockTakeovers: 0,
  commitsFinishedByNextRun: 0,
  maxTakeoverMs: 0,
};
const findings: string[] = [];

let work: string;
let childTmp: string;
const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? work,
  TMPDIR: childTmp,
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'coffer-fault-'));
  childTmp = join(work, 'tmp');
  await mkdir(childTmp);
});

afterAll(async () => {
  if (findings.length > 0) console.log(`fault injection: the folders are kept in ${work}`);
  console.log(
    [
      'fault injection:',
      `  kill points: ${totals.killPoints} (runs that finished before their kill, not counted: ${totals.completedBeforeKill})`,
      `  partial runs seen: ${totals.partialRunsSeen}`,
      `  reads that failed (a reader that could not run or load its provider): ${totals.readerFailures}`,
      `  leftovers after the next run: ${totals.leftovers}`,
      `  secrets found on disk: ${totals.secretsFound}`,
      `  dead runs' locks taken over: ${totals.lockTakeovers} (slowest LOCK_TAKEN_OVER ${Math.round(totals.maxTakeoverMs)} ms after spawn)`,
      `  interrupted commits finished by the next run: ${totals.commitsFinishedByNextRun}`,
      ...findings.slice(0, 40).map((f) => `  ! ${f}`),
    ].join('\n'),
  );
  expect(totals.killPoints).toBeGreaterThanOrEqual(100);
  expect(totals.partialRunsSeen).toBe(0);
  expect(totals.readerFailures).toBe(0);
  expect(totals.leftovers).toBe(0);
  expect(totals.secretsFound).toBe(0);
  // Kept for a look when something was found (the expectations above then fail first).
  await rm(work, { recursive: true, force: true });
});

interface Scenario {
  name: string;
  /** The provider id `coffer list` reports this scenario's backups under. */
  provider: string;
  /** Backup folders are made here: a fresh one every FOLDER_POINTS kill points, so verify's re-hashing stays small. */
  root: string;
  /** Other folders the engine locks (the DRM store), checked for leftovers too. */
  otherLockedDirs: string[];
  env: Record<string, string>;
  /** The listing kind of this scenario's backups. */
  kind: string;
  /** Whether the folder has a GPMC manifest.xml to check. */
  gpmc: boolean;
  run(dir: string, comment: string): string[];
  /** The next run after a kill: a complete, smaller one where possible. */
  next(dir: string, comment: string): string[];
  /** How many backups `next` makes, given how many a full run makes. */
  nextCount(perRun: number): number;
  /** Commit steps to die at, given how many entries a full run commits. */
  steps(entries: number): string[];
  /** Delay kills, spread over a full run: this many must land (a run that ends before its kill does not count). */
  delays: number;
}

/** Kill points per backup folder. */
const FOLDER_POINTS = 8;

type RunState = { expected: number; state: 'committed' | 'killed' };

async function exercise(scenario: Scenario): Promise<void> {
  let runs = new Map<string, RunState>();
  const fail = (text: string) => findings.push(`${scenario.name}: ${text}`);
  let folders = 0;
  let dir = '';
  const newFolder = async () => {
    dir = join(scenario.root, `folder-${++folders}`);
    await mkdir(dir, { recursive: true });
    runs = new Map();
  };
  await newFolder();

  const base = await runCoffer(scenario.run(dir, 'base'), { env: scenario.env, cwd: work });
  expect([0, 3], `${base.stderr}\n${base.stdout.slice(-2000)}`).toContain(base.exitCode);
  const perRun = (base.result as unknown as { backups: unknown[] }).backups.length;
  expect(perRun).toBeGreaterThan(0);
  runs.set('base', { expected: perRun, state: 'committed' });
  // Timed on a second full run: the first paid for cold caches.
  const timed = await runCoffer(scenario.run(dir, 'base2'), { env: scenario.env, cwd: work });
  expect([0, 3]).toContain(timed.exitCode);
  runs.set('base2', { expected: perRun, state: 'committed' });
  const runMs = timed.durationMs;

  // The commit steps, then delays spread over the run; should runs end before their kill (the machine
  // is faster now than when the run was timed), more delays follow, offset between the first ones and
  // shortened, until the scenario has its count of delay kills.
  const steps = scenario.steps(perRun);
  const delay = (i: number) => {
    const round = Math.floor(i / scenario.delays);
    const slot = (i % scenario.delays) + 0.5 + round * 0.37;
    // Over the first 80% of the timed run: the last fifth is mostly the end of output, after the commit.
    return Math.round((runMs * 0.8 * 0.9 ** round * (slot % scenario.delays)) / scenario.delays);
  };

  /** What readers see now: list, manifest.xml and verify; counts partial runs. */
  const look = async (when: string): Promise<Map<string, number>> => {
    const [list, verify] = await Promise.all([
      runCoffer(['list', dir, '--json'], { env: scenario.env, cwd: work }),
      runCoffer(['verify', dir, '--json'], { env: scenario.env, cwd: work }),
    ]);
    // A list that did not run, or in which the scenario's provider did not list (it failed to load), saw nothing to judge.
    const listers = (
      (list.result as { providers?: Array<{ id: string; status: string }> } | undefined)?.providers ?? []
    )
      .filter((p) => p.status === 'succeeded')
      .map((p) => p.id);
    const listRan = list.exitCode === 0 && listers.includes(scenario.provider);
    if (!listRan) {
      fail(
        `${when}: list exited ${list.exitCode} with ${scenario.provider} ${listers.includes(scenario.provider) ? 'listing' : 'not listing'}: ${list.stdout.slice(-500)} ${list.stderr.slice(-500)}`,
      );
      totals.readerFailures += 1;
    }
    // Exit 3 (a warning) is verify finding no backup at all, which is right when the only run was killed before its commit.
    const verified = verify.result as { ok?: boolean; problems?: number } | undefined;
    if (![0, 3].includes(verify.exitCode ?? -1) || verified?.ok !== true || verified.problems !== 0) {
      fail(`${when}: verify exited ${verify.exitCode}: ${verify.stdout.slice(-800)} ${verify.stderr.slice(-800)}`);
      totals.partialRunsSeen += 1;
    }
    const listed = ((list.result?.backups ?? []) as Array<{ kind: string; comment?: string }>).filter(
      (b) => b.kind === scenario.kind,
    );
    const seen = countBy(listed, (b) => b.comment ?? '');
    // Which providers listed what, to tell a provider that failed to load from a run that is not there.
    const providers = JSON.stringify(
      (list.result as { providers?: unknown } | undefined)?.providers ?? list.stdout.slice(-300),
    );
    if (listRan) checkRuns(when, `list (providers ${providers})`, seen);
    if (scenario.gpmc && existsSync(join(dir, 'manifest.xml'))) {
      const manifest = parseManifestXml(await readFile(join(dir, 'manifest.xml')));
      checkRuns(
        when,
        'manifest.xml',
        countBy(manifest.backups, (b) => b.comment),
      );
      // GPMC opens what manifest.xml lists: every listed folder must be there, complete (sealed by its integrity manifest).
      for (const inst of manifest.backups) {
        if (!existsSync(join(dir, inst.id, 'coffer-manifest.json'))) {
          fail(`${when}: manifest.xml lists ${inst.id} (${inst.comment}) without a complete folder`);
          totals.partialRunsSeen += 1;
        }
      }
    }
    return seen;
  };

  const checkRuns = (when: string, reader: string, seen: Map<string, number>) => {
    for (const [comment, count] of seen) {
      const run = runs.get(comment);
      if (!run) {
        fail(`${when}: ${reader} shows ${count} backup(s) of an unknown run ${JSON.stringify(comment)}`);
        totals.partialRunsSeen += 1;
      } else if (count !== run.expected) {
        fail(`${when}: ${reader} shows ${count} of the ${run.expected} backups of run ${comment}`);
        totals.partialRunsSeen += 1;
      }
    }
    // A committed run never disappears (DRM keeps only the newest set, which replaces the others).
    if (scenario.kind !== 'license-set') {
      for (const [comment, run] of runs) {
        if (run.state === 'committed' && (seen.get(comment) ?? 0) !== run.expected) {
          fail(
            `${when}: ${reader} shows ${seen.get(comment) ?? 0} of the ${run.expected} backups of the committed run ${comment}`,
          );
          totals.partialRunsSeen += 1;
        }
      }
    }
  };

  let kills = 0;
  const target = steps.length + scenario.delays;
  for (let index = 0; kills < target && index < target * 2; index++) {
    const point = index < steps.length ? { faultAt: steps[index]! } : { killAfterMs: delay(index - steps.length) };
    if (kills > 0 && kills % FOLDER_POINTS === 0 && runs.size > 2 * FOLDER_POINTS) await newFolder();
    const comment = `k${index}`;
    const label = 'faultAt' in point ? `kill at ${point.faultAt}` : `kill after ${point.killAfterMs} ms`;
    const lockedDirs = [dir, ...scenario.otherLockedDirs];
    const killed = await runCoffer(scenario.run(dir, comment), { env: scenario.env, cwd: work, ...point });
    if (killed.signal !== 'SIGKILL') {
      // Finished before its kill came: a committed run, not a kill point.
      totals.completedBeforeKill += 1;
      if ([0, 3].includes(killed.exitCode ?? -1)) runs.set(comment, { expected: perRun, state: 'committed' });
      else {
        // A run that failed on its own must show none of its backups (or all, had it failed after its commit point).
        fail(
          `${comment} (${label}) ended ${killed.exitCode} without being killed: ${JSON.stringify(killed.result?.error ?? killed.stdout.slice(-300))} ${killed.stderr.slice(-300)}`,
        );
        runs.set(comment, { expected: perRun, state: 'killed' });
      }
      continue;
    }
    kills += 1;
    totals.killPoints += 1;
    runs.set(comment, { expected: perRun, state: 'killed' });
    const before = await look(`after ${comment} (${label})`);

    const lockLeft = lockedDirs.some((d) => existsSync(join(d, '.coffer.lock')));
    const journalLeft = existsSync(join(dir, '.coffer-journal.json'));
    const next = await runCoffer(scenario.next(dir, `n${index}`), { env: scenario.env, cwd: work });
    // A next run that failed (found above) must show none of its backups, or all of them had it failed after its commit point.
    runs.set(`n${index}`, {
      expected: scenario.nextCount(perRun),
      state: [0, 3].includes(next.exitCode ?? -1) ? 'committed' : 'killed',
    });
    const codes = next.lines.filter((l) => l.type === 'message').map((l) => String(l.code));
    if (![0, 3].includes(next.exitCode ?? -1)) {
      fail(`the run after ${comment} (${label}) ended ${next.exitCode}: ${codes.join(',')} ${next.stderr.slice(-500)}`);
      if (codes.includes('DESTINATION_LOCKED') || /DESTINATION_LOCKED|BUSY/.test(next.stdout)) totals.leftovers += 1;
    }
    if (lockLeft) {
      const at = next.lines.findIndex((l) => l.type === 'message' && l.code === 'LOCK_TAKEN_OVER');
      if (at < 0)
        fail(
          `the run after ${comment} (${label}) found a dead run's lock but did not report LOCK_TAKEN_OVER (${codes.join(',')})`,
        );
      else {
        totals.lockTakeovers += 1;
        totals.maxTakeoverMs = Math.max(totals.maxTakeoverMs, next.lineTimes[at]!);
      }
    }
    if (journalLeft) {
      if (codes.includes('COMMIT_COMPLETED')) totals.commitsFinishedByNextRun += 1;
      else fail(`the run after ${comment} (${label}) found a journal but did not report COMMIT_COMPLETED`);
    }

    const leftovers = (
      await Promise.all(lockedDirs.map(async (d) => (await engineLeftovers(d)).map((n) => join(d, n))))
    ).flat();
    if (leftovers.length > 0) {
      fail(`after the run that followed ${comment} (${label}): ${leftovers.join(', ')}`);
      totals.leftovers += leftovers.length;
    }
    const after = await look(`after the run that followed ${comment} (${label})`);
    // Recovery is final: the killed run is now whole or gone, and a run readers saw stays (unless replaced, for DRM).
    if (scenario.kind !== 'license-set' && (before.get(comment) ?? 0) > 0 && (after.get(comment) ?? 0) === 0) {
      fail(`${comment} (${label}) was visible, then vanished after the next run`);
      totals.partialRunsSeen += 1;
    }
    if ((after.get(comment) ?? 0) > 0) runs.set(comment, { expected: perRun, state: 'committed' });

    const secrets = [childTmp, ...lockedDirs].flatMap((root) => filesHolding(root, domain.adminPassword));
    if (secrets.length > 0) {
      fail(`the password is on disk after ${comment} (${label}): ${secrets.join(', ')}`);
      totals.secretsFound += secrets.length;
    }
  }
  expect(kills, `${scenario.name}: runs ended before their kill too often`).toBe(target);
}

const connection = () => gpoConnectionArgs(domain);

describe('kill -9 at any instant of a backup', () => {
  test.concurrent('GPO --all: runs and their commits', async () => {
    const single = domain.seed!.gpos[0]!.displayName;
    await exercise({
      name: 'gpo',
      provider: 'gpo',
      root: join(work, 'gpo'),
      otherLockedDirs: [],
      env: { ...baseEnv(), COFFER_PASSWORD: domain.adminPassword },
      kind: 'gpo',
      gpmc: true,
      run: (dir, comment) => ['backup', 'gpo', ...connection(), '--all', '--out', dir, '--comment', comment, '--json'],
      next: (dir, comment) => [
        'backup',
        'gpo',
        ...connection(),
        '--gpo',
        single,
        '--out',
        dir,
        '--comment',
        comment,
        '--json',
      ],
      nextCount: () => 1,
      steps: (n) =>
        [
          'sealed:1',
          'journal-written:1',
          'renamed:1',
          `renamed:${Math.ceil(n / 2)}`,
          `renamed:${n - 1}`,
          `renamed:${n}`,
          'index-written:1',
          'done:1',
        ].map((s) => `commit:${s}`),
      delays: 24,
    });
  });

  test.concurrent('Starter GPO --all: runs and their commits', async () => {
    await exercise({
      name: 'starter-gpo',
      provider: 'starter-gpo',
      root: join(work, 'starter'),
      otherLockedDirs: [],
      env: { ...baseEnv(), COFFER_PASSWORD: domain.adminPassword },
      kind: 'starter-gpo',
      gpmc: true,
      run: (dir, comment) => [
        'backup',
        'starter-gpo',
        ...connection(),
        '--all',
        '--out',
        dir,
        '--comment',
        comment,
        '--json',
      ],
      next: (dir, comment) => [
        'backup',
        'starter-gpo',
        ...connection(),
        '--all',
        '--out',
        dir,
        '--comment',
        comment,
        '--json',
      ],
      nextCount: (perRun) => perRun,
      steps: (n) =>
        ['sealed:1', 'journal-written:1', 'renamed:1', `renamed:${n}`, 'index-written:1', 'done:1'].map(
          (s) => `commit:${s}`,
        ),
      delays: 20,
    });
  });

  test.concurrent('DRM --overwrite: the replaced set and its commit', async () => {
    const store = join(work, 'drm-store');
    const env = { ...baseEnv(), COFFER_DRM_MACHINE_ID: 'fault-injection' };
    const created = await runCoffer(
      ['drm', 'create-store', '--store', store, '--service-path', join(work, 'drm-service'), '--json'],
      { env, cwd: work },
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const issued = await runCoffer(
      ['drm', 'issue', '--store', store, '--allow-backup-restore', '--title', 'Track', '--count', '300', '--json'],
      { env, cwd: work },
    );
    expect(issued.exitCode, issued.stderr).toBe(0);
    await exercise({
      name: 'drm',
      provider: 'drm-licenses',
      root: join(work, 'drm'),
      otherLockedDirs: [store],
      env,
      kind: 'license-set',
      gpmc: false,
      run: (dir, comment) => [
        'backup',
        'drm',
        '--store',
        store,
        '--out',
        dir,
        '--overwrite',
        '--comment',
        comment,
        '--json',
      ],
      next: (dir, comment) => [
        'backup',
        'drm',
        '--store',
        store,
        '--out',
        dir,
        '--overwrite',
        '--comment',
        comment,
        '--json',
      ],
      nextCount: () => 1,
      steps: () => ['sealed:1', 'journal-written:1', 'renamed:1', 'done:1'].map((s) => `commit:${s}`),
      delays: 38,
    });
  });
});

export type { CofferRun };
