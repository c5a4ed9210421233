import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './packages.js';

/**
 * README code blocks the packaging test runs. A README marks one with an HTML comment; the first fenced
 * block after the marker is the example:
 *
 *     <!-- packaging-test: cli-gpo-session -->
 *     ```sh
 *     coffer backup gpo …
 *     ```
 *
 * `ts` blocks are written to a file of the project, type-checked with tsc (strict, NodeNext) and run with
 * node; `sh` blocks run line by line in the project (lines ending in `\` continue; `npm install` lines are
 * checked against what the project installed from the tarballs, not run).
 */
export const MARKER = /<!--\s*packaging-test:\s*([a-z0-9-]+)\s*-->/g;

export type ProjectName = 'library' | 'cli-gpo' | 'third-party' | 'ad-libraries' | 'cli-drm';

export interface ExampleSpec {
  /** The marker's name. */
  name: string;
  /** Package folder whose README holds it. */
  dir: string;
  project: ProjectName;
  /** For `ts` blocks: the file it becomes in the project. */
  file?: string;
}

/** Every marked example of every README, and the project it runs in. The test fails on a marker missing here. */
export const EXAMPLES: readonly ExampleSpec[] = [
  { name: 'core-write-provider', dir: 'packages/core', project: 'library', file: 'notes-provider.ts' },
  { name: 'core-drive-provider', dir: 'packages/core', project: 'library', file: 'run-notes-backup.ts' },
  { name: 'drm-programmatic', dir: 'packages/provider-drm-licenses', project: 'library', file: 'drm-example.ts' },
  { name: 'drm-cli-session', dir: 'packages/provider-drm-licenses', project: 'cli-drm' },
  { name: 'cli-install', dir: 'packages/cli', project: 'cli-gpo' },
  { name: 'cli-gpo-session', dir: 'packages/cli', project: 'cli-gpo' },
  { name: 'cli-drm-session', dir: 'packages/cli', project: 'cli-drm' },
  { name: 'cli-directory-session', dir: 'packages/cli', project: 'third-party' },
  { name: 'cli-programmatic', dir: 'packages/cli', project: 'third-party', file: 'cli-example.ts' },
  { name: 'directory-template-setup', dir: 'examples/provider-directory', project: 'third-party' },
  { name: 'directory-template-cli', dir: 'examples/provider-directory', project: 'third-party' },
  { name: 'directory-cli-session', dir: 'examples/provider-directory', project: 'third-party' },
  { name: 'directory-programmatic', dir: 'examples/provider-directory', project: 'third-party', file: 'directory-example.ts' },
  { name: 'testkit-conformance', dir: 'packages/provider-testkit', project: 'third-party', file: 'conformance.test.ts' },
  { name: 'gpmc-write-and-read', dir: 'packages/gpmc', project: 'ad-libraries', file: 'gpmc-example.ts' },
  { name: 'active-directory-read-gpos', dir: 'packages/active-directory', project: 'ad-libraries', file: 'ad-example.ts' },
  { name: 'gpo-programmatic', dir: 'packages/provider-gpo', project: 'ad-libraries', file: 'gpo-example.ts' },
  { name: 'starter-gpo-programmatic', dir: 'packages/provider-starter-gpo', project: 'ad-libraries', file: 'starter-gpo-example.ts' },
];

export interface ReadmeBlock {
  name: string;
  lang: string;
  code: string;
}

/** Every marked block of one README, in order. */
export function extractMarkedBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const marker of markdown.matchAll(MARKER)) {
    const rest = markdown.slice(marker.index + marker[0].length);
    const fence = /^\s*```([a-z]*)\n([\s\S]*?)^```/m.exec(rest);
    if (!fence) throw new Error(`marker ${marker[1]} is followed by no fenced code block`);
    blocks.push({ name: marker[1]!, lang: fence[1]!, code: fence[2]! });
  }
  return blocks;
}

export async function readExample(spec: ExampleSpec): Promise<ReadmeBlock> {
  const blocks = extractMarkedBlocks(await readFile(join(repoRoot, spec.dir, 'README.md'), 'utf8'));
  const block = blocks.find((b) => b.name === spec.name);
  if (!block) throw new Error(`${spec.dir}/README.md has no block marked <!-- packaging-test: ${spec.name} -->`);
  return block;
}

export function exampleNamed(name: string): ExampleSpec {
  const spec = EXAMPLES.find((e) => e.name === name);
  if (!spec) throw new Error(`no example ${name}`);
  return spec;
}

export interface SubstitutionContext {
  /** The test DC, for examples that reach one. */
  domain?: { dnsDomain: string; baseDn: string; caFile: string };
  projectDir: string;
}

/**
 * The placeholders READMEs use so they read naturally, and what the test puts in their place. Longest
 * first where one contains another.
 */
export function substitutions(context: SubstitutionContext): Array<[string, string]> {
  const table: Array<[string, string]> = [
    // Secrets stay in the environment: the command line only names the variable.
    ['COFFER_PASSWORD=…', 'COFFER_PASSWORD="$PACKAGING_DC_PASSWORD"'],
    ['~/.pw', join(context.projectDir, 'dc-password')],
    ['/srv/backups', join(context.projectDir, 'srv', 'backups')],
    ["'./my-provider.js'", "'coffer-provider-directory'"],
  ];
  if (context.domain) {
    table.push(
      ['/etc/ssl/corp-ca.pem', context.domain.caFile],
      ['DC=corp,DC=example', context.domain.baseDn],
      ['corp.example', context.domain.dnsDomain], // also dc1.corp.example and user@corp.example
    );
  }
  return table;
}

export function substitute(code: string, context: SubstitutionContext): string {
  let out = code;
  for (const [from, to] of substitutions(context)) out = out.split(from).join(to);
  return out;
}

/** Shell lines of a block: `\` continuations joined, blank lines and comments dropped. */
export function shellLines(code: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = pending + raw;
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    pending = '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    lines.push(line.trim());
  }
  return lines;
}

/** Packages an `npm install …` line names (flags and version ranges dropped), or undefined for other lines. */
export function npmInstallPackages(line: string): string[] | undefined {
  const command = line.replace(/\s+#.*$/, '').trim().split(/\s+/);
  if (command[0] !== 'npm' || !['install', 'i', 'add'].includes(command[1] ?? '')) return undefined;
  return command
    .slice(2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => arg.replace(/(.)@[^/]*$/, '$1'));
}
