import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI_PACKAGE, CORE_PACKAGE, ZOD_PACKAGE } from './paths.js';
import { linkPackage } from './temp-project.js';

/**
 * The CLI installed on its own, as `npm install -g @coffer/cli` would leave it: its
 * dist and runtime dependencies, and no provider next to it (unlike inside this
 * monorepo). Lets tests say exactly which built-ins exist.
 */
export interface IsolatedCli {
  root: string;
  bin: string;
  /** Installs a package folder next to the CLI (where built-ins are looked for after the project). */
  installNextToCli(packageDir: string): void;
  cleanup(): void;
}

export function createIsolatedCli(): IsolatedCli {
  const root = mkdtempSync(join(tmpdir(), 'coffer-isolated-cli-'));
  const cliTarget = join(root, 'node_modules', '@coffer', 'cli');
  mkdirSync(cliTarget, { recursive: true });
  cpSync(join(CLI_PACKAGE, 'package.json'), join(cliTarget, 'package.json'));
  cpSync(join(CLI_PACKAGE, 'dist'), join(cliTarget, 'dist'), { recursive: true });
  linkPackage(root, '@coffer/core', CORE_PACKAGE);
  linkDependencies(root, CLI_PACKAGE, new Set(['@coffer/core']));
  // The providers tests install next to it (fake built-ins) depend on zod, as real ones do.
  if (!existsSync(join(root, 'node_modules', 'zod'))) linkPackage(root, 'zod', ZOD_PACKAGE);
  return {
    root,
    bin: join(cliTarget, 'dist', 'bin.js'),
    installNextToCli: (packageDir) => {
      const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string };
      cpSync(packageDir, join(root, 'node_modules', ...name.split('/')), { recursive: true });
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Links every runtime dependency (transitively) of a package into root/node_modules, flat. */
function linkDependencies(root: string, packageDir: string, done: Set<string>): void {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const require = createRequire(join(packageDir, 'package.json'));
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (done.has(name)) continue;
    done.add(name);
    const dependencyDir = packageFolder(require, name);
    if (!existsSync(join(root, 'node_modules', ...name.split('/')))) linkPackage(root, name, dependencyDir);
    linkDependencies(root, dependencyDir, done);
  }
}

/** The folder of an installed package, also when its `exports` hide package.json. */
function packageFolder(require: NodeJS.Require, name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    let dir = dirname(require.resolve(name));
    while (
      !existsSync(join(dir, 'package.json')) ||
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name
    ) {
      const parent = dirname(dir);
      if (parent === dir) throw new Error(`Cannot find the folder of ${name}`);
      dir = parent;
    }
    return dir;
  }
}
