import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { domainSession, runShellExample, runShellLines } from './support/example-runner.js';
import { installProject, type InstalledProject } from './support/project.js';
import { exampleNamed, shellLines, substitute, type SubstitutionContext } from './support/readme-examples.js';
import { describeRun } from './support/run.js';

// The CLI with every built-in provider installed beside it: the Starter GPO README's CLI session, then every
// example that any `--help` page shows (gathered by walking the command tree as a user would, `coffer --help`,
// `coffer backup --help`, `coffer backup gpo --help`, …), each run as shown against the test DC, with the same
// placeholder mapping as the READMEs (dc1.corp.example, ~/.pw, /etc/ssl/corp-ca.pem, /srv/backups, the DC's SYSVOL).
const TARBALLS = [
  '@coffer/cli',
  '@coffer/core',
  '@coffer/active-directory',
  '@coffer/gpmc',
  '@coffer/provider-gpo',
  '@coffer/provider-starter-gpo',
  '@coffer/drm-license-store',
  '@coffer/provider-drm-licenses',
];

/** The lines of a help page's Examples section (indent dropped). */
export function helpExamples(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'Examples:');
  if (start < 0) return [];
  const examples: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    examples.push(line.trim());
  }
  return examples;
}

/** The subcommand names a help page lists under Commands: (`drm-licenses|drm [options]` → `drm-licenses`). */
function helpSubcommands(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'Commands:');
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const match = /^ {2}([a-z][\w-]*)/.exec(line); // a description's continuation is indented much further
    if (match) names.push(match[1]!);
  }
  return names;
}

/**
 * Examples depend on each other the way a user's session does (a backup before its restore, a cabinet saved before
 * it is loaded, a license store before its licenses): they run in this order of their verbs, then as gathered.
 */
function phase(example: string): number {
  const words = example.split(/\s+/).slice(1);
  const has = (...names: string[]) => names.some((name) => words.slice(0, 2).includes(name));
  if (has('providers', 'help')) return 0;
  if (has('create-store')) return 1;
  if (has('issue')) return 2;
  if (words[0] === 'backup') return 3;
  if (words[0] === 'list' || words[0] === 'verify') return 4;
  if (has('save-cab')) return 5;
  if (words[0] === 'restore' || has('import', 'load-cab')) return 6;
  return 7;
}

