import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runShellExample } from './support/example-runner.js';
import { installProject, type InstalledProject } from './support/project.js';
import { exampleNamed } from './support/readme-examples.js';

// The CLI with one built-in provider installed beside it, as `npm install -g @coffer/cli @coffer/provider-drm-licenses`
// would (the provider brings @coffer/drm-license-store): the README shell sessions of both packages run there, each with a
// license store of its own.
const TARBALLS = ['@coffer/cli', '@coffer/core', '@coffer/drm-license-store', '@coffer/provider-drm-licenses'];

describe('CLI + DRM project: @coffer/cli + @coffer/provider-drm-licenses', () => {
  let project: InstalledProject;

  beforeAll(async () => {
    project = await installProject({ name: 'cli-drm', tarballs: TARBALLS }, inject('tarballs'));
  });
  afterAll(async () => project?.remove());

  /** Each session gets its own XDG data folder, so its default store and license service are its own. */
  async function sessionEnv(name: string): Promise<Record<string, string>> {
    const xdg = join(project.dir, `xdg-${name}`);
    await mkdir(xdg);
    return { XDG_DATA_HOME: xdg };
  }

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/'))).toEqual([...TARBALLS].sort());
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("provider-drm-licenses' README install lines name packages this project installed", async () => {
    expect(
      await runShellExample(
        project,
        exampleNamed('drm-install'),
        { projectDir: project.dir },
        { installedFromTarballs: TARBALLS },
      ),
    ).toEqual([]);
  });

  it("provider-drm-licenses' README session: create a store, issue, back up, verify, restore onto another machine", async () => {
    const env = await sessionEnv('drm-readme');
    const lines = await runShellExample(
      project,
      exampleNamed('drm-cli-session'),
      { projectDir: project.dir },
      { env, installedFromTarballs: TARBALLS },
    );
    const output = (command: string) => lines.find((l) => l.line.startsWith(command))!;
    expect(output('coffer drm create-store').stdout).toContain(join(env.XDG_DATA_HOME!, 'coffer', 'drm-store'));
    expect(output('coffer backup drm-licenses').stdout).toMatch(/licenses: 1, restricted: 0/);
    expect(output('coffer verify').stdout).toMatch(/^ok\s+drm-license-backup/m);
    expect(output('coffer restore drm-licenses').stdout).toMatch(/licenses: 1, restored: 1, refused: 0, rebound: 1/);
    expect(output('coffer drm list').stdout).toMatch(/"Song"/);
    expect(output('coffer drm list').stdout).toMatch(/1 license\(s\)/);
  });

  it("@coffer/cli's README DRM session: a restricted license makes the backup exit 3 with a warning; restore", async () => {
    const env = await sessionEnv('cli-readme');
    const lines = await runShellExample(
      project,
      exampleNamed('cli-drm-session'),
      { projectDir: project.dir },
      {
        env,
        installedFromTarballs: TARBALLS,
        exitCodes: { 4: 3 }, // `coffer backup drm`: completed with warnings
      },
    );
    const backup = lines.find((l) => l.line.startsWith('coffer backup drm'))!;
    expect(backup.stdout).toMatch(/licenses: 3, restricted: 1/);
    expect(backup.stderr).toMatch(/RESTRICTED_LICENSE/);
    expect(lines.at(-1)!.stdout).toMatch(/licenses: 3, restored: 3/);
  });
});
