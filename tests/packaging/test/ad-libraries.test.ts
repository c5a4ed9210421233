import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { compileTsExamples, runShellExample, runTsExample } from './support/example-runner.js';
import { TYPESCRIPT_TOOLS, installProject, type InstalledProject } from './support/project.js';
import { exampleNamed, type SubstitutionContext } from './support/readme-examples.js';
import { describeRun } from './support/run.js';

// Coffer used from code against the test DC: @coffer/active-directory (verified LDAPS by FQDN, SYSVOL over
// smbclient), @coffer/gpmc and the Group Policy providers, each with @coffer/core as its peer, type-checked with tsc.
const TARBALLS = [
  '@coffer/core',
  '@coffer/active-directory',
  '@coffer/gpmc',
  '@coffer/provider-gpo',
  '@coffer/provider-starter-gpo',
];
const examples = [
  'gpmc-write-and-read',
  'gpmc-settings-report',
  'gpmc-report-diff',
  'active-directory-read-gpos',
  'active-directory-smb-share',
  'gpo-programmatic',
  'starter-gpo-programmatic',
].map(exampleNamed);
// The providers' reference snippets (every call of the API, with a domain's own names and paths) are type-checked
// with the rest, not run: their runnable counterparts above are.
const referenceSnippets = ['gpo-reference', 'starter-gpo-reference'].map(exampleNamed);

describe('libraries project: @coffer/active-directory, @coffer/gpmc and the GPO providers from code', () => {
  const domain: TestDomainInfo = inject('testDomain');
  let project: InstalledProject;
  let context: SubstitutionContext;

  beforeAll(async () => {
    project = await installProject(
      { name: 'ad-libraries', tarballs: TARBALLS, devDependencies: { ...TYPESCRIPT_TOOLS } },
      inject('tarballs'),
    );
    context = { projectDir: project.dir, domain };
  });
  afterAll(async () => project?.remove());

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/'))).toEqual([...TARBALLS].sort());
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("@coffer/gpmc's and @coffer/active-directory's README install lines: packages this project installed, Debian packages this machine has", async () => {
    for (const name of ['gpmc-install', 'active-directory-install']) {
      expect(await runShellExample(project, exampleNamed(name), context, { installedFromTarballs: TARBALLS })).toEqual(
        [],
      );
    }
  });

  it('the README examples type-check with tsc --strict against the published types', async () => {
    const tsc = await compileTsExamples(project, [...examples, ...referenceSnippets], context);
    expect(tsc.code, describeRun('tsc', tsc)).toBe(0);
  });

  it("@coffer/gpmc's README: the backup it writes is found again, its security groups read back", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('gpmc-write-and-read'));
    expect(stdout.trim().split('\n')).toEqual([
      '{5B0C1C9E-0D0B-4C4F-9C39-0E2B8A4C1F11} GPO before the audit',
      `[ 'Domain Admins@${domain.dnsDomain}' ]`,
    ]);
  });

  it("@coffer/gpmc's README: a settings report decoded from a backup's GPT, rendered as GPMC's <ExtensionData>", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('gpmc-settings-report'));
    expect(stdout.trim().split('\n')).toEqual([
      'security:Security registry:Registry',
      '[{"name":"SeBackupPrivilege","members":[{"sid":"S-1-5-32-544","name":"BUILTIN\\\\Administrators"}]}]',
      'Enabled=1 (REG_DWORD), Server=backup01 (REG_SZ)',
      '<Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">',
    ]);
  });

  it("@coffer/gpmc's README: two backups of a GPO compared setting by setting, one rendered as an HTML report", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('gpmc-report-diff'));
    expect(stdout.trim().split('\n')).toEqual([
      '[{"kind":"changed","area":"setting","scope":"Computer/Registry","item":"Software\\\\Policies\\\\Contoso\\\\Enabled","old":"REG_DWORD 0","new":"REG_DWORD 1"}]',
      '  ~ Computer/Registry: Software\\Policies\\Contoso\\Enabled: REG_DWORD 0 → REG_DWORD 1',
      "[ 'Authenticated Users' ] true",
    ]);
  });

  it("@coffer/active-directory's README: every GPO with its owner over verified LDAPS, one GPO's files over SMB", async () => {
    const { stdout, stderr } = await runTsExample(project, exampleNamed('active-directory-read-gpos'), {
      COFFER_PASSWORD: domain.adminPassword,
    });
    const gpoLines = stdout.split('\n').filter((line) => line.startsWith('GPO '));
    const seeded = domain.seed?.gpos ?? [];
    expect(seeded.length).toBeGreaterThan(0);
    for (const gpo of seeded)
      expect(
        gpoLines.some(
          (line) => line.startsWith(`GPO ${gpo.guid} `) || line.toUpperCase().startsWith(`GPO ${gpo.guid} `),
        ),
      ).toBe(true);
    for (const line of gpoLines) expect(line).toMatch(/ owner O:\S+$/);
    expect(stdout).toMatch(/^FILE \S*GPT\.INI \d+ bytes$/im);
    expect(`${stdout}${stderr}`).not.toContain(domain.adminPassword);
  });

  it("@coffer/active-directory's README: every GPO backed up to the DC's [backups] share, then verified from a downloaded copy", async () => {
    const { stdout, stderr } = await runTsExample(project, exampleNamed('active-directory-smb-share'), {
      COFFER_PASSWORD: domain.adminPassword,
    });
    const gpos = 2 + (domain.seed?.gpos ?? []).length;
    expect(stdout.trim().split('\n')).toEqual([`published ${gpos}`, `verified ${gpos} ok true`]);
    // On the DC's own disk: the backups and manifest.xml, no staging, journal or lock left.
    const onShare = await readdir(join(domain.workDir, 'backups', 'gpo-from-code'));
    expect(onShare.filter((name) => /^\{[0-9A-F-]{36}\}$/.test(name))).toHaveLength(gpos);
    expect(onShare.filter((name) => name.startsWith('.coffer') && name !== '.coffer-generation')).toEqual([]);
    expect(`${stdout}${stderr}`).not.toContain(domain.adminPassword);
  });

  it("@coffer/provider-starter-gpo's README: every Starter GPO backed up from code and verified, one saved as a cabinet", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('starter-gpo-programmatic'), {
      COFFER_PASSWORD: domain.adminPassword,
    });
    expect(stdout.trim().split('\n')).toEqual([
      `succeeded ${(domain.seed?.starterGpos ?? []).length} no error`,
      'verified: true',
      'succeeded MSCF',
    ]);
  });

  it("@coffer/provider-gpo's README: every GPO backed up from code, listed and verified", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('gpo-programmatic'), {
      COFFER_PASSWORD: domain.adminPassword,
    });
    const lines = stdout.trim().split('\n');
    const [, count] = /^succeeded (\d+) no error$/.exec(lines[0]!) ?? [];
    expect(Number(count), lines[0]).toBeGreaterThanOrEqual((domain.seed?.gpos ?? []).length);
    expect(lines.filter((line) => line.startsWith('Default Domain Policy {'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('verified: true');
  });
});
