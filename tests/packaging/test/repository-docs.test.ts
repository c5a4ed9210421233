import { mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShellExample } from './support/example-runner.js';
import { PACKAGES, PUBLISHED, repoRoot } from './support/packages.js';
import { projectInFolder, type InstalledProject } from './support/project.js';
import { exampleNamed, parseFencedBlocks, shellLines } from './support/readme-examples.js';
import { describeRun, run } from './support/run.js';

// The maintainers' commands of docs/releasing.md, run as shown from the root of a throwaway clone of the committed
// repository (so the changesets `npm run version-packages` consumes stay where they are). The clone's node_modules
// is laid out as npm would: every third-party package is a link to the checkout's (an `npm install` there would take
// minutes and install the same locked versions), every workspace link points at the clone's own packages, which it
// builds itself (so neither the checkout's uncommitted work nor its builds leak in).
const BUMPS = ['patch', 'minor', 'major'] as const;

/** Package name → bump, from the front matter of every pending changeset. */
async function pendingBumps(dir: string): Promise<Map<string, (typeof BUMPS)[number]>> {
  const bumps = new Map<string, (typeof BUMPS)[number]>();
  for (const file of (await readdir(join(dir, '.changeset'))).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const [, frontMatter = ''] =
      /^---\n([\s\S]*?)\n---/.exec(await readFile(join(dir, '.changeset', file), 'utf8')) ?? [];
    for (const [, name, bump] of frontMatter.matchAll(/^["']?([^"':]+)["']?:\s*(patch|minor|major)\s*$/gm)) {
      const previous = bumps.get(name!);
      if (!previous || BUMPS.indexOf(bump as (typeof BUMPS)[number]) > BUMPS.indexOf(previous))
        bumps.set(name!, bump as (typeof BUMPS)[number]);
    }
  }
  return bumps;
}

/**
 * Mirrors a node_modules folder of the checkout into the clone: relative links (workspace packages, `.bin`
 * entries) are recreated as they are, so they resolve inside the clone; anything else becomes a link to the
 * checkout's copy. Scope folders and `.bin` are mirrored entry by entry; npm's own dot files are left out.
 */
async function mirrorNodeModules(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.') && entry.name !== '.bin') continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isDirectory() && (entry.name === '.bin' || entry.name.startsWith('@')))
      await mirrorNodeModules(source, target);
    else await symlink(source, target);
  }
}

async function versionOf(dir: string, packageDir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('docs/releasing.md, in a throwaway clone of the repository', () => {
  let clone: InstalledProject;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-release-'));
    const cloned = await run('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, dir], { cwd: tmpdir() });
    if (cloned.code !== 0) throw new Error(describeRun('git clone', cloned));
    await mirrorNodeModules(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    // A workspace's own node_modules holds what it needs in another version than the root's (commander, p-map).
    for (const workspaces of ['packages', 'examples', 'tests']) {
      for (const name of await readdir(join(repoRoot, workspaces))) {
        const nested = join(repoRoot, workspaces, name, 'node_modules');
        if ((await readdir(nested).catch(() => [])).some((entry) => !entry.startsWith('.')))
          await mirrorNodeModules(nested, join(dir, workspaces, name, 'node_modules'));
      }
    }
    clone = projectInFolder(dir, () => rm(dir, { recursive: true, force: true }));
  });
  afterAll(async () => clone?.remove());

  it('status, version-packages and release:dry-run: the bumps the changesets ask for, and every public package packed', async () => {
    const bumps = await pendingBumps(clone.dir);
    const before = new Map(
      await Promise.all(PACKAGES.map(async (p) => [p.name, await versionOf(clone.dir, p.dir)] as const)),
    );
    const lines = await runShellExample(
      clone,
      exampleNamed('releasing-dry-run'),
      { projectDir: clone.dir },
      { installedFromTarballs: [] },
    );
    expect(lines.map((l) => l.line.replace(/\s+#.*$/, ''))).toEqual([
      'npx changeset status --verbose',
      'npm run version-packages',
      'git status --short',
      'npm run release:dry-run',
    ]);

    // version-packages consumed every changeset and bumped each package no further than a changeset asked:
    // a core minor leaves the providers (core is their peer, ^1.0.0) at a patch, never a new major.
    expect(
      (await readdir(join(clone.dir, '.changeset'))).filter((f) => f.endsWith('.md') && f !== 'README.md'),
    ).toEqual([]);
    for (const pkg of PUBLISHED) {
      const [major] = before.get(pkg.name)!.split('.');
      const after = await versionOf(clone.dir, pkg.dir);
      if (bumps.get(pkg.name) !== 'major')
        expect(after.split('.')[0], `${pkg.name} ${before.get(pkg.name)} → ${after}`).toBe(major);
      if (bumps.has(pkg.name)) {
        expect(after, pkg.name).not.toBe(before.get(pkg.name));
        expect(await readFile(join(clone.dir, pkg.dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${after}`);
      }
    }
    if (bumps.size > 0) expect(lines[2]!.stdout).toMatch(/CHANGELOG\.md/);

    // The dry run packed every public package at its new version and skipped the private ones.
    const dryRun = `${lines[3]!.stdout}${lines[3]!.stderr}`;
    for (const pkg of PUBLISHED) expect(dryRun).toContain(`+ ${pkg.name}@${await versionOf(clone.dir, pkg.dir)}`);
    expect(dryRun).toMatch(/Skipping workspace @coffer\/samba-test-domain, marked as private/);
  }, 900_000); // the clone builds every package from scratch

  it("the README's quick start, first line: the demo backs up every kind and verifies it", async () => {
    // The quick start block is exempt from the marker scenarios (its second line is CI's own .ci/run); its first
    // line is run here, from the clone's root, as a newcomer would: `npm install` is what the mirrored
    // node_modules stands for, `npm run demo` runs as written.
    const [quickStart] = parseFencedBlocks(await readFile(join(clone.dir, 'README.md'), 'utf8'));
    expect(shellLines(quickStart!.code)).toEqual(['npm install && npm run demo', 'npm install && npm test']);
    const demoFolders = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('coffer-demo-')).sort();
    const before = await demoFolders();
    const demo = await run('bash', ['-c', 'npm run demo'], { cwd: clone.dir });
    expect(demo.code, describeRun('npm run demo', demo)).toBe(0);
    expect(demo.stdout).toMatch(/Backed up \d+ objects/);
    expect(demo.stdout).toContain('Demo finished: every backup verified.');
    // Nothing of the demo outlives it: its temp folder is gone.
    expect(await demoFolders()).toEqual(before);
  }, 900_000);

  it("provider-drm-licenses' README benchmark: the DRM benchmark alone, its report written where --out says", async () => {
    const [bench] = await runShellExample(
      clone,
      exampleNamed('drm-bench'),
      { projectDir: clone.dir },
      { installedFromTarballs: [] },
    );
    expect(bench!.line).toBe('npm run bench -- --only drm --out drm-bench.md');
    const report = await readFile(join(clone.dir, 'drm-bench.md'), 'utf8');
    expect(report).toContain('Generated by `npm run bench -- --only drm --out drm-bench.md`');
    expect(report).toMatch(/^## DRM license provider/m);
    expect(report).not.toMatch(/^## GPO provider/m);
    // Both store sizes were measured and judged against the targets (the verdicts depend on the machine's load).
    expect(report).toMatch(/^\| 100,000 \| [\d.]+ MiB \|/m);
    expect(report).toMatch(/^\| backup of 100,000 licenses within 3x of tar .* \| \*\*(met|not met)\*\* \|$/m);
  }, 600_000);
});
