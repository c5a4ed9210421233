/**
 * The README's "Pruning and scheduling" section, run as written: its systemd service and timer are checked by
 * `systemd-analyze verify`, the service's ExecStart lines run in order as systemd would run them (exit 0 or its
 * SuccessExitStatus 3 goes on; anything else stops the unit), and the cron line's command runs under /bin/sh —
 * against the package's test domain controller. The README's placeholders are replaced by the packaging test's
 * own table (dc1.corp.example, /etc/ssl/corp-ca.pem, /srv/backups...), plus the two paths only a unit has: the
 * installed `coffer` and the password file.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { CLI_PACKAGE, COFFER_BIN } from './helpers/paths.js';
import { runCoffer } from './helpers/run-coffer.js';
import { gpoConnectionArgs } from '@coffer/test-support';

const domain = inject('testDomain');
const exec = promisify(execFile);

/**
 * The packaging test's own reader of Markdown blocks and its placeholder table, loaded at run time (a static import
 * would pull another workspace's sources into this package's type check); the two functions used are typed here.
 */
const docs = (await import(
  pathToFileURL(join(CLI_PACKAGE, '..', '..', 'tests', 'packaging', 'test', 'support', 'readme-examples.ts')).href
)) as {
  parseFencedBlocks(markdown: string): Array<{ lang: string; code: string }>;
  substitute(
    code: string,
    context: {
      projectDir: string;
      domain?: { dnsDomain: string; baseDn: string; caFile: string; sysvolPath: string; smbConfPath: string };
    },
  ): string;
};

interface Blocks {
  service: string;
  timer: string;
  cron: string;
}

