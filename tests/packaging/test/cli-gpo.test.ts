import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { domainSession, runShellExample } from './support/example-runner.js';
import { installProject, type InstalledProject } from './support/project.js';
import { exampleNamed, type SubstitutionContext } from './support/readme-examples.js';
import { describeRun } from './support/run.js';

// Scenario 2: `@coffer/cli` + `@coffer/provider-gpo`, plus only the tarballs of their own @coffer dependencies; the
// CLI finds the built-in provider in the project and backs up the test DC's GPOs.
const TARBALLS = ['@coffer/cli', '@coffer/provider-gpo', '@coffer/core', '@coffer/active-directory', '@coffer/gpmc'];

describe('CLI + GPO project: @coffer/cli + @coffer/provider-gpo against the test DC', () => {
  const domain: TestDomainInfo = inject('testDomain');
  let project: InstalledProject;
  let context: SubstitutionContext;
  let env: Record<string, string>;

  beforeAll(async () => {
    project = await installProject({ name: 'cli-gpo', tarballs: TARBALLS }, inject('tarballs'));
    // The README's `--password-file ~/.pw` and `COFFER_PASSWORD=…`: a 0600 file, and a variable the line names.
    ({ context, env } = await domainSession(project, domain));
  });
  afterAll(async () => project?.remove());

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/'))).toEqual([...TARBALLS].sort());
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("@coffer/cli's README install session: coffer providers lists gpo", async () => {
    const lines = await runShellExample(project, exampleNamed('cli-install'), context, {
      installedFromTarballs: TARBALLS,
    });
    expect(lines.map((l) => l.line.replace(/\s+#.*$/, ''))).toEqual(['coffer providers']);
    expect(lines[0]!.stdout).toMatch(/\bgpo\b/);
    expect(lines[0]!.stdout).toMatch(/npm install @coffer\/provider-starter-gpo/);
  });

  it("@coffer/provider-gpo's README install line names packages this project installed", async () => {
    expect(
      await runShellExample(project, exampleNamed('gpo-install'), context, { installedFromTarballs: TARBALLS }),
    ).toEqual([]);
  });

  it('coffer providers loads gpo from this project, and names the built-ins that are not installed', async () => {
    const result = await project.exec('coffer', ['providers', '--json']);
    expect(result.code, describeRun('coffer providers', result)).toBe(0);
    const final = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      providers: Array<{ id: string; source: string; resolvedPath: string; packageName: string }>;
      failed: unknown[];
      notInstalled: Array<{ id: string } | string>;
    };
    expect(final.failed).toEqual([]);
    expect(final.providers.map((p) => p.id)).toEqual(['gpo']);
    expect(final.providers[0]).toMatchObject({
      packageName: '@coffer/provider-gpo',
      resolvedPath: join(project.dir, 'node_modules', '@coffer', 'provider-gpo', 'dist', 'index.js'),
    });
    expect(JSON.stringify(final.notInstalled)).toMatch(/starter-gpo/);
    expect(JSON.stringify(final.notInstalled)).toMatch(/drm-licenses/);
  });

  it("@coffer/cli's README GPO session: one GPO with a password file, all with COFFER_PASSWORD, list, verify", async () => {
    const lines = await runShellExample(project, exampleNamed('cli-gpo-session'), context, {
      env,
      installedFromTarballs: TARBALLS,
    });
    const backups = join(project.dir, 'srv', 'backups', 'gpo');
    const folders = (await readdir(backups)).filter((name) => /^\{[0-9A-F-]{36}\}$/.test(name));
    const seeded = domain.seed?.gpos ?? [];
    // The first line backs up one GPO, the second every GPO of the domain (the seeded ones and the two defaults).
    expect(folders.length).toBeGreaterThanOrEqual(1 + seeded.length);
    expect((await readdir(backups)).includes('manifest.xml')).toBe(true);
    const list = lines.find((l) => l.line.startsWith('coffer list'))!;
    expect(list.stdout.split('\n').filter((line) => line.includes('Default Domain Policy')).length).toBe(2);
    const verify = lines.find((l) => l.line.startsWith('coffer verify'))!;
    expect(verify.stdout.split('\n').filter((line) => line.startsWith('ok')).length).toBe(folders.length);
    for (const line of lines) expect(`${line.stdout}${line.stderr}`).not.toContain(domain.adminPassword);
  });

  it("@coffer/provider-gpo's README --changed session: every GPO backed up once, then nothing", async () => {
    await rm(join(project.dir, 'srv'), { recursive: true, force: true }); // no backups yet: every GPO is new
    const lines = await runShellExample(project, exampleNamed('gpo-changed'), context, {
      env,
      installedFromTarballs: TARBALLS,
    });
    const backups = join(project.dir, 'srv', 'backups', 'gpo');
    const folders = (await readdir(backups)).filter((name) => /^\{[0-9A-F-]{36}\}$/.test(name));
    expect(folders.length).toBeGreaterThanOrEqual(2 + (domain.seed?.gpos ?? []).length);
    const second = lines.filter((l) => l.line.includes('--changed'))[1]!;
    // The second run wrote nothing: every GPO the first one backed up is reported unchanged, no folder was added.
    const final = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as {
      status: string;
      backups: unknown[];
      counts: { unchanged: number };
      messages: Array<{ code: string }>;
    };
    expect(final.status).toBe('succeeded');
    expect(final.backups).toEqual([]);
    expect(final.counts.unchanged).toBe(folders.length);
    expect(final.messages.filter((m) => m.code === 'GPO_UNCHANGED')).toHaveLength(folders.length);
    for (const line of lines) expect(`${line.stdout}${line.stderr}`).not.toContain(domain.adminPassword);
  });

  it("@coffer/cli's README SMB share session: backup to the DC's [backups] share, list, verify, restore from it", async () => {
    const lines = await runShellExample(project, exampleNamed('cli-smb-share'), context, {
      env,
      installedFromTarballs: TARBALLS,
    });
    // What is on the share, read on the DC's own disk: every GPO's backup folder and manifest.xml.
    const onShare = await readdir(join(domain.workDir, 'backups', 'gpo'));
    const folders = onShare.filter((name) => /^\{[0-9A-F-]{36}\}$/.test(name));
    expect(folders.length).toBeGreaterThanOrEqual(2 + (domain.seed?.gpos ?? []).length);
    expect(onShare).toContain('manifest.xml');
    const list = lines.find((l) => l.line.startsWith('coffer list'))!;
    expect(list.stdout.trim().split('\n')).toHaveLength(folders.length);
    const verify = lines.find((l) => l.line.startsWith('coffer verify'))!;
    expect(verify.stdout.split('\n').filter((line) => line.startsWith('ok')).length).toBe(folders.length);
    expect(lines.find((l) => l.line.startsWith('coffer restore'))!.stdout).toMatch(/Restored 1 object/);
    for (const line of lines) expect(`${line.stdout}${line.stderr}`).not.toContain(domain.adminPassword);
  });

  it("the root README's session: every GPO with COFFER_PASSWORD, list, verify", async () => {
    await rm(join(project.dir, 'srv'), { recursive: true, force: true }); // a backup directory of its own, as on a fresh machine
    const lines = await runShellExample(project, exampleNamed('readme-using-it'), context, {
      env,
      installedFromTarballs: TARBALLS,
    });
    const backups = join(project.dir, 'srv', 'backups', 'gpo');
    const folders = (await readdir(backups)).filter((name) => /^\{[0-9A-F-]{36}\}$/.test(name));
    expect(folders.length).toBeGreaterThanOrEqual(2 + (domain.seed?.gpos ?? []).length);
    const list = lines.find((l) => l.line.startsWith('coffer list'))!;
    expect(list.stdout.trim().split('\n')).toHaveLength(folders.length);
    expect(list.stdout.split('\n').filter((line) => line.includes('Default Domain Policy'))).toHaveLength(1);
    const verify = lines.find((l) => l.line.startsWith('coffer verify'))!;
    expect(verify.stdout.split('\n').filter((line) => line.startsWith('ok')).length).toBe(folders.length);
    for (const line of lines) expect(`${line.stdout}${line.stderr}`).not.toContain(domain.adminPassword);
  });
});
