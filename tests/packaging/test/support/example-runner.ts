import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledProject } from './project.js';
import { describeRun, type RunResult } from './run.js';
import { npmInstallPackages, readExample, shellLines, substitute, type ExampleSpec, type SubstitutionContext } from './readme-examples.js';

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
export async function compileTsExamples(project: InstalledProject, specs: readonly ExampleSpec[], context: SubstitutionContext): Promise<RunResult> {
  await writeFile(join(project.dir, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG, null, 2));
  for (const spec of specs) {
    const block = await readExample(spec);
    if (block.lang !== 'ts') throw new Error(`${spec.name} is a ${block.lang} block, not ts`);
    await writeFile(join(project.dir, spec.file!), substitute(block.code, context));
  }
  return project.exec('tsc', ['-p', '.']);
}

/** Runs a compiled example with node; throws with its output when it fails. */
export async function runTsExample(project: InstalledProject, spec: ExampleSpec, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunResult> {
  const file = spec.file!.replace(/\.ts$/, '.js');
  const result = await project.exec('node', [...nodeArgs, file], env);
  if (result.code !== 0) throw new Error(describeRun(`node ${file} (README example ${spec.name})`, result));
  return result;
}

export interface ShellLineResult extends RunResult {
  line: string;
}

/**
 * Runs a README shell session line by line in the project, each line under `bash -o pipefail -c`. `npm install`
 * lines are not run: every package they name must be one the project installed from the tarballs.
 */
export async function runShellExample(
  project: InstalledProject,
  spec: ExampleSpec,
  context: SubstitutionContext,
  options: { env?: Record<string, string>; installedFromTarballs: readonly string[]; exitCodes?: Record<number, number> },
): Promise<ShellLineResult[]> {
  const block = await readExample(spec);
  if (block.lang !== 'sh') throw new Error(`${spec.name} is a ${block.lang} block, not sh`);
  const results: ShellLineResult[] = [];
  const lines = shellLines(substitute(block.code, context));
  for (const [index, line] of lines.entries()) {
    const named = npmInstallPackages(line);
    if (named) {
      const strangers = named.filter((name) => !options.installedFromTarballs.includes(name));
      if (strangers.length > 0) throw new Error(`README example ${spec.name}: "${line}" installs ${strangers.join(', ')}, which this project did not install`);
      continue;
    }
    const result = await project.exec('bash', ['-o', 'pipefail', '-c', line], options.env);
    const expected = options.exitCodes?.[index] ?? 0;
    if (result.code !== expected) throw new Error(describeRun(`README example ${spec.name}, line ${index + 1} "${line}" (expected exit ${expected})`, result));
    results.push({ line, ...result });
  }
  return results;
}