/** The section's ini blocks (service: the one with [Service]; timer: with [Timer]) and its crontab block. */
async function scheduleBlocks(): Promise<Blocks> {
  const readme = await readFile(join(CLI_PACKAGE, 'README.md'), 'utf8');
  const start = readme.indexOf('## Pruning and scheduling');
  expect(start, 'the README has a "Pruning and scheduling" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const blocks = docs.parseFencedBlocks(readme.slice(start, end));
  const service = blocks.find((b) => b.lang === 'ini' && b.code.includes('[Service]'))?.code;
  const timer = blocks.find((b) => b.lang === 'ini' && b.code.includes('[Timer]'))?.code;
  const cron = blocks.find((b) => b.lang === 'crontab')?.code;
  if (!service || !timer || !cron) throw new Error('the section lost its service, timer or crontab block');
  return { service, timer, cron };
}

let work: string;
let substituteAll: (text: string) => string;
let backups: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'coffer-schedule-'));
  // `/usr/local/bin/coffer` (where npm -g puts it) is this checkout's CLI, through a launcher as npm's would be.
  const launcher = join(work, 'coffer');
  await writeFile(launcher, `#!/bin/sh\nexec "${process.execPath}" "${COFFER_BIN}" "$@"\n`);
  await chmod(launcher, 0o755);
  const passwordFile = join(work, 'dc-password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  substituteAll = (text) =>
    docs.substitute(
      text.split('/usr/local/bin/coffer').join(launcher).split('/etc/coffer/dc-password').join(passwordFile),
      {
        projectDir: work,
        domain,
      },
    );
  backups = join(work, 'srv', 'backups', 'gpo');
  await mkdir(backups, { recursive: true });
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** ExecStart= values, split as systemd splits them (the README's have no quotes, which this checks). */
function execStarts(unit: string): string[][] {
  return unit
    .split('\n')
    .filter((line) => line.startsWith('ExecStart='))
    .map((line) => {
      const command = line.slice('ExecStart='.length).trim();
      expect(command, 'an ExecStart without quotes or specifiers, split on spaces').not.toMatch(/["'%\\]/);
      return command.split(/\s+/);
    });
}

/** Runs a unit's ExecStart lines as a oneshot service does; returns each one's exit code and output. */
async function runService(unit: string): Promise<Array<{ code: number; stdout: string; stderr: string }>> {
  const success = new Set([0, ...(/^SuccessExitStatus=(.*)$/m.exec(unit)?.[1] ?? '').split(/\s+/).map(Number)]);
  const results: Array<{ code: number; stdout: string; stderr: string }> = [];
  for (const [file, ...args] of execStarts(substituteAll(unit))) {
    const result = await exec(file!, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ ...error, code: Number(error.code) }),
    );
    results.push(result);
    if (!success.has(result.code)) break;
  }
  return results;
}

async function listed(): Promise<Array<{ id: string; objectId: string; comment?: string }>> {
  const list = await runCoffer(['list', 'gpo', '--from', backups, '--json']);
  expect(list.exitCode, list.stderr).toBe(0);
  return (list.result as unknown as { backups: Array<{ id: string; objectId: string; comment?: string }> }).backups;
}

describe("the CLI README's scheduling section, run as written", () => {
  test('systemd-analyze verify accepts the service and the timer', async () => {
    const { service, timer } = await scheduleBlocks();
    const units = join(work, 'units');
    await mkdir(units);
    await writeFile(join(units, 'coffer-backup.service'), substituteAll(service));
    await writeFile(join(units, 'coffer-backup.timer'), timer);
    const verify = await exec(
      'systemd-analyze',
      ['verify', '--man=no', join(units, 'coffer-backup.service'), join(units, 'coffer-backup.timer')],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SYSTEMD_LOG_LEVEL: 'warning' } },
    ).then(
      (r) => ({ code: 0, ...r }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    // Warnings about this container's own units (no systemd runs here) are not the README's business.
    const ours = `${verify.stdout}${verify.stderr}`
      .split('\n')
      .filter((line) => line.includes('coffer-backup'))
      .join('\n');
    expect(ours, `systemd-analyze verify: ${verify.stderr}`).toBe('');
    expect(verify.code, verify.stderr).toBe(0);
  });

  test('the service: a backup of every GPO, then --changed backs up none and the prune removes the middle of three backups in one hour', async () => {
    const { service } = await scheduleBlocks();
    expect(service).toContain('--changed');
    // The three backups below must fall in one local hour: too close to the hour's end, start in the next one.
    const now = new Date();
    const hourLeftMs = ((59 - now.getMinutes()) * 60 + (60 - now.getSeconds())) * 1000;
    if (hourLeftMs < 240_000) await new Promise((resolve) => setTimeout(resolve, hourLeftMs + 1_000));
    const first = await runService(service);
    expect(first, first.map((r) => r.stderr).join('\n')).toHaveLength(2);
    for (const r of first) expect([0, 3], r.stderr).toContain(r.code);
    const afterFirst = await listed();
    const seeded = domain.seed!.gpos;
    // Every GPO of the domain: the seeded ones and the two defaults.
    expect(afterFirst).toHaveLength(seeded.length + 2);
    expect(afterFirst.every((b) => b.comment === 'hourly')).toBe(true);

    // Two more backups of one GPO in the same hour (by hand, not --changed). The unit's --keep-hourly keeps the
    // newest of the hour, and, its count not used up, the oldest backup too (restic 0.15+): the middle one goes.
    const one = seeded[0]!;
    const handMade: string[] = [];
    for (const comment of ['by hand 1', 'by hand 2']) {
      const extra = await runCoffer(
        [
          'backup',
          'gpo',
          ...gpoConnectionArgs(domain),
          '--gpo',
          one.displayName,
          '--out',
          backups,
          '--comment',
          comment,
          '--json',
        ],
        { env: { COFFER_PASSWORD: domain.adminPassword } },
      );
      expect([0, 3], extra.stderr).toContain(extra.exitCode);
      handMade.push((extra.result as unknown as { backups: Array<{ id: string }> }).backups[0]!.id);
    }
    const [middle, newest] = handMade as [string, string];

    const second = await runService(service);
    expect(second, second.map((r) => r.stderr).join('\n')).toHaveLength(2);
    for (const r of second) expect([0, 3], r.stderr).toContain(r.code);
    // --changed: nothing changed since the newest backups, so nothing new; the prune removed the middle backup of
    // the GPO backed up three times in this hour, and nothing else.
    const afterSecond = await listed();
    expect(afterSecond.map((b) => b.id).sort()).toEqual([...afterFirst.map((b) => b.id), newest].sort());
    expect(second[0]!.stderr).toMatch(/GPO_UNCHANGED/);
    expect(second[1]!.stdout).toMatch(
      new RegExp(`removed +\\S+ \\S+ +${middle.replace(/[{}]/g, '\\$&')}  no rule keeps it`),
    );
  }, 600_000);

  test('the cron line runs under /bin/sh: the backup, then the prune', async () => {
    const { cron } = await scheduleBlocks();
    const line = cron.split('\n').find((l) => /^\S+ \S+ \S+ \S+ \S+ /.test(l))!;
    // /etc/cron.d format: five time fields, the user, then the command for /bin/sh.
    const command = line.split(/\s+/).slice(6).join(' ');
    expect(line.slice(0, line.indexOf(command)).trim().split(/\s+/)).toHaveLength(6);
    expect(command).not.toContain('%'); // cron would cut the line there
    const before = (await listed()).length;
    const run = await exec('/bin/sh', ['-c', substituteAll(command)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    }).then(
      (r) => ({ code: 0, ...r }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(run.code, run.stderr).toBe(0);
    // The prune ran (its listing ends the output) and, nothing having changed, left every backup in place.
    expect(run.stdout).toMatch(/keep/);
    expect(await listed()).toHaveLength(before);
  }, 300_000);
});
