import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGES, PUBLISHED, readmeOf } from './support/packages.js';
import { EXAMPLES, extractMarkedBlocks, npmInstallPackages, shellLines } from './support/readme-examples.js';

// Every published package's README shows an example that the packaging test runs: each marked block is listed in
// EXAMPLES (so a scenario runs it), and each listed example is marked in its README.
const testDir = dirname(fileURLToPath(import.meta.url));

describe('README examples', () => {
  it.each(PUBLISHED.map((p) => [p.name, p] as const))('%s has a README with an install line and a marked example', async (_name, pkg) => {
    const readme = await readFile(readmeOf(pkg), 'utf8');
    const blocks = extractMarkedBlocks(readme);
    expect(blocks.length, `${pkg.dir}/README.md marks no example (<!-- packaging-test: name -->)`).toBeGreaterThan(0);
    const installLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => shellLines(m[1]!)).map(npmInstallPackages);
    expect(installLines.some((names) => names?.includes(pkg.name)), `${pkg.dir}/README.md never says npm install ${pkg.name}`).toBe(true);
  });

  it('every marked block is run by a scenario, in the project it names, and every listed example is marked', async () => {
    const scenarioSources = (await Promise.all((await readdir(testDir)).filter((f) => f.endsWith('.test.ts') && f !== 'readme-markers.test.ts').map((f) => readFile(join(testDir, f), 'utf8')))).join('\n');
    const marked: string[] = [];
    for (const pkg of PACKAGES) {
      const readme = await readFile(readmeOf(pkg), 'utf8').catch(() => '');
      for (const block of extractMarkedBlocks(readme)) {
        const spec = EXAMPLES.find((e) => e.name === block.name);
        expect(spec, `${pkg.dir}/README.md marks ${block.name}, which no scenario runs (add it to EXAMPLES)`).toBeDefined();
        expect(spec!.dir).toBe(pkg.dir);
        expect(['ts', 'sh']).toContain(block.lang);
        expect(block.lang === 'ts', `${block.name}: a ts block needs a file name, a sh block none`).toBe(spec!.file !== undefined);
        marked.push(block.name);
      }
    }
    expect([...marked].sort()).toEqual(EXAMPLES.map((e) => e.name).sort());
    for (const example of EXAMPLES) expect(scenarioSources, `no scenario runs ${example.name}`).toContain(`'${example.name}'`);
  });
});
