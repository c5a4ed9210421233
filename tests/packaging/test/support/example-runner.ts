import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledProject } from './project.js';
import { describeRun, run, type RunResult } from './run.js';
import {
  aptInstallPackages,
  npmInstallPackages,
  readExample,
  shellLines,
  substitute,
  type ExampleSpec,
  type SubstitutionContext,
} from './readme-examples.js';

/** What a user's TypeScript project would use: strict, NodeNext, and library .d.ts files checked too. */
const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    types: ['node'],
  },
  include: ['*.ts'],
};

/** Writes the TypeScript examples into the project, then type-checks and compiles them (next to their sources). */
export async function compileTsExamples(
  project: InstalledProject,
  specs: readonly ExampleSpec[],
  context: SubstitutionContext,
): Promise<RunResult> {
  await writeFile(join(project.dir, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG, null, 2));
  for (const spec of specs) {
    const block = await readExample(spec);
    if (block.lang !== 'ts') throw new Error(`${spec.name} is a ${block.lang} block, not ts`);
    await writeFile(join(project.dir, spec.file!), substitute(block.code, context));
  }
  return project.exec('tsc', ['-p', '.']);
}

/** Runs a compiled example with node; throws with its output when it fails. */
export async function runTsExample(
  project: InstalledProject,
  spec: ExampleSpec,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<RunResult> {
  const file = spec.file!.replace(/\.ts$/, '.js');
  const result = await project.exec('node', [...nodeArgs, file], env);
  if (result.code !== 0) throw new Error(describeRun(`node ${file} (README example ${spec.name})`, result));
  return result;
}

/**
 * What a shell session against the test DC needs besides the placeholder mapping: the `~/.pw` of the docs (a 0600
 * file holding the DC's password) and, for `COFFER_PASSWORD=…`, the variable the substituted line names.
 */
export async function domainSession(
  project: InstalledProject,
  domain: NonNullable<SubstitutionContext['domain']> & { adminPassword: string },
): Promise<{ context: SubstitutionContext; env: Record<string, string> }> {
  const passwordFile = join(project.dir, 'dc-password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`, { mode: 0o600 });
  await chmod(passwordFile, 0o600); // whatever the umask did
  return { context: { projectDir: project.dir, domain }, env: { PACKAGING_DC_PASSWORD: domain.adminPassword } };
}

export interface ShellLineResult extends RunResult {
  line: string;
}

export interface ShellRunOptions {
  env?: Record<string, string>;
  /** Packages the project installed from the tarballs: the only ones an `npm install` line may name. */
  installedFromTarballs: readonly string[];
  /** Expected exit code by line index (counting every command line of the block, install lines too), when not 0. */
  exitCodes?: Record<number, number>;
}

/**
 * Runs a documented shell session line by line in the project, each line under `bash -o pipefail -c`. `npm install`
 * lines are not run: every package they name must be one the project installed from the tarballs. `apt-get install`
 * lines are not run either (a test does not install system packages): every package they name must be installed.
 */
export async function runShellExample(
  project: InstalledProject,
  spec: ExampleSpec,
  context: SubstitutionContext,
  options: ShellRunOptions,
): Promise<ShellLineResult[]> {
  const block = await readExample(spec);
  if (!['sh', 'bash', 'console'].includes(block.lang))
    throw new Error(`${spec.name} is a ${block.lang} block, not sh, bash or console`);
  return runShellLines(
    project,
    `README example ${spec.name}`,
    shellLines(substitute(block.code, context), block.lang),
    options,
  );
}

/** Runs shell lines (already substituted) in the project, as runShellExample does for a block. */
export async function runShellLines(
  project: InstalledProject,
  what: string,
  lines: readonly string[],
  options: ShellRunOptions,
): Promise<ShellLineResult[]> {
  const results: ShellLineResult[] = [];
  for (const [index, line] of lines.entries()) {
    const named = npmInstallPackages(line);
    if (named) {
      const strangers = named.filter((name) => !options.installedFromTarballs.includes(name));
      if (strangers.length > 0)
        throw new Error(`${what}: "${line}" installs ${strangers.join(', ')}, which this project did not install`);
      continue;
    }
    const debian = aptInstallPackages(line);
    if (debian) {
      for (const name of debian) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
        const status = await run('dpkg-query', ['-W', '-f=${Status}', name], { cwd: project.dir });
        if (status.code !== 0 || !status.stdout.includes('install ok installed'))
          throw new Error(`${what}: "${line}" names ${name}, which is not installed on this machine`);
      }
      continue;
    }
    const result = await project.exec('bash', ['-o', 'pipefail', '-c', line], options.env);
    const expected = options.exitCodes?.[index] ?? 0;
    if (result.code !== expected)
      throw new Error(describeRun(`${what}, line ${index + 1} "${line}" (expected exit ${expected})`, result));
    results.push({ line, ...result });
  }
  return results;
}
