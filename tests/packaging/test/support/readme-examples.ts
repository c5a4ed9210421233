import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './packages.js';

/**
 * Documentation code blocks the packaging test runs. A Markdown file marks one with an HTML comment; the first
 * fenced block after the marker is the example:
 *
 *     <!-- packaging-test: cli-gpo-session -->
 *     ```sh
 *     coffer backup gpo …
 *     ```
 *
 * `ts` blocks are written to a file of the project, type-checked with tsc (strict, NodeNext) and run with
 * node; `sh`/`bash` blocks run line by line in the project (lines ending in `\` continue; `npm install` and
 * `apt-get install` lines are checked, not run), `console` blocks likewise for their `$ ` lines.
 *
 * Each comment stands on a line of its own. Every shell block of every tracked Markdown file is either marked (and
 * run) or carries an exemption with its reason right before it, which readme-markers.test.ts enforces:
 *
 *     <!-- packaging-test-exempt: runs this very test suite -->
 */
export const MARKER = /^\s*<!--\s*packaging-test:\s*([a-z0-9-]+)\s*-->\s*$/;
export const EXEMPTION = /^\s*<!--\s*packaging-test-exempt:\s*(.*?)\s*-->\s*$/;

/** Block languages that show shell commands. */
export const SHELL_LANGS: readonly string[] = ['sh', 'bash', 'shell', 'console', 'zsh'];
/** Languages a marked block may have: what the runners can run. */
export const RUNNABLE_LANGS: readonly string[] = ['ts', 'sh', 'bash', 'console'];

export type ProjectName = 'library' | 'cli-gpo' | 'third-party' | 'ad-libraries' | 'cli-drm' | 'cli-all' | 'repository';

export interface ExampleSpec {
  /** The marker's name. */
  name: string;
  /** Folder (from the repository root, `.` for the root) whose Markdown file holds it. */
  dir: string;
  /** The Markdown file in `dir`; README.md when not given. */
  doc?: string;
  project: ProjectName;
  /** For `ts` blocks: the file it becomes in the project. */
  file?: string;
}

