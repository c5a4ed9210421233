import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { FIXTURE_PACKAGES, fixtureProvider } from './helpers/paths.js';
import { runCoffer, type CofferRunOptions } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

const PASSWORD = 'correct-horse-battery-staple';

describe('flags from provider options, secrets, usage errors and help', () => {
  let cli: IsolatedCli;
  let p: TempProject;
  let base: CofferRunOptions;
  const coffer = (args: string[], extra: CofferRunOptions = {}) =>
    runCoffer(args, { ...base, ...extra, env: { ...extra.env } });

  beforeAll(() => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.installFolder(join(FIXTURE_PACKAGES, 'fake-provider-gpo'));
    p.writeConfig({ providers: [fixtureProvider('options-provider.mjs')] });
    mkdirSync(p.path('backups'));
    base = { cwd: p.dir, bin: cli.bin };
  });
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  const received = (backupPath: string) =>
    JSON.parse(readFileSync(join(backupPath, 'received.json'), 'utf8')) as Record<string, unknown>;

  it('maps every kind of option: strings, repeated arrays, numbers, enums, switches, kebab-case names', async () => {
    const run = await coffer(
      [
        'backup',
        'optioned',
        '--user',
        'alice',
        '--tag',
        'one',
        '--tag',
        'two words',
        '--retries',
        '3',
        '--level',
        'high',
        '--all',
        '--ca-file',
        'ca.pem',
        '--out',
        'backups',
        '--comment',
        'why not',
        '--json',
      ],
      { env: { COFFER_TEST_PASSWORD: PASSWORD } },
    );
    expect(run.exitCode).toBe(0);
    const [backup] = run.result!.backups as Array<{ path: string }>;
    expect(received(backup!.path)).toEqual({
      user: 'alice',
      tag: ['one', 'two words'],
      retries: 3,
      level: 'high',
      all: true,
      warn: false,
      caFile: 'ca.pem',
      comment: 'why not',
      passwordSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('takes the GPO command line the AD providers will use', async () => {
    writeFileSync(p.path('pw'), `${PASSWORD}\n`);
    const run = await coffer([
      'backup',
      'gpo',
      '--dc',
      'dc1.corp.example',
      '--domain',
      'corp.example',
      '--user',
      'Administrator',
      '--password-file',
      p.path('pw'),
      '--ca-file',
      'ca.pem',
      '--gpo',
      'Default Domain Policy',
      '--gpo',
      '{6AC1786C-016F-11D2-945F-00C04FB984F9}',
      '--out',
      'backups',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    const echo = run.lines.find((l) => l.type === 'message' && l.code === 'ECHO')!;
    expect(JSON.parse(echo.message as string)).toEqual({
      dc: 'dc1.corp.example',
      domain: 'corp.example',
      user: 'Administrator',
      passwordFile: p.path('pw'),
      caFile: 'ca.pem',
      gpo: ['Default Domain Policy', '{6AC1786C-016F-11D2-945F-00C04FB984F9}'],
      all: false,
      passwordLength: 0,
    });
    expect(run.result!.counts).toEqual({ gpos: 2 });
  });

  it('fills a secret from the environment variable its schema names, and never prints it', async () => {
    const run = await coffer(
      ['backup', 'gpo', '--dc', 'dc1', '--domain', 'd', '--user', 'u', '--all', '--out', 'backups', '--json'],
      { env: { COFFER_PASSWORD: PASSWORD } },
    );
    expect(run.exitCode).toBe(0);
    const echo = run.lines.find((l) => l.type === 'message' && l.code === 'ECHO')!;
    expect(JSON.parse(echo.message as string).passwordLength).toBe(PASSWORD.length);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stderr).not.toContain(PASSWORD);
  });

  it('redacts a secret even when a provider puts it in an error message', async () => {
    for (const json of [true, false]) {
      const run = await coffer(
        [
          'backup',
          'optioned',
          '--user',
          'bob',
          '--fail-with',
          'it broke',
          '--out',
          'backups',
          ...(json ? ['--json'] : []),
        ],
        {
          env: { COFFER_TEST_PASSWORD: PASSWORD },
        },
      );
      expect(run.exitCode).toBe(1);
      expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
      expect(`${run.stdout}${run.stderr}`).toContain('it broke (password ***)');
    }
  });

  it('refuses a secret given as a flag, without repeating its value (exit 2)', async () => {
    const run = await coffer(['backup', 'optioned', '--user', 'bob', '--password', PASSWORD, '--out', 'backups']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "--password is not accepted: 'password' is a secret and never goes on the command line.",
    );
    expect(run.stderr).toContain('set COFFER_TEST_PASSWORD');
    expect(run.stderr).not.toContain(PASSWORD);
  });

  it('reports options the schema rejects as E_INVALIDARG (exit 2), naming the flags and the help page', async () => {
    const run = await coffer(
      ['backup', 'optioned', '--user', 'bob', '--retries', 'many', '--level', 'extreme', '--out', 'backups'],
      { env: { COFFER_TEST_PASSWORD: PASSWORD } },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Invalid options for provider 'optioned'");
    expect(run.stderr).toMatch(/--retries: .*number/);
    expect(run.stderr).toMatch(/--level: .*"low"\|"high"|--level: .*low.*high/);
    expect(run.stderr).toContain('E_INVALIDARG 0x80070057');
    expect(run.stderr).toContain("hint: Run 'coffer help backup optioned' for the accepted options.");

    const noSecret = await coffer(['backup', 'optioned', '--user', 'bob', '--out', 'backups', '--json']);
    expect(noSecret.exitCode).toBe(2);
    expect(noSecret.result!.error).toMatchObject({ code: 'INVALID_ARGUMENT', hresult: 0x80070057 });
    expect(String(noSecret.result!.error!.message)).toContain(
      'password (secret, from COFFER_TEST_PASSWORD or --password-file or the prompt)',
    );
  });

  it('rejects an unknown flag naming the closest valid one (exit 2)', async () => {
    const run = await coffer(['backup', 'optioned', '--usr', 'bob', '--out', 'backups']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown option '--usr'");
    expect(run.stderr).toContain('Did you mean --user?');
    expect(run.stderr).toContain("run 'coffer help backup optioned'");

    const json = await coffer(['backup', 'optioned', '--usr', 'bob', '--out', 'backups', '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.lines).toHaveLength(1);
    expect(json.result).toMatchObject({
      status: 'failed',
      exitCode: 2,
      error: { code: 'INVALID_ARGUMENT', message: "unknown option '--usr'\n(Did you mean --user?)" },
    });
  });

  it('treats a missing --out, an unknown provider and an unknown verb as usage errors (exit 2)', async () => {
    const noOut = await coffer(['backup', 'optioned', '--user', 'bob']);
    expect(noOut.exitCode).toBe(2);
    expect(noOut.stderr).toContain("required option '--out <dir>' not specified");

    const unknown = await coffer(['backup', 'optionned', '--out', 'backups']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("Unknown provider 'optionned'.");
    expect(unknown.stderr).toContain("Did you mean 'optioned'?");

    const noProvider = await coffer(['backup', '--out', 'backups', '--json']);
    expect(noProvider.exitCode).toBe(2);
    expect(noProvider.result!.error!.message).toBe(
      'coffer backup needs a provider: coffer backup <provider> [options].',
    );

    const verb = await coffer(['bakup']);
    expect(verb.exitCode).toBe(2);
    expect(verb.stderr).toContain("unknown command 'bakup'");
    expect(verb.stderr).toContain('Did you mean backup?');

    const nothing = await coffer([]);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toContain('Usage: coffer');
  });

  it('exits 3 when the operation completes with warnings', async () => {
    const run = await coffer(['backup', 'optioned', '--user', 'bob', '--warn', '--out', 'backups', '--json'], {
      env: { COFFER_TEST_PASSWORD: PASSWORD },
    });
    expect(run.exitCode).toBe(3);
    expect(run.result!.status).toBe('succeeded-with-warnings');
    expect(run.lines).toContainEqual(
      expect.objectContaining({ type: 'message', severity: 'warning', code: 'TEST_WARNING', object: 'item-1' }),
    );
    const human = await coffer(['backup', 'optioned', '--user', 'bob', '--warn', '--out', 'backups'], {
      env: { COFFER_TEST_PASSWORD: PASSWORD },
    });
    expect(human.exitCode).toBe(3);
    expect(human.stderr).toContain('warning: Something was skipped. [item-1] (TEST_WARNING)');
    expect(human.stderr).toContain('Completed with 1 warning.');
  });

  it("runs a provider's own commands as `coffer <provider> <command>` and `coffer <command> <provider>`", async () => {
    const direct = await coffer(['optioned', 'whoami', '--user', 'alice', '--shout']);
    expect(direct.exitCode).toBe(0);
    expect(direct.stdout).toBe('you are ALICE\n');
    const json = await coffer(['optioned', 'whoami', '--user', 'alice', '--json']);
    expect(json.result).toMatchObject({
      operation: 'command',
      command: 'whoami',
      provider: 'optioned',
      status: 'succeeded',
      data: { user: 'alice' },
    });

    const verbFirst = await coffer(['import', 'optioned', '--name', 'thing', '--json']);
    expect(verbFirst.exitCode).toBe(0);
    expect(verbFirst.result!.data).toEqual({ imported: 'thing' });
    const gpoImport = await coffer(
      ['import', 'gpo', '--dc', 'dc1', '--domain', 'd', '--user', 'u', '--backup-id', '{ABC}'],
      { env: { COFFER_PASSWORD: PASSWORD } },
    );
    expect(gpoImport.exitCode).toBe(0);
    expect(gpoImport.stdout).toBe('would import {ABC} into dc1\n');

    const missing = await coffer(['optioned', 'whoami']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--user: /);
    expect(missing.stderr).toContain("Run 'coffer help optioned whoami'");
  });

  it('documents each provider: flags, required ones, choices, repeatable ones, secrets, examples', async () => {
    const run = await coffer(['help', 'backup', 'gpo']);
    expect(run.exitCode).toBe(0);
    const help = run.stdout;
    expect(help).toContain('Usage: coffer backup gpo [options]');
    expect(help).toMatch(/--dc <value>\s+Domain controller FQDN\. \(required\)/);
    expect(help).toMatch(/--gpo <value>\s+GPO name or GUID; repeat for several\. \(repeatable\)/);
    expect(help).toMatch(/--password-file <file>\s+File holding the password\./);
    expect(help).toMatch(/--all\s+Every GPO in the domain\./);
    expect(help).toMatch(/--out <dir>\s+existing directory/);
    expect(help).not.toMatch(/--password </);
    expect(help).toContain(
      'password: Password of --user. (secret; never a flag) from the COFFER_PASSWORD environment variable, or a file named with --password-file',
    );
    // A provider's own examples (BackupProvider.examples; the real built-ins' are run by the packaging test against a DC).
    expect(help).toMatch(/Examples:\n {2}coffer backup gpo --dc dc1\.corp\.example .* --all --out \/srv\/backups\/gpo/);
    expect(help).not.toContain('Synopsis');

    const optioned = await coffer(['backup', 'optioned', '--help']);
    expect(optioned.exitCode).toBe(0);
    expect(optioned.stdout).toMatch(/--level <low\|high>\s+How hard to try\. \(one of: low, high; default: "low"\)/);
    // A third-party provider without examples: a synopsis of its required options, not an example with <placeholders>.
    expect(optioned.stdout).toMatch(/Synopsis \(required options only\):\n {2}coffer backup optioned .*--out <dir>/);
    expect(optioned.stdout).not.toContain('Examples:');

    const command = await coffer(['help', 'optioned', 'whoami']);
    expect(command.stdout).toContain('Usage: coffer optioned whoami [options]');
    expect(command.stdout).toContain('coffer optioned whoami --user alice');

    const top = await coffer(['--help']);
    expect(top.stdout).toContain(
      'Exit status: 0 succeeded, 1 failed, 2 usage error, 3 completed with warnings, 4 differences found (coffer diff --exit-code), 130 cancelled',
    );
    expect(top.stdout).toMatch(/starter-gpo\s+not installed — npm install @coffer\/provider-starter-gpo/);
    // Its examples are the installed providers' (here the fake gpo's first backup example and the directory it fills),
    // nothing of a provider that is not installed.
    const examples = top.stdout.slice(top.stdout.indexOf('Examples:'));
    expect(examples).toMatch(/^ {2}coffer backup gpo --dc dc1\.corp\.example .* --all --out \/srv\/backups\/gpo/m);
    expect(examples).toContain('  coffer list /srv/backups/gpo\n');
    expect(examples).not.toMatch(/drm|starter-gpo/);
    // A provider command is listed under its provider (`optioned`), not again verb first among the CLI's verbs, though
    // `coffer import optioned` runs (see above).
    const commands = top.stdout.slice(top.stdout.indexOf('Commands:'), top.stdout.indexOf('Providers:'));
    expect(commands).toMatch(/^ {2}optioned\s/m);
    expect(commands).not.toMatch(/^ {2}(whoami|import)\b/m);

    const unknown = await coffer(['help', 'bakup']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("Did you mean 'backup'?");
  });

  it('keeps help off stdout in JSON mode', async () => {
    const run = await coffer(['help', 'backup', 'gpo', '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: coffer backup gpo');
  });

  it('prompts for a secret without echo on a terminal', async () => {
    // `script` gives the child a pseudo-terminal, as a person at a shell would have.
    const out = p.path('prompted');
    mkdirSync(out);
    const command = [process.execPath, cli.bin, 'backup', 'optioned', '--user', 'carol', '--out', out]
      .map((a) => `'${a}'`)
      .join(' ');
    const typed = 'typed-at-the-prompt';
    const transcript = execFileSync(
      'sh',
      ['-c', `(sleep 2; printf '${typed}\\r'; sleep 1) | script -qec "${command.replace(/"/g, '\\"')}" /dev/null`],
      {
        cwd: p.dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TERM: 'dumb' },
        timeout: 30_000,
      },
    );
    expect(transcript).toContain('optioned backup password:');
    expect(transcript).not.toContain(typed);
    const [name] = readdirSync(out);
    const { createHash } = await import('node:crypto');
    expect(received(join(out, name!)).passwordSha256).toBe(createHash('sha256').update(typed).digest('hex'));
  });
});
