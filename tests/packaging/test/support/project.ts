import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, run, type RunResult } from './run.js';

export interface ProjectSpec {
  /** Folder name prefix, e.g. `cli-gpo`. */
  name: string;
  /** Coffer packages installed from their tarballs (the only way any @coffer package gets in). */
  tarballs: readonly string[];
  /** Third-party dev tools from the public registry (TypeScript, @types/node). */
  devDependencies?: Record<string, string>;
  /** Extra files written before the install (e.g. coffer.config.json). */
  files?: Record<string, string>;
}

export interface InstalledProject {
  dir: string;
  /** The @coffer packages and other top-level names under node_modules. */
  installed: string[];
  /** `resolved` of every @coffer package in package-lock.json, by install path. */
  cofferResolved: Record<string, string | undefined>;
  /** Runs a program in the project with its node_modules/.bin first on PATH. */
  exec(command: string, args: readonly string[], env?: Record<string, string>): Promise<RunResult>;
  remove(): Promise<void>;
}

/** An existing folder as a project (a clone, a copied template): commands run there with its node_modules/.bin first on PATH. */
export function projectInFolder(dir: string, remove: () => Promise<void>): InstalledProject {
  const path = `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  return {
    dir,
    installed: [],
    cofferResolved: {},
    exec: (command, args, env = {}) => run(command, args, { cwd: dir, env: { PATH: path, ...env } }),
    remove,
  };
}

/** The dev tools the TypeScript projects take from the registry (the monorepo's own ranges). */
export const TYPESCRIPT_TOOLS = { typescript: '~5.9.0', '@types/node': '^20.19.0' } as const;

/**
 * Creates a fresh npm project under the OS temp folder (outside the monorepo, so nothing resolves from its
 * node_modules) and installs the given tarballs there, with third-party dependencies from the registry.
 * npm's ordinary cache is shared by every project, so only the first run downloads.
 */
export async function installProject(spec: ProjectSpec, tarballs: Record<string, string>): Promise<InstalledProject> {
  const dir = await mkdtemp(join(tmpdir(), `coffer-packaging-${spec.name}-`));
  const dependencies: Record<string, string> = {};
  for (const name of spec.tarballs) {
    const file = tarballs[name];
    if (!file) throw new Error(`no tarball for ${name}`);
    dependencies[name] = `file:${file}`;
  }
  const manifest = {
    name: `coffer-packaging-${spec.name}`,
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies,
    devDependencies: spec.devDependencies ?? {},
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [file, content] of Object.entries(spec.files ?? {})) await writeFile(join(dir, file), content);

  const path = `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  const exec = (command: string, args: readonly string[], env: Record<string, string> = {}) =>
    run(command, args, { cwd: dir, env: { PATH: path, ...env } });
  const install = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
  if (install.code !== 0) throw new Error(describeRun(`npm install in ${dir}`, install));

  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { resolved?: string }>;
  };
  const cofferResolved: Record<string, string | undefined> = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (/(^|\/)node_modules\/(@coffer\/[^/]+|coffer-provider-[^/]+)$/.test(path)) cofferResolved[path] = entry.resolved;
  }
  const top = await readdir(join(dir, 'node_modules'));
  const scoped = top.includes('@coffer')
    ? (await readdir(join(dir, 'node_modules', '@coffer'))).map((n) => `@coffer/${n}`)
    : [];
  return {
    dir,
    installed: [...scoped, ...top.filter((n) => !n.startsWith('@') && !n.startsWith('.'))].sort(),
    cofferResolved,
    exec,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
