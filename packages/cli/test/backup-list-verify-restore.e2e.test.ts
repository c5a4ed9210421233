import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { DIRECTORY_PROVIDER_PACKAGE, fixtureProvider } from './helpers/paths.js';
import { runCoffer, type CofferRunOptions } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

interface BackupRecord {
  id: string;
  path: string;
  kind: string;
}

describe('backup, list, verify and restore with a third-party provider', () => {
  let cli: IsolatedCli;
  let p: TempProject;
  let options: CofferRunOptions;
  const coffer = (...args: string[]) => runCoffer(args, options);

  beforeAll(() => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.installPacked(DIRECTORY_PROVIDER_PACKAGE);
    p.writeConfig({ providers: ['coffer-provider-directory', fixtureProvider('slow-provider.mjs')] });
    p.writeFile('data/readme.txt', 'hello\n');
    p.writeFile('data/nested/deeper/notes.md', '# notes\n');
    p.writeFile('data/Ünïcode name.txt', 'ü\n');
    mkdirSync(p.path('backups'));
    options = { cwd: p.dir, bin: cli.bin };
  });
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  let first: BackupRecord;
  let second: BackupRecord;

  it('backs up, printing JSON lines only, ending with the result', async () => {
    const run = await coffer(
      'backup',
      'directory',
      '--source',
      'data',
      '--out',
      'backups',
      '--comment',
      'first',
      '--json',
    );
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const progress = run.lines.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    for (const line of progress) {
      expect(line).toEqual(
        expect.objectContaining({ phase: 'copying', completed: expect.any(Number), total: expect.any(Number) }),
      );
      expect(line.completed as number).toBeLessThanOrEqual(line.total as number);
    }
    expect(run.lines.filter((l) => l.type === 'result')).toHaveLength(1);
    expect(run.result).toMatchObject({
      operation: 'backup',
      provider: 'directory',
      status: 'succeeded',
      exitCode: 0,
      counts: { files: 3 },
      messages: [],
    });
    const backups = run.result!.backups as BackupRecord[];
    expect(backups).toHaveLength(1);
    first = backups[0]!;
    expect(readdirSync(p.path('backups'))).toEqual([first.id]);

    const again = await coffer('backup', 'directory', '--source', 'data', '--out', 'backups');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`Backed up 1 object into ${p.path('backups')}`);
    second = { id: again.stdout.split('\n')[1]!.trim().split(/\s+/)[0]!, path: '', kind: 'directory' };
    expect(readdirSync(p.path('backups')).sort()).toEqual([first.id, second.id].sort());
  });

  it('lists the backups newest first: JSON, and tab-separated lines off a terminal', async () => {
    const json = await coffer('list', 'backups', '--json');
    expect(json.exitCode).toBe(0);
    const listed = json.result!.backups as Array<{ id: string; provider: string; createdAt: string }>;
    expect(listed.map((b) => b.id)).toEqual([second.id, first.id]);
    expect(listed.every((b) => b.provider === 'directory')).toBe(true);
    expect(json.result!.providers).toEqual([{ id: 'directory', status: 'succeeded', count: 2 }]);

    const plain = await coffer('list', 'backups');
    expect(plain.exitCode).toBe(0);
    const rows = plain.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows.map((r) => r[4])).toEqual([second.id, first.id]);
    expect(rows[0]).toEqual([
      expect.stringMatching(/^\d{4}-/),
      'directory',
      'directory',
      'data',
      second.id,
      p.path('backups', second.id),
      '', // no comment
    ]);

    const none = await coffer('list', 'backups', '--query', 'no-such-thing', '--json');
    expect(none.result!.backups).toEqual([]);
    const missing = await coffer('list', 'nowhere', '--json');
    expect(missing.exitCode).toBe(1);
    expect(missing.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003 });
  });

  it("lists one provider's backups: coffer list <provider> --from DIR, or DIR after it; one word alone is a directory", async () => {
    const byFlag = await coffer('list', 'directory', '--from', 'backups', '--json');
    expect(byFlag.exitCode).toBe(0);
    expect(byFlag.result!.providers).toEqual([{ id: 'directory', status: 'succeeded', count: 2 }]);
    expect((byFlag.result!.backups as Array<{ id: string }>).map((b) => b.id)).toEqual([second.id, first.id]);
    const positional = await coffer('list', 'directory', 'backups');
    expect(positional.exitCode).toBe(0);
    expect(
      positional.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[4]),
    ).toEqual([second.id, first.id]);

    const usage = async (args: string[], message: RegExp) => {
      const run = await coffer('list', ...args, '--json');
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.result!.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
    };
    await usage(['directori', '--from', 'backups'], /Unknown provider 'directori'/);
    await usage(['slow', '--from', 'backups'], /'slow' cannot list/);
    await usage(['directory', 'backups', '--from', 'elsewhere'], /Two directories/);
    await usage([], /needs a backup directory/);
    // A built-in that is not installed next to this CLI: what to install.
    const missing = await coffer('list', 'gpo', '--from', 'backups', '--json');
    expect(missing.exitCode).toBe(2);
    expect(missing.result!.error).toMatchObject({ hint: expect.stringContaining('npm install @coffer/provider-gpo') });
  });

  it("filters with --type, --name, --since and --until, and shows each backup's comment (control characters escaped)", async () => {
    mkdirSync(p.path('filtered'));
    p.writeFile('検証 🚀/a.txt', 'a\n');
    const comment = 'line 1\nline 2\tred: \u001b[31mRED';
    const made: Array<{ id: string; createdAt: string }> = [];
    for (const [source, note] of [
      ['data', 'plain'],
      ['検証 🚀', comment],
    ] as const) {
      const run = await coffer(
        'backup',
        'directory',
        '--source',
        source,
        '--out',
        'filtered',
        '--comment',
        note,
        '--json',
      );
      expect(run.exitCode, run.stderr).toBe(0);
      const listed = await coffer('list', 'filtered', '--json');
      const ids = made.map((m) => m.id);
      const created = (listed.result!.backups as Array<{ id: string; createdAt: string }>).find(
        (b) => !ids.includes(b.id),
      )!;
      made.push(created);
      // A later backup gets a later time, so --since/--until can tell them apart.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [plain, cjk] = made as [{ id: string; createdAt: string }, { id: string; createdAt: string }];
    const ids = async (...args: string[]) => {
      const run = await coffer('list', 'filtered', ...args, '--json');
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      return (run.result!.backups as Array<{ id: string }>).map((b) => b.id);
    };

    const all = await coffer('list', 'filtered', '--json');
    expect((all.result!.backups as Array<{ id: string; comment?: string }>).map((b) => [b.id, b.comment])).toEqual([
      [cjk.id, comment],
      [plain.id, 'plain'],
    ]);
    expect(await ids('--type', 'directory')).toEqual([cjk.id, plain.id]);
    expect(await ids('--name', '検証*')).toEqual([cjk.id]);
    expect(await ids('--name', 'DATA')).toEqual([plain.id]);
    expect(await ids('--name', 'd?ta', '--name', '検証 🚀')).toEqual([cjk.id, plain.id]);
    expect(await ids('--name', 'dat')).toEqual([]);
    expect(await ids('--since', cjk.createdAt)).toEqual([cjk.id]);
    expect(await ids('--until', plain.createdAt)).toEqual([plain.id]);
    expect(await ids('--since', plain.createdAt, '--until', cjk.createdAt)).toEqual([cjk.id, plain.id]);
    expect(await ids('--since', '1h')).toEqual([cjk.id, plain.id]);
    expect(await ids('--until', '2020-01-01')).toEqual([]);

    // Off a terminal: the comment is the last column; a newline, a tab or an escape in it neither breaks the line nor
    // reaches the terminal.
    const text = await coffer('list', 'filtered');
    const rows = text.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.length)).toEqual([7, 7]);
    expect(rows[0]![6]).toBe('line 1\\nline 2\\tred: \\x1b[31mRED');
    expect(text.stdout).not.toContain('\u001b');

    const usage = async (args: string[], message: RegExp) => {
      const run = await coffer('list', 'filtered', ...args, '--json');
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.result!.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
      return run;
    };
    await usage(['--since', 'yesterday'], /--since "yesterday" is not a time/);
    await usage(['--until', '2026-02-30'], /--until "2026-02-30" is not a time/);
    await usage(['--since', '2026-12-02', '--until', '2026-12-01'], /is after --until/);
    await usage(['--type', 'slow'], /'slow' cannot list/);
    const typo = await usage(['--type', 'directori'], /--type directori: there is no such provider/);
    expect(typo.result!.error).toMatchObject({ hint: expect.stringContaining("Did you mean 'directory'?") });
    const human = await coffer('list', 'filtered', '--since', 'soon');
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toMatch(/error: --since "soon" is not a time[\s\S]*hint: Give an ISO date or time/);
  });

  it('verifies intact backups (exit 0)', async () => {
    const run = await coffer('verify', 'backups', '--json');
    expect(run.exitCode).toBe(0);
    expect(run.result).toMatchObject({ operation: 'verify', status: 'succeeded', ok: true, problems: 0 });
    expect((run.result!.backups as unknown[]).length).toBe(2);
    const human = await coffer('verify', 'backups');
    expect(human.exitCode).toBe(0);
    expect(human.stderr).toContain('All 2 backups verified.');
  });

  it('restores the newest backup into an empty folder, byte for byte', async () => {
    mkdirSync(p.path('restored'));
    const run = await coffer('restore', 'directory', '--from', 'backups', '--target', 'restored', '--json');
    expect(run.exitCode).toBe(0);
    expect(run.result).toMatchObject({
      operation: 'restore',
      status: 'succeeded',
      counts: { files: 3 },
      restored: [{ kind: 'directory', fromBackupId: second.id }],
    });
    for (const file of ['readme.txt', 'nested/deeper/notes.md', 'Ünïcode name.txt']) {
      expect(readFileSync(p.path('restored', file))).toEqual(readFileSync(p.path('data', file)));
    }
    const notEmpty = await coffer('restore', 'directory', '--from', 'backups', '--target', 'restored');
    expect(notEmpty.exitCode).toBe(1);
    expect(notEmpty.stderr).toContain('is not empty');
    expect(notEmpty.stderr).toContain('hint: Restore into an empty folder');
  });

  it('says clearly when a provider cannot restore', async () => {
    const run = await coffer('restore', 'slow', '--from', 'backups', '--json');
    expect(run.exitCode).toBe(1);
    expect(run.result!.error).toMatchObject({
      code: 'UNSUPPORTED_OPERATION',
      message: "Provider 'slow' does not support restore.",
    });
  });

  it('catches a flipped byte, a truncated file and an extra file (exit 1)', async () => {
    const damaged = p.path('backups', first.id);
    const target = join(damaged, 'readme.txt');
    const bytes = readFileSync(target);
    bytes[0] = bytes[0]! ^ 0x01;
    writeFileSync(target, bytes);
    truncateSync(join(damaged, 'nested', 'deeper', 'notes.md'), 2);
    appendFileSync(join(damaged, 'stowaway.bin'), 'x');

    const run = await coffer('verify', 'backups', '--json');
    expect(run.exitCode).toBe(1);
    expect(run.result).toMatchObject({ status: 'failed', ok: false, problems: 3 });
    const report = (
      run.result!.backups as Array<{ id: string; ok: boolean; problems: Array<{ kind: string; path: string }> }>
    ).find((b) => b.id === first.id)!;
    expect(report.ok).toBe(false);
    expect(report.problems.map((x) => [x.kind, x.path]).sort()).toEqual([
      ['altered', 'readme.txt'],
      ['extra', 'stowaway.bin'],
      ['truncated', 'nested/deeper/notes.md'],
    ]);

    const human = await coffer('verify', 'backups');
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`FAILED\\s+${first.id}`));
    expect(human.stdout).toMatch(/altered\s+readme\.txt/);
    expect(human.stdout).toMatch(new RegExp(`ok\\s+${second.id}`));
    expect(human.stderr).toContain('1 of 2 backups failed verification (3 problems).');
  });

  it('verifies one backup folder on its own, and exits 3 when folders have no manifest to check', async () => {
    const one = await coffer('verify', join('backups', second.id), '--json');
    expect(one.exitCode).toBe(0);
    expect((one.result!.backups as unknown[]).length).toBe(1);

    // A backup folder GPMC wrote: a bkupInfo.xml, no Coffer manifest and no coffer-* file (a bare folder would be a stray).
    mkdirSync(p.path('foreign', 'written-by-gpmc'), { recursive: true });
    writeFileSync(p.path('foreign', 'written-by-gpmc', 'bkupInfo.xml'), '<BackupInst/>');
    const foreign = await coffer('verify', 'foreign', '--json');
    expect(foreign.exitCode).toBe(3);
    expect(foreign.result).toMatchObject({
      status: 'succeeded-with-warnings',
      unverifiable: [p.path('foreign', 'written-by-gpmc')],
    });
  });

  it('fails with ERROR_PATH_NOT_FOUND when the --out directory does not exist (exit 1), and creates nothing', async () => {
    const run = await coffer('backup', 'directory', '--source', 'data', '--out', 'missing-dir', '--json');
    expect(run.exitCode).toBe(1);
    expect(run.result!.status).toBe('failed');
    expect(run.result!.error).toMatchObject({
      code: 'PATH_NOT_FOUND',
      hresult: 0x80070003,
      hresultHex: '0x80070003',
      hresultName: 'ERROR_PATH_NOT_FOUND',
      object: p.path('missing-dir'),
    });
    expect(readdirSync(p.dir)).not.toContain('missing-dir');

    const human = await coffer('backup', 'directory', '--source', 'data', '--out', 'missing-dir');
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toContain(`error: The target directory ${p.path('missing-dir')} does not exist.`);
    expect(human.stderr).toContain('ERROR_PATH_NOT_FOUND 0x80070003');
    expect(human.stderr).toContain('hint: Create it first');
    // The error is printed once, with its hint, not once more as a message.
    expect(human.stderr.match(/does not exist/g)).toHaveLength(1);
  });

  it('verify on a folder that does not exist fails with ERROR_PATH_NOT_FOUND', async () => {
    const run = await coffer('verify', 'nowhere', '--json');
    expect(run.exitCode).toBe(1);
    expect(run.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresultName: 'ERROR_PATH_NOT_FOUND' });
  });
});
