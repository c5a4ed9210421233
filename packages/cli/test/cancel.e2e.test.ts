import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBackupTime, renderBkupInfoXmlForInst } from '@coffer/gpmc';
import { leftovers, snapshotDirectory } from '@coffer/provider-testkit';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { fixtureProvider } from './helpers/paths.js';
import { runCoffer, startCoffer } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

describe('Ctrl-C', () => {
  let cli: IsolatedCli;
  let p: TempProject;

  beforeAll(async () => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.writeConfig({ providers: [fixtureProvider('slow-provider.mjs'), fixtureProvider('stubborn-provider.mjs')] });
    mkdirSync(p.path('backups'));
    // Something already in the destination, which a cancelled backup must leave exactly as it was.
    const earlier = await runCoffer(
      ['backup', 'slow', '--files', '2', '--delay-ms', '0', '--name', 'earlier', '--out', 'backups'],
      { cwd: p.dir, bin: cli.bin },
    );
    expect(earlier.exitCode).toBe(0);
    writeFileSync(p.path('backups', 'notes.txt'), 'kept\n');
  });
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  it.each([
    ['plain output', false],
    ['--json', true],
  ])('cancels a backup mid-way (%s): exit 130, nothing staged left, destination unchanged', async (_name, json) => {
    const before = await snapshotDirectory(p.path('backups'));
    const running = startCoffer(
      [
        'backup',
        'slow',
        '--files',
        '50',
        '--delay-ms',
        '150',
        '--name',
        'interrupted',
        '--out',
        'backups',
        ...(json ? ['--json'] : []),
      ],
      {
        cwd: p.dir,
        bin: cli.bin,
      },
    );
    // Wait until files are being written into the staging folder, then press Ctrl-C.
    await running.waitForOutput(json ? /"completed":2/ : /Writing…/);
    if (!json) await new Promise((resolve) => setTimeout(resolve, 400));
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('Cancelling…');
    expect(run.stderr).toMatch(/cancelled\n$/);
    if (json) {
      expect(run.result).toMatchObject({
        status: 'cancelled',
        exitCode: 130,
        error: { code: 'CANCELLED', hresultName: 'ERROR_CANCELLED' },
      });
    }
    const after = await snapshotDirectory(p.path('backups'));
    expect(leftovers(after)).toEqual([]);
    expect(after).toEqual(before);
  });

  it('leaves at once on a second Ctrl-C when the provider does not stop', async () => {
    const running = startCoffer(['backup', 'stubborn', '--out', 'backups'], { cwd: p.dir, bin: cli.bin });
    await running.waitForOutput(/Waiting…/);
    running.child.kill('SIGINT');
    await running.waitForOutput(/Cancelling…/);
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toMatch(/cancelled\n$/);
  });
});

/**
 * Reading thousands of backups is synchronous underneath (core's BackupReader), so Ctrl-C's handler only runs where the
 * loop gives the event loop a turn: without turns a report or diff ran to its end, and a report cancelled while its file
 * was being written died of an unhandled stream error (a stack trace, exit 1) instead of ending as cancelled.
 */
describe('Ctrl-C during a report or a diff of thousands of backups', () => {
  const BACKUPS = 3000;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-cancel-read-'));
    const now = formatBackupTime(new Date());
    for (let i = 0; i < BACKUPS; i += 1) {
      const hex = i.toString(16).toUpperCase().padStart(12, '0');
      const id = `{00000000-0000-4000-8000-${hex}}`;
      const folder = join(dir, 'many', id);
      mkdirSync(join(folder, 'DomainSysvol', 'GPO'), { recursive: true });
      writeFileSync(
        join(folder, 'bkupInfo.xml'),
        renderBkupInfoXmlForInst({
          gpoGuid: `{11111111-0000-4000-8000-${hex}}`,
          gpoDomain: 'corp.example',
          gpoDomainGuid: '{00000000-0000-0000-0000-000000000001}',
          gpoDomainController: 'dc1.corp.example',
          backupTime: now,
          id,
          comment: '',
          gpoDisplayName: `GPO ${i}`,
        }),
      );
      writeFileSync(join(folder, 'DomainSysvol', 'GPO', 'GPT.INI'), `[General]\r\nVersion=${i}\r\n`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** CPU time the process has used (clock ticks): it is past its start-up and reading once this grows. */
  const cpuTicks = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  };
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('report --out: exit 130 as cancelled, no report and no temp file left, no stack trace', async () => {
    const running = startCoffer(['report', 'many', '--out', 'report.html'], { cwd: dir });
    // Its sections are being written once the temp file beside the target exists.
    await until(() => readdirSync(dir).some((name) => name.startsWith('.report.html.coffer-')));
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.stderr).not.toMatch(/ERR_STREAM|\n {4}at /);
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toMatch(/cancelled\n$/);
    expect(readdirSync(dir)).toEqual(['many']);
  });

  it('diff of two directories: exit 130 as cancelled', async () => {
    const running = startCoffer(['diff', 'many', 'many', '--format', 'json', '--out', 'diff.json'], { cwd: dir });
    // Half a second of CPU: past loading (about 0.2 s) and well before the end (both sides listed, 3,000 pairs).
    await until(() => cpuTicks(running.child.pid!) >= 50);
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toMatch(/cancelled\n$/);
    expect(readdirSync(dir)).toEqual(['many']);
  });
});
