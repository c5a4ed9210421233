import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PUBLISHED, readmeOf, repoRoot } from './support/packages.js';
import {
  EXAMPLES,
  RUNNABLE_LANGS,
  SHELL_LANGS,
  docOf,
  extractMarkedBlocks,
  npmInstallPackages,
  parseFencedBlocks,
  shellLines,
  showsCommands,
} from './support/readme-examples.js';

// Every command the documentation shows is run by a scenario: each shell block of every tracked Markdown file is
// marked (<!-- packaging-test: name -->), listed in EXAMPLES and run by a scenario in the project it names, or it
// carries an exemption with its reason (<!-- packaging-test-exempt: reason -->). Published packages' READMEs
// mark at least one example and say how to install the package.
const testDir = dirname(fileURLToPath(import.meta.url));

/** Tracked Markdown files, from the repository root (untracked scratch files are nobody's documentation yet). */
async function trackedMarkdown(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z', '--', '*.md'], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.split('\0').filter((path) => path !== '' && !path.split('/').includes('node_modules'));
}

describe('README examples', () => {
  it.each(PUBLISHED.map((p) => [p.name, p] as const))(
    '%s has a README with an install line and a marked example',
    async (_name, pkg) => {
      const readme = await readFile(readmeOf(pkg), 'utf8');
      const blocks = extractMarkedBlocks(readme);
      expect(blocks.length, `${pkg.dir}/README.md marks no example (<!-- packaging-test: name -->)`).toBeGreaterThan(0);
      const installLines = parseFencedBlocks(readme)
        .filter((b) => SHELL_LANGS.includes(b.lang))
        .flatMap((b) => shellLines(b.code, b.lang))
        .map(npmInstallPackages);
      expect(
        installLines.some((names) => names?.includes(pkg.name)),
        `${pkg.dir}/README.md never says npm install ${pkg.name}`,
      ).toBe(true);
    },
  );

  it('every block of commands in a tracked Markdown file is marked and run, or exempted with a reason', async () => {
    const unmarked: string[] = [];
    const files = await trackedMarkdown();
    expect(files).toContain('README.md');
    for (const file of files) {
      for (const block of parseFencedBlocks(await readFile(join(repoRoot, file), 'utf8'))) {
        const where = `${file}:${block.line} (\`\`\`${block.lang})`;
        if (block.exemption !== undefined) {
          expect(block.marker, `${where} is both marked and exempted`).toBeUndefined();
          expect(showsCommands(block), `${where} is exempted but shows no commands: drop the exemption`).toBe(true);
          expect(
            block.exemption.length,
            `${where}: an exemption says why (<!-- packaging-test-exempt: reason -->)`,
          ).toBeGreaterThanOrEqual(20);
          continue;
        }
        if (showsCommands(block) && block.marker === undefined) unmarked.push(where);
      }
    }
    expect(
      unmarked,
      'blocks of commands that no test runs: mark them (<!-- packaging-test: name -->) and run them, or exempt them with a reason',
    ).toEqual([]);
  });

  it('every marked block is run by a scenario, in the project it names, and every listed example is marked', async () => {
    const scenarioSources = (
      await Promise.all(
        (
          await readdir(testDir)
        )
          .filter((f) => f.endsWith('.test.ts') && f !== 'readme-markers.test.ts')
          .map((f) => readFile(join(testDir, f), 'utf8')),
      )
    ).join('\n');
    const marked: string[] = [];
    for (const file of await trackedMarkdown()) {
      for (const block of extractMarkedBlocks(await readFile(join(repoRoot, file), 'utf8'))) {
        const spec = EXAMPLES.find((e) => e.name === block.name);
        expect(spec, `${file} marks ${block.name}, which no scenario runs (add it to EXAMPLES)`).toBeDefined();
        expect(docOf(spec!).replace(/^\.\//, ''), `${block.name} is listed for another file`).toBe(file);
        expect(RUNNABLE_LANGS, `${file}: ${block.name} is a ${block.lang} block`).toContain(block.lang);
        expect(block.lang === 'ts', `${block.name}: a ts block needs a file name, a shell block none`).toBe(
          spec!.file !== undefined,
        );
        expect(marked, `${block.name} is marked twice`).not.toContain(block.name);
        marked.push(block.name);
      }
    }
    expect([...marked].sort()).toEqual(EXAMPLES.map((e) => e.name).sort());
    for (const example of EXAMPLES)
      expect(scenarioSources, `no scenario runs ${example.name}`).toContain(`'${example.name}'`);
  });

  it('the marker syntax: a marker designates the next block; an exemption only the block right after it', () => {
    const blocks = parseFencedBlocks(
      [
        '<!-- packaging-test: first -->',
        'Some text.',
        '```sh',
        'coffer providers',
        '```',
        '<!-- packaging-test-exempt: a reason that is long enough -->',
        '```bash',
        'npm test',
        '```',
        '<!-- packaging-test-exempt: stale, text follows -->',
        'text',
        '```console',
        '$ coffer list /srv/backups \\',
        '  --json',
        'output line',
        '```',
        '````md',
        '<!-- packaging-test: inner -->',
        '```sh',
        'coffer verify x',
        '```',
        '````',
        '```',
        'npx coffer --help',
        '```',
      ].join('\n'),
    );
    expect(blocks.map((b) => [b.lang, b.marker, b.exemption, showsCommands(b)])).toEqual([
      ['sh', 'first', undefined, true],
      ['bash', undefined, 'a reason that is long enough', true],
      ['console', undefined, undefined, true],
      ['md', undefined, undefined, false],
      ['', undefined, undefined, true],
    ]);
    expect(shellLines(blocks[2]!.code, 'console').map((l) => l.replace(/\s+/g, ' '))).toEqual([
      'coffer list /srv/backups --json',
    ]);
  });
});