describe('CLI + every built-in provider: the Starter GPO README session and every --help example, against the test DC', () => {
  const domain: TestDomainInfo = inject('testDomain');
  let project: InstalledProject;
  let context: SubstitutionContext;
  let env: Record<string, string>;

  beforeAll(async () => {
    project = await installProject({ name: 'cli-all', tarballs: TARBALLS }, inject('tarballs'));
    const session = await domainSession(project, domain);
    context = session.context;
    // The DRM examples use the default license store, which lives under XDG_DATA_HOME: one of the project's own.
    await mkdir(join(project.dir, 'xdg'));
    env = { ...session.env, XDG_DATA_HOME: join(project.dir, 'xdg') };
  });
  afterAll(async () => project?.remove());

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/'))).toEqual([...TARBALLS].sort());
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("@coffer/provider-starter-gpo's README install lines name packages this project installed and Debian packages this machine has", async () => {
    expect(
      await runShellExample(project, exampleNamed('starter-gpo-install'), context, { installedFromTarballs: TARBALLS }),
    ).toEqual([]);
  });

  it("@coffer/provider-starter-gpo's README CLI session: back up over SMB and from SYSVOL, list, restore, save and load a cabinet", async () => {
    const lines = await runShellExample(project, exampleNamed('starter-gpo-cli-session'), context, {
      env,
      installedFromTarballs: TARBALLS,
    });
    const output = (prefix: string) => lines.filter((l) => l.line.startsWith(prefix));
    const starters = domain.seed?.starterGpos ?? [];
    expect(starters.length).toBeGreaterThan(0);
    const [overSmb, fromSysvol] = output('coffer backup starter-gpo');
    for (const starter of starters) expect(overSmb!.stdout).toContain(starter.displayName);
    expect(fromSysvol!.stdout).toContain('Browser Defaults');
    // Only Starter GPO backups are listed: one per seeded Starter GPO, plus the second backup of Browser Defaults.
    const listed = output('coffer list starter-gpo')[0]!.stdout.trim().split('\n');
    expect(listed).toHaveLength(starters.length + 1);
    for (const line of listed) expect(line.split('\t')[1]).toBe('starter-gpo');
    expect(output('coffer restore starter-gpo')[0]!.stdout).toMatch(/Restored 1 object/);
    expect((await readFile(join(project.dir, 'browser-defaults.cab'))).subarray(0, 4).toString('latin1')).toBe('MSCF');
    expect(output('coffer starter-gpo load-cab')[0]!.stdout).toMatch(
      /Loaded Browser Defaults .*\(replaced the existing one\)/,
    );
    for (const line of lines) expect(`${line.stdout}${line.stderr}`).not.toContain(domain.adminPassword);
  });

  it('every example of every --help page runs as shown', async () => {
    // Walk the command tree from `coffer --help`, as a reader would, and keep each page's examples.
    const pages = new Map<string, string[]>();
    const visit = async (words: string[]): Promise<void> => {
      const key = words.join(' ');
      if (pages.has(key) || words.length > 2) return;
      const help = await project.exec('coffer', [...words, '--help'], env);
      expect(help.code, describeRun(`coffer ${key} --help`, help)).toBe(0);
      pages.set(key, helpExamples(help.stdout));
      // Under a provider, commander lists its own `help [command]` (help for the command named), which has no page of its own.
      for (const name of helpSubcommands(help.stdout))
        if (words.length === 0 || name !== 'help') await visit([...words, name]);
    };
    await visit([]);
    // The pages a user is pointed at: every verb, every provider under backup and restore, every provider command.
    for (const page of [
      '',
      'backup',
      'restore',
      'list',
      'verify',
      'providers',
      'help',
      'backup gpo',
      'backup starter-gpo',
      'backup drm-licenses',
      'restore gpo',
      'restore starter-gpo',
      'restore drm-licenses',
      'gpo import',
      'gpo list',
      'gpo links',
      'starter-gpo save-cab',
      'starter-gpo load-cab',
      'drm-licenses issue',
    ]) {
      expect(pages.get(page), `coffer ${page} --help has no examples`).not.toEqual([]);
    }
    // `coffer help backup gpo` is the same page as `coffer backup gpo --help`.
    const viaHelp = await project.exec('coffer', ['help', 'backup', 'gpo'], env);
    expect(helpExamples(viaHelp.stdout)).toEqual(pages.get('backup gpo'));

    // The same command shown on two pages (with a comment on one) runs once.
    const byCommand = new Map(
      [...pages.values()].flat().map((example) => [example.replace(/\s+#.*$/, ''), example] as const),
    );
    const examples = [...byCommand.values()];
    for (const example of examples) {
      expect(example, 'an example is a coffer command').toMatch(/^coffer /);
      expect(example, 'an example runs as shown: no <placeholder> or …').not.toMatch(/<[a-z-]+>|…|\.\.\./);
    }
    // The examples start from a clean slate: what the README session left (its backups and cabinet) goes first.
    for (const leftover of ['srv', 'browser-defaults.cab'])
      await rm(join(project.dir, leftover), { recursive: true, force: true });
    // `--out` names an existing directory (the help says so; Coffer never creates it): the sessions of the READMEs
    // start with mkdir -p, a help example is one line, so the test makes the two directories the examples name.
    for (const folder of ['gpo', 'drm']) await mkdir(join(project.dir, 'srv', 'backups', folder), { recursive: true });
    const ordered = examples
      .map((example, index) => ({ example, index }))
      .sort((a, b) => phase(a.example) - phase(b.example) || a.index - b.index);
    const lines = ordered.map(({ example }) => shellLines(substitute(example, context))[0]!);
    // The DRM backup completes with a warning (exit 3): `coffer drm issue --play-count 3` issued a license that may not be backed up.
    const exitCodes = Object.fromEntries(
      lines.flatMap((line, index) => (/^coffer backup (drm|drm-licenses) /.test(line) ? [[index, 3]] : [])),
    );
    const results = await runShellLines(project, '--help example', lines, {
      env,
      installedFromTarballs: TARBALLS,
      exitCodes,
    });
    expect(results).toHaveLength(examples.length);
    const drmBackup = results.find((r) => /^coffer backup drm/.test(r.line))!;
    expect(drmBackup.stderr).toMatch(/RESTRICTED_LICENSE/);
    for (const result of results) expect(`${result.stdout}${result.stderr}`).not.toContain(domain.adminPassword);
    // Every provider's backup and restore, each provider command with examples, and the verbs: all of them ran.
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });
});
