import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileTsExamples, runShellExample, runTsExample } from './support/example-runner.js';
import { TYPESCRIPT_TOOLS, installProject, type InstalledProject } from './support/project.js';
import { exampleNamed } from './support/readme-examples.js';
import { describeRun } from './support/run.js';

// Scenario 1: a TypeScript project that installs only @coffer/core and one provider, and backs up through the
// library API, type-checked with tsc (strict, NodeNext) against the published .d.ts files.
const examples = ['core-write-provider', 'core-drive-provider', 'drm-programmatic', 'drm-store-programmatic'].map(
  exampleNamed,
);
const TARBALLS = ['@coffer/core', '@coffer/drm-license-store', '@coffer/provider-drm-licenses'];

describe('library project: @coffer/core + @coffer/drm-license-store + @coffer/provider-drm-licenses only', () => {
  let project: InstalledProject;

  beforeAll(async () => {
    project = await installProject(
      { name: 'library', tarballs: TARBALLS, devDependencies: { ...TYPESCRIPT_TOOLS } },
      inject('tarballs'),
    );
  });
  afterAll(async () => project?.remove());

  it('installs from the three tarballs alone: every @coffer package comes from a tarball, no other one is pulled in', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/'))).toEqual(TARBALLS);
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("core's README install line names only what this project installed", async () => {
    expect(
      await runShellExample(
        project,
        exampleNamed('core-install'),
        { projectDir: project.dir },
        { installedFromTarballs: TARBALLS },
      ),
    ).toEqual([]);
  });

  it("drm-license-store's README install line names only what this project installed", async () => {
    expect(
      await runShellExample(
        project,
        exampleNamed('drm-store-install'),
        { projectDir: project.dir },
        { installedFromTarballs: TARBALLS },
      ),
    ).toEqual([]);
  });

  it('the README examples type-check with tsc --strict (NodeNext), published .d.ts files included', async () => {
    const tsc = await compileTsExamples(project, examples, { projectDir: project.dir });
    expect(tsc.code, describeRun('tsc', tsc)).toBe(0);
  });

  it("core's README: the provider it writes is loaded by path and backs up; invalid options are E_INVALIDARG", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('core-drive-provider'));
    expect(stdout.trim().split('\n')).toEqual([
      'succeeded 1 no error',
      'verified: true',
      'failed INVALID_ARGUMENT 0x80070057',
    ]);
  });

  it("provider-drm-licenses' README: backup with a restricted-license warning, restore onto another machine, play", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('drm-programmatic'));
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('BACKUPRESTORE_BEGIN ');
    expect(lines[1]).toMatch(/^RESTRICTED_LICENSE \S+==$/);
    expect(lines[2]).toBe('BACKUPRESTORE_END ');
    expect(lines[3]).toMatch(/^succeeded-with-warnings \{ licenses: 1, restricted: 1,/);
    expect(lines[4]).toMatch(/^succeeded \{ licenses: 1, restored: 1, refused: 0, rebound: 1/);
    expect(lines.slice(5).join('\n')).toMatch(/plays: 1/);
  });

  it("drm-license-store's README: issue, play a counted license out, list, remove; another machine id is refused", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('drm-store-programmatic'));
    expect(stdout.trim().split('\n')).toEqual([
      '0 1',
      '2 0',
      'Rental: no-backup-right, exhausted; Song: eligible, playable',
      '1',
      'NS_E_DRM_HARDWAREID_MISMATCH',
    ]);
  });
});
