/**
 * kill -9 at every step of a real `coffer prune`, and what every reader sees afterwards.
 *
 * A template directory holds three runs of `coffer backup gpo --all` against the suite's seeded Samba DC (so three
 * backups of every GPO, and the real manifest.xml GPMC reads) and a file of another tool. For each kill point a
 * copy of it is pruned with `--keep-last 1` (two backups of every GPO go, one stays), and the prune is SIGKILLed
 * either by itself at a step through the engine's fault hook (COFFER_FAULT_AT=prune:<step>:<n>: after the journal
 * — the commit point —, after manifest.xml, after the first, middle and last rename aside, after the first, middle
 * and last deletion, at the end) or after a delay spread over the measured run. After each kill:
 *
 * - `coffer list --json`, manifest.xml and `coffer verify --json` must each show the old set of backups or the new
 *   one, exactly; every backup listed whole (verify finds nothing); every manifest.xml entry a complete folder;
 * - the next run — alternately `coffer prune` again and a `coffer backup gpo` of one GPO, which must finish the
 *   prune before its own commit — starts at once (LOCK_TAKEN_OVER when the dead prune left its lock,
 *   PRUNE_COMPLETED when it left its journal), and after it the directory holds exactly the new set (and the new
 *   backup), manifest.xml lists exactly that, nothing of the engine's is left, and the other tool's file is intact.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseManifestXml } from '@coffer/gpmc';
import { gpoConnectionArgs } from '@coffer/test-support';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { engineLeftovers, runCoffer, type CofferRun } from './harness.js';

const domain = inject('testDomain');
const run = promisify(execFile);

const totals = { killPoints: 0, completedBeforeKill: 0, mixedStatesSeen: 0, readerFailures: 0, leftovers: 0 };
const counts = { journalsFinished: 0, byBackup: 0, lockTakeovers: 0, oldSeen: 0, newSeen: 0 };
const findings: string[] = [];

let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'coffer-prune-fault-'));
  await mkdir(join(work, 'tmp'));
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? work,
    TMPDIR: join(work, 'tmp'),
    COFFER_PASSWORD: domain.adminPassword,
    TZ: 'UTC',
  };
});

afterAll(async () => {
  console.log(
    [
      'prune fault injection:',
      `  kill points: ${totals.killPoints} (prunes that finished before their kill, not counted: ${totals.completedBeforeKill})`,
      `  readers saw the old set ${counts.oldSeen} times, the new set ${counts.newSeen} times`,
      `  mixed or partial states seen: ${totals.mixedStatesSeen}`,
      `  reads that failed: ${totals.readerFailures}`,
      `  leftovers after the next run: ${totals.leftovers}`,
      `  interrupted prunes finished by the next run: ${counts.journalsFinished} (by a backup: ${counts.byBackup})`,
      `  dead prunes' locks taken over: ${counts.lockTakeovers}`,
      ...findings.slice(0, 40).map((f) => `  ! ${f}`),
    ].join('\n'),
  );
  expect(totals.killPoints).toBeGreaterThanOrEqual(24);
  expect(totals.mixedStatesSeen).toBe(0);
  expect(totals.readerFailures).toBe(0);
  expect(totals.leftovers).toBe(0);
  expect(findings).toEqual([]);
  await rm(work, { recursive: true, force: true });
});

const connection = () => gpoConnectionArgs(domain);

const PRUNE = ['--keep-last', '1'];
const FOREIGN = 'notes-of-another-tool.txt';

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

describe('kill -9 at any instant of a prune', () => {
  test('GPO backups pruned with --keep-last 1: old or new state, never a mix; the next prune or backup finishes it', async () => {
    const template = join(work, 'template');
    await mkdir(template);
    for (const comment of ['run1', 'run2', 'run3']) {
      const backup = await runCoffer(
        ['backup', 'gpo', ...connection(), '--all', '--out', template, '--comment', comment, '--json'],
        { env, cwd: work },
      );
      expect([0, 3], `${backup.stderr}\n${backup.stdout.slice(-2000)}`).toContain(backup.exitCode);
    }
    await writeFile(join(template, FOREIGN), 'not a backup: prune must leave it alone\n');

    const listIds = async (dir: string): Promise<{ ids: Set<string>; ok: boolean; text: string }> => {
      const list = await runCoffer(['list', 'gpo', '--from', dir, '--json'], { env, cwd: work });
      const backups = (list.result?.backups ?? []) as Array<{ id: string }>;
      return {
        ids: new Set(backups.map((b) => b.id)),
        ok: list.exitCode === 0 && list.result !== undefined,
        text: `${list.stdout.slice(-400)} ${list.stderr.slice(-400)}`,
      };
    };
    const old = await listIds(template);
    expect(old.ok, old.text).toBe(true);
    const plan = await runCoffer(['prune', template, ...PRUNE, '--dry-run', '--json'], { env, cwd: work });
    expect(plan.exitCode, plan.stderr).toBe(0);
    const removed = (plan.result as unknown as { removed: Array<{ id: string }> }).removed.map((b) => b.id);
    const kept = (plan.result as unknown as { kept: Array<{ id: string }> }).kept.map((b) => b.id);
    const oldSet = old.ids;
    const newSet = new Set(kept);
    // Three runs of every GPO: one backup of each stays, two go.
    expect(removed.length).toBe(2 * kept.length);
    expect(sameSet(oldSet, new Set([...kept, ...removed]))).toBe(true);

    // Timed on a copy: how long a whole prune takes, for the delay kills.
    const timedDir = join(work, 'timed');
    await run('cp', ['-a', template, timedDir]);
    const timed = await runCoffer(['prune', timedDir, ...PRUNE, '--json'], { env, cwd: work });
    expect(timed.exitCode, timed.stderr).toBe(0);
    expect(sameSet((await listIds(timedDir)).ids, newSet)).toBe(true);
    const runMs = timed.durationMs;

    const n = removed.length;
    const steps = [
      'journal-written:1',
      'index-written:1',
      'renamed:1',
      `renamed:${Math.ceil(n / 2)}`,
      `renamed:${n}`,
      'removed:1',
      `removed:${Math.ceil(n / 2)}`,
      `removed:${n}`,
      'done:1',
    ].map((s) => `prune:${s}`);
    const DELAYS = 18;
    const delay = (i: number) =>
      Math.round((runMs * (((i % DELAYS) + 0.5 + Math.floor(i / DELAYS) * 0.37) % DELAYS)) / DELAYS);
    const target = steps.length + DELAYS;
    let kills = 0;
    const fail = (text: string) => findings.push(text);

    /** Which state a reader sees: 'old', 'new', or a finding. */
    const judge = (when: string, reader: string, ids: ReadonlySet<string>): 'old' | 'new' | undefined => {
      if (sameSet(ids, oldSet)) return 'old';
      if (sameSet(ids, newSet)) return 'new';
      fail(`${when}: ${reader} shows ${ids.size} backups, neither the old ${oldSet.size} nor the new ${newSet.size}`);
      totals.mixedStatesSeen += 1;
      return undefined;
    };

    const look = async (dir: string, when: string, extra: ReadonlySet<string> = new Set()): Promise<void> => {
      const without = (ids: Set<string>) => new Set([...ids].filter((id) => !extra.has(id)));
      const [listed, verify] = await Promise.all([
        listIds(dir),
        runCoffer(['verify', dir, '--json'], { env, cwd: work }),
      ]);
      if (!listed.ok) {
        fail(`${when}: list failed: ${listed.text}`);
        totals.readerFailures += 1;
      } else {
        const state = judge(when, 'list', without(listed.ids));
        if (state === 'old') counts.oldSeen += 1;
        if (state === 'new') counts.newSeen += 1;
      }
      // Verify: every backup it sees is whole, and the only finding is the other tool's file (a warning).
      const verified = verify.result as
        | { ok?: boolean; backups?: Array<{ id: string; ok: boolean }>; directoryProblems?: Array<{ path: string }> }
        | undefined;
      const strays = (verified?.directoryProblems ?? []).map((p) => p.path);
      if (verified?.ok !== true || strays.some((p) => p !== FOREIGN) || verified.backups?.some((b) => !b.ok)) {
        fail(`${when}: verify exited ${verify.exitCode}: ${verify.stdout.slice(-600)} ${verify.stderr.slice(-300)}`);
        totals.mixedStatesSeen += 1;
      } else judge(when, 'verify', without(new Set((verified.backups ?? []).map((b) => b.id))));
      // What GPMC reads: manifest.xml alone, every entry a complete folder.
      const manifest = parseManifestXml(await readFile(join(dir, 'manifest.xml')));
      judge(when, 'manifest.xml', without(new Set(manifest.backups.map((b) => b.id))));
      for (const inst of manifest.backups)
        if (!existsSync(join(dir, inst.id, 'coffer-manifest.json'))) {
          fail(`${when}: manifest.xml lists ${inst.id} without a complete folder`);
          totals.mixedStatesSeen += 1;
        }
      if ((await readFile(join(dir, FOREIGN), 'utf8').catch(() => '')) === '') {
        fail(`${when}: the other tool's file is gone or emptied`);
        totals.mixedStatesSeen += 1;
      }
    };

    for (let index = 0; kills < target && index < target * 2; index++) {
      const point = index < steps.length ? { faultAt: steps[index]! } : { killAfterMs: delay(index - steps.length) };
      const label = 'faultAt' in point ? `kill at ${point.faultAt}` : `kill after ${point.killAfterMs} ms`;
      const dir = join(work, `k${index}`);
      await run('cp', ['-a', template, dir]);
      const killed = await runCoffer(['prune', dir, ...PRUNE, '--json'], { env, cwd: work, ...point });
      if (killed.signal !== 'SIGKILL') {
        totals.completedBeforeKill += 1;
        if (killed.exitCode !== 0)
          fail(`k${index} (${label}) ended ${killed.exitCode} unkilled: ${killed.stdout.slice(-300)}`);
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      kills += 1;
      totals.killPoints += 1;
      await look(dir, `after k${index} (${label})`);

      const lockLeft = existsSync(join(dir, '.coffer.lock'));
      const journalLeft = existsSync(join(dir, '.coffer-prune.json'));
      // Every other kill point is followed by a backup of one GPO, which must finish the prune first.
      const byBackup = kills % 2 === 0;
      const single = domain.seed!.gpos[0]!.displayName;
      const next: CofferRun = byBackup
        ? await runCoffer(
            ['backup', 'gpo', ...connection(), '--gpo', single, '--out', dir, '--comment', `n${index}`, '--json'],
            { env, cwd: work },
          )
        : await runCoffer(['prune', dir, ...PRUNE, '--json'], { env, cwd: work });
      const codes = next.lines.filter((l) => l.type === 'message').map((l) => String(l.code));
      const allCodes = [
        ...codes,
        ...((next.result as { messages?: Array<{ code: string }> } | undefined)?.messages ?? []).map((m) => m.code),
      ];
      if (![0, 3].includes(next.exitCode ?? -1)) {
        fail(
          `the ${byBackup ? 'backup' : 'prune'} after k${index} (${label}) ended ${next.exitCode}: ${codes.join(',')} ${next.stdout.slice(-400)} ${next.stderr.slice(-300)}`,
        );
        if (/DESTINATION_LOCKED/.test(next.stdout)) totals.leftovers += 1;
      }
      if (lockLeft) {
        if (allCodes.includes('LOCK_TAKEN_OVER')) counts.lockTakeovers += 1;
        else
          fail(
            `the run after k${index} (${label}) found a dead prune's lock but did not report LOCK_TAKEN_OVER (${allCodes.join(',')})`,
          );
      }
      if (journalLeft) {
        if (allCodes.includes('PRUNE_COMPLETED')) {
          counts.journalsFinished += 1;
          if (byBackup) counts.byBackup += 1;
        } else
          fail(
            `the run after k${index} (${label}) found a prune journal but did not report PRUNE_COMPLETED (${allCodes.join(',')})`,
          );
      }
      const leftovers = await engineLeftovers(dir);
      if (leftovers.length > 0) {
        fail(`after the run that followed k${index} (${label}): ${leftovers.join(', ')}`);
        totals.leftovers += leftovers.length;
      }
      // After the next run: the new set (plus the new backup, whose id is in the backup's result).
      const added = new Set(
        byBackup
          ? ((next.result as { backups?: Array<{ id: string }> } | undefined)?.backups ?? []).map((b) => b.id)
          : [],
      );
      // A backup after a kill before the commit point leaves the old set (and its own backup): pruning once more
      // must then reach the new set, less the backup the new one replaced as its GPO's newest.
      if (byBackup && !journalLeft) {
        await look(dir, `after the backup that followed k${index} (${label})`, added);
        const again = await runCoffer(['prune', dir, ...PRUNE, '--json'], { env, cwd: work });
        if (again.exitCode !== 0) fail(`the prune after the backup after k${index} ended ${again.exitCode}`);
        // The new backup is now its GPO's newest: the one it replaced goes too.
        const replaced = ((again.result as { removed?: Array<{ id: string }> } | undefined)?.removed ?? []).map(
          (b) => b.id,
        );
        const expectedNow = new Set([...newSet, ...added].filter((id) => !replaced.includes(id)));
        const listed = await listIds(dir);
        if (!sameSet(listed.ids, expectedNow)) {
          fail(
            `after k${index} (${label}) and a backup and a prune: ${listed.ids.size} backups, expected ${expectedNow.size}`,
          );
          totals.mixedStatesSeen += 1;
        }
      } else {
        await look(dir, `after the run that followed k${index} (${label})`, added);
        const listed = await listIds(dir);
        if (!sameSet(new Set([...listed.ids].filter((id) => !added.has(id))), newSet)) {
          fail(`after the run that followed k${index} (${label}): not the new set`);
          totals.mixedStatesSeen += 1;
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
    expect(kills, 'prunes ended before their kill too often').toBe(target);
  });
});
