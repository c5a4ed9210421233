import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDirectory } from '@coffer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { DIRECTORY_PROVIDER_PACKAGE } from './helpers/paths.js';
import { runCoffer, type CofferRunOptions } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

interface Decided {
  id: string;
  object: { id: string };
  reasons: Array<{ rule: string; period: string }>;
}

// Real backups to prune, without a DC: the example directory provider, three runs of one folder and one of another.
describe('coffer prune', () => {
  let cli: IsolatedCli;
  let p: TempProject;
  let options: CofferRunOptions;
  const coffer = (...args: string[]) => runCoffer(args, options);
  const data: string[] = [];
  let other: string;

  beforeAll(async () => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.installPacked(DIRECTORY_PROVIDER_PACKAGE);
    p.writeConfig({ providers: ['coffer-provider-directory'] });
    p.writeFile('data/readme.txt', 'hello\n');
    p.writeFile('other/notes.txt', 'notes\n');
    mkdirSync(p.path('backups'));
    options = { cwd: p.dir, bin: cli.bin, env: { TZ: 'UTC' } };
    for (const source of ['data', 'data', 'data', 'other']) {
      const run = await coffer('backup', 'directory', '--source', source, '--out', 'backups', '--json');
      expect(run.exitCode, run.stderr).toBe(0);
      const id = (run.result as unknown as { backups: Array<{ id: string }> }).backups[0]!.id;
      if (source === 'data') data.push(id);
      else other = id;
      // The ids are stamped to the second: one second apart, the order of the runs is the order of their times.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    writeFileSync(p.path('backups/notes-of-another-tool.txt'), 'left alone\n');
  }, 60_000);
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  it('--dry-run --json decides per object and says why, and changes nothing', async () => {
    const before = readdirSync(p.path('backups')).sort();
    const run = await coffer('prune', 'backups', '--keep-last', '1', '--dry-run', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.lines.some((l) => l.type === 'progress')).toBe(true);
    const result = run.result as unknown as {
      operation: string;
      dryRun: boolean;
      objects: number;
      kept: Decided[];
      removed: Decided[];
      skipped: Array<{ name: string; reason: string }>;
    };
    expect(result).toMatchObject({ operation: 'prune', dryRun: true, objects: 2 });
    expect(result.kept.map((b) => b.id).sort()).toEqual([data[2]!, other].sort());
    expect(result.removed.map((b) => b.id)).toEqual([data[1], data[0]]);
    expect(result.kept.find((b) => b.id === data[2])!.reasons.map((r) => `${r.rule} ${r.period}`)).toEqual([
      expect.stringMatching(/^newest \d{4}-/),
      'last 1',
    ]);
    expect(result.removed.every((b) => b.reasons.length === 0)).toBe(true);
    expect(result.skipped).toEqual([{ name: 'notes-of-another-tool.txt', reason: 'a file, not a backup' }]);
    expect(readdirSync(p.path('backups')).sort()).toEqual(before);
  });

  it('prune and verify load no provider (an hourly prune does not import every provider); list does', async () => {
    // A provider that throws when imported: a command that discovers providers warns about it.
    const broken = p.path('broken-provider.mjs');
    writeFileSync(broken, "throw new Error('this provider breaks on import');\n");
    const warned = /failed to load/;
    const prune = await coffer('--provider', broken, 'prune', 'backups', '--keep-last', '1', '--dry-run');
    expect(prune.exitCode, prune.stderr).toBe(0);
    expect(prune.stderr).toContain('would remove 2 of 4 backups');
    expect(prune.stderr).not.toMatch(warned);
    const verify = await coffer('--provider', broken, 'verify', 'backups');
    expect(verify.stderr).toContain('All 4 backups verified.');
    expect(verify.stderr).not.toMatch(warned);
    const list = await coffer('--provider', broken, 'list', 'backups');
    expect(list.stderr).toMatch(warned);
  });

  it('prunes: prints every backup with what became of it and why; list and verify see only what is kept', async () => {
    const run = await coffer('prune', 'backups', '--keep-last', '1');
    expect(run.exitCode, run.stderr).toBe(0);
    const line = (id: string) => run.stdout.split('\n').find((l) => l.includes(id)) ?? '';
    expect(line(data[2]!)).toMatch(/^ {2}keep +\d{4}-\d\d-\d\d \d\d:\d\d +\S+ +newest, last 1$/);
    expect(line(data[0]!)).toMatch(/^ {2}removed +.* no rule keeps it$/);
    expect(line(data[1]!)).toMatch(/^ {2}removed /);
    expect(run.stdout).toMatch(/^skipped +notes-of-another-tool\.txt {2}a file, not a backup$/m);
    expect(run.stderr).toContain('Removed 2 of 4 backups of 2 objects; kept 2.');
    expect(readdirSync(p.path('backups')).sort()).toEqual([data[2]!, other, 'notes-of-another-tool.txt'].sort());
    const list = await coffer('list', 'backups', '--json');
    expect((list.result!.backups as Array<{ id: string }>).map((b) => b.id).sort()).toEqual([data[2]!, other].sort());
    const verify = await coffer('verify', 'backups', '--json');
    expect(verify.result).toMatchObject({ ok: true });
    expect(readFileSync(p.path('backups/notes-of-another-tool.txt'), 'utf8')).toBe('left alone\n');
  });

  it('usage errors exit 2 with a result line: no rule, a bad count, a bad duration', async () => {
    for (const [args, message] of [
      [[], /No retention rule/],
      [['--keep-daily', 'two'], /--keep-daily must be a whole number/],
      [['--keep-last', '0'], /--keep-last must be a whole number of at least 1/],
      [['--keep-within', '3 days'], /is not a duration/],
    ] as const) {
      const run = await coffer('prune', 'backups', ...args, '--json');
      expect(run.exitCode, String(args)).toBe(2);
      expect(run.result).toMatchObject({ operation: 'prune', status: 'failed', exitCode: 2 });
      expect(String(run.result!.error!.message)).toMatch(message);
    }
    const text = await coffer('prune', 'backups');
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toMatch(/INVALID_ARGUMENT/);
  });

  it('failures exit 1 and remove nothing: a missing directory, an SMB share, a held lock, a damaged backup', async () => {
    const missing = await coffer('prune', 'nowhere', '--keep-last', '1', '--json');
    expect(missing.exitCode).toBe(1);
    expect(missing.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND' });

    const share = await coffer('prune', '//fileserver/backups/gpo', '--keep-last', '1', '--json');
    expect(share.exitCode).toBe(1);
    expect(share.result!.error).toMatchObject({ code: 'UNSUPPORTED_OPERATION', hresultName: 'ERROR_NOT_SUPPORTED' });

    const held = await lockDirectory(p.path('backups'));
    try {
      const locked = await coffer('prune', 'backups', '--keep-last', '1', '--json');
      expect(locked.exitCode).toBe(1);
      expect(locked.result!.error).toMatchObject({ code: 'DESTINATION_LOCKED' });
    } finally {
      await held.release();
    }

    const manifest = p.path(join('backups', other, 'coffer-manifest.json'));
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.replace(`"id": "${other}"`, '"id": "somewhere-else"'));
    const before = readdirSync(p.path('backups')).sort();
    const damaged = await coffer('prune', 'backups', '--keep-last', '1', '--json');
    expect(damaged.exitCode).toBe(1);
    expect(damaged.result!.error).toMatchObject({ code: 'PRUNE_BACKUP_INVALID', hresultName: 'ERROR_FILE_CORRUPT' });
    expect(readdirSync(p.path('backups')).sort()).toEqual(before);
    writeFileSync(manifest, text);
  });

  it('is in coffer --help, and coffer help prune explains the rules', async () => {
    const help = await coffer('--help');
    expect(help.stdout).toMatch(/^ {2}prune .*retention/m);
    const prune = await coffer('help', 'prune');
    expect(prune.exitCode).toBe(0);
    for (const flag of [
      '--keep-last',
      '--keep-hourly',
      '--keep-daily',
      '--keep-weekly',
      '--keep-monthly',
      '--keep-yearly',
      '--keep-within',
      '--dry-run',
    ])
      expect(prune.stdout).toContain(flag);
    expect(prune.stdout).toContain('local time zone');
  });
});