/** Every marked example of every README, and the project it runs in. The test fails on a marker missing here. */
export const EXAMPLES: readonly ExampleSpec[] = [
  { name: 'core-write-provider', dir: 'packages/core', project: 'library', file: 'notes-provider.ts' },
  { name: 'core-drive-provider', dir: 'packages/core', project: 'library', file: 'run-notes-backup.ts' },
  { name: 'drm-programmatic', dir: 'packages/provider-drm-licenses', project: 'library', file: 'drm-example.ts' },
  {
    name: 'drm-store-programmatic',
    dir: 'packages/drm-license-store',
    project: 'library',
    file: 'drm-store-example.ts',
  },
  { name: 'drm-cli-session', dir: 'packages/provider-drm-licenses', project: 'cli-drm' },
  { name: 'cli-install', dir: 'packages/cli', project: 'cli-gpo' },
  { name: 'cli-gpo-session', dir: 'packages/cli', project: 'cli-gpo' },
  { name: 'cli-smb-share', dir: 'packages/cli', project: 'cli-gpo' },
  { name: 'cli-drm-session', dir: 'packages/cli', project: 'cli-drm' },
  { name: 'cli-directory-session', dir: 'packages/cli', project: 'third-party' },
  { name: 'cli-programmatic', dir: 'packages/cli', project: 'third-party', file: 'cli-example.ts' },
  { name: 'directory-template-setup', dir: 'examples/provider-directory', project: 'third-party' },
  { name: 'directory-template-cli', dir: 'examples/provider-directory', project: 'third-party' },
  { name: 'directory-cli-session', dir: 'examples/provider-directory', project: 'third-party' },
  {
    name: 'directory-programmatic',
    dir: 'examples/provider-directory',
    project: 'third-party',
    file: 'directory-example.ts',
  },
  {
    name: 'testkit-conformance',
    dir: 'packages/provider-testkit',
    project: 'third-party',
    file: 'conformance.test.ts',
  },
  { name: 'gpmc-write-and-read', dir: 'packages/gpmc', project: 'ad-libraries', file: 'gpmc-example.ts' },
  { name: 'gpmc-settings-report', dir: 'packages/gpmc', project: 'ad-libraries', file: 'gpmc-settings-example.ts' },
  { name: 'gpmc-report-diff', dir: 'packages/gpmc', project: 'ad-libraries', file: 'gpmc-report-diff-example.ts' },
  {
    name: 'active-directory-read-gpos',
    dir: 'packages/active-directory',
    project: 'ad-libraries',
    file: 'ad-example.ts',
  },
  {
    name: 'active-directory-smb-share',
    dir: 'packages/active-directory',
    project: 'ad-libraries',
    file: 'ad-share-example.ts',
  },
  { name: 'gpo-programmatic', dir: 'packages/provider-gpo', project: 'ad-libraries', file: 'gpo-example.ts' },
  {
    name: 'starter-gpo-programmatic',
    dir: 'packages/provider-starter-gpo',
    project: 'ad-libraries',
    file: 'starter-gpo-example.ts',
  },
  { name: 'starter-gpo-install', dir: 'packages/provider-starter-gpo', project: 'cli-all' },
  { name: 'starter-gpo-cli-session', dir: 'packages/provider-starter-gpo', project: 'cli-all' },
  { name: 'readme-using-it', dir: '.', project: 'cli-gpo' },
  { name: 'core-install', dir: 'packages/core', project: 'library' },
  { name: 'gpmc-install', dir: 'packages/gpmc', project: 'ad-libraries' },
  { name: 'active-directory-install', dir: 'packages/active-directory', project: 'ad-libraries' },
  { name: 'gpo-install', dir: 'packages/provider-gpo', project: 'cli-gpo' },
  { name: 'gpo-changed', dir: 'packages/provider-gpo', project: 'cli-gpo' },
  { name: 'drm-install', dir: 'packages/provider-drm-licenses', project: 'cli-drm' },
  { name: 'drm-store-install', dir: 'packages/drm-license-store', project: 'library' },
  { name: 'testkit-install', dir: 'packages/provider-testkit', project: 'third-party' },
  { name: 'releasing-dry-run', dir: 'docs', doc: 'releasing.md', project: 'repository' },
  { name: 'drm-bench', dir: 'packages/provider-drm-licenses', project: 'repository' },
  { name: 'gpo-reference', dir: 'packages/provider-gpo', project: 'ad-libraries', file: 'gpo-reference.ts' },
  {
    name: 'starter-gpo-reference',
    dir: 'packages/provider-starter-gpo',
    project: 'ad-libraries',
    file: 'starter-gpo-reference.ts',
  },
];

export interface ReadmeBlock {
  name: string;
  lang: string;
  code: string;
}

export interface FencedBlock {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The marker that designates it (the last marker before it, with no other block in between). */
  marker?: string;
  /** The exemption's reason, when an exemption comment stands right before it. */
  exemption?: string;
}

/**
 * Every top-level fenced block of a Markdown file, with its marker or exemption. Fences are read line by line
 * (``` or ~~~, closed by the same character at least as long), so a block shown inside a longer fence (an
 * example of the marker syntax) is neither a block nor a marker. A marker designates the next block, with text
 * allowed in between; an exemption must stand right before its block (blank lines aside).
 */
