import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CORE_PACKAGE, ZOD_PACKAGE } from './paths.js';

/** A user's project in a temp folder: its own node_modules with @coffer/core (the providers' peer dependency). */
export interface TempProject {
  dir: string;
  path(...parts: string[]): string;
  writeConfig(config: unknown, name?: string): void;
  writeFile(relative: string, content: string): string;
  /** Installs a package folder as `npm pack` + unpack would: only the files it publishes. */
  installPacked(packageDir: string): string;
  /** Copies a fixture package folder into node_modules under its package name. */
  installFolder(packageDir: string): string;
  cleanup(): void;
}

export function createTempProject(prefix = 'coffer-cli-'): TempProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  linkPackage(dir, '@coffer/core', CORE_PACKAGE);
  // Installed with the providers (their dependency): the packed ones are extracted without their dependencies.
  linkPackage(dir, 'zod', ZOD_PACKAGE);
  const project: TempProject = {
    dir,
    path: (...parts) => join(dir, ...parts),
    writeConfig: (config, name = 'coffer.config.json') => {
      writeFileSync(join(dir, name), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    },
    writeFile: (relative, content) => {
      const file = join(dir, relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    installPacked: (packageDir) => installPacked(dir, packageDir),
    installFolder: (packageDir) => installFolder(dir, packageDir),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return project;
}

export function linkPackage(root: string, name: string, target: string): void {
  const link = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link, 'dir');
}

function installPacked(root: string, packageDir: string): string {
  const pack = mkdtempSync(join(tmpdir(), 'coffer-pack-'));
  try {
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', pack], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [{ filename, name }] = JSON.parse(output) as [{ filename: string; name: string }];
    const target = join(root, 'node_modules', ...name.split('/'));
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(pack, filename), '-C', target, '--strip-components=1']);
    return target;
  } finally {
    rmSync(pack, { recursive: true, force: true });
  }
}

function installFolder(root: string, packageDir: string): string {
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string };
  const target = join(root, 'node_modules', ...name.split('/'));
  cpSync(packageDir, target, { recursive: true });
  return target;
}