export function parseFencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split('\n');
  let marker: string | undefined;
  let exemption: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) {
      const markerMatch = MARKER.exec(lines[i]!);
      if (markerMatch) marker = markerMatch[1];
      const exemptMatch = EXEMPTION.exec(lines[i]!);
      if (exemptMatch) exemption = exemptMatch[1];
      else if (lines[i]!.trim() !== '') exemption = undefined;
      continue;
    }
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j]!))
      body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`the code block opened on line ${i + 1} is never closed`);
    blocks.push({
      lang: open[2]!,
      code: body.length > 0 ? `${body.join('\n')}\n` : '',
      line: i + 1,
      ...(marker ? { marker } : {}),
      ...(exemption !== undefined ? { exemption } : {}),
    });
    marker = undefined;
    exemption = undefined;
    i = j;
  }
  return blocks;
}

/** Does a block show commands a reader would type: a shell block, or an unlabelled one with a coffer, npm or npx line? */
export function showsCommands(block: FencedBlock): boolean {
  if (SHELL_LANGS.includes(block.lang)) return true;
  return block.lang === '' && /^\s*(\$\s+)?(coffer|npm|npx|sudo)(\s|$)/m.test(block.code);
}

/** Every marked block of one Markdown file, in order. */
export function extractMarkedBlocks(markdown: string): ReadmeBlock[] {
  return parseFencedBlocks(markdown)
    .filter((b) => b.marker !== undefined)
    .map((b) => ({ name: b.marker!, lang: b.lang, code: b.code }));
}

/** The Markdown file of an example, from the repository root. */
export function docOf(spec: ExampleSpec): string {
  return join(spec.dir, spec.doc ?? 'README.md');
}

export async function readExample(spec: ExampleSpec): Promise<ReadmeBlock> {
  const blocks = extractMarkedBlocks(await readFile(join(repoRoot, docOf(spec)), 'utf8'));
  const block = blocks.find((b) => b.name === spec.name);
  if (!block) throw new Error(`${docOf(spec)} has no block marked <!-- packaging-test: ${spec.name} -->`);
  return block;
}

export function exampleNamed(name: string): ExampleSpec {
  const spec = EXAMPLES.find((e) => e.name === name);
  if (!spec) throw new Error(`no example ${name}`);
  return spec;
}

export interface SubstitutionContext {
  /** The test DC, for examples that reach one. */
  domain?: { dnsDomain: string; baseDn: string; caFile: string; sysvolPath: string; smbConfPath: string };
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
      // The DC's own SYSVOL folder and smb.conf, for the examples that work on the DC itself (a local --sysvol).
      ['/var/lib/samba/sysvol', context.domain.sysvolPath],
      ['/etc/samba/smb.conf', context.domain.smbConfPath],
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

/**
 * Shell lines of a block: `\` continuations joined, blank lines and comments dropped. In a `console` block only
 * the `$ ` lines (and their continuations) are commands; the rest is their output.
 */
export function shellLines(code: string, lang = 'sh'): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    if (lang === 'console' && pending === '') {
      if (!raw.startsWith('$ ')) continue;
      const command = raw.slice(2);
      if (command.endsWith('\\')) pending = `${command.slice(0, -1)} `;
      else if (command.trim() !== '') lines.push(command.trim());
      continue;
    }
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

/** Debian packages an `apt-get install …` line names (with or without sudo; flags dropped), or undefined for other lines. */
export function aptInstallPackages(line: string): string[] | undefined {
  const command = line
    .replace(/\s+#.*$/, '')
    .trim()
    .split(/\s+/);
  if (command[0] === 'sudo') command.shift();
  if (!['apt-get', 'apt'].includes(command[0] ?? '') || command[1] !== 'install') return undefined;
  return command.slice(2).filter((arg) => !arg.startsWith('-'));
}

/** Packages an `npm install …` line names (flags and version ranges dropped), or undefined for other lines. */
export function npmInstallPackages(line: string): string[] | undefined {
  const command = line
    .replace(/\s+#.*$/, '')
    .trim()
    .split(/\s+/);
  if (command[0] !== 'npm' || !['install', 'i', 'add'].includes(command[1] ?? '')) return undefined;
  return command
    .slice(2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => arg.replace(/(.)@[^/]*$/, '$1'));
}
