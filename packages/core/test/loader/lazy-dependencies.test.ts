import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const built = new URL('../../dist/index.js', import.meta.url).href;

/**
 * A fresh process imports the built core, then parses XML, then locks a folder, and says after each step which of
 * fast-xml-parser and proper-lockfile node has loaded (both are CommonJS: they are in require's cache once loaded).
 * Importing core loads neither (coffer report, diff and --version never parse with it nor lock); the first parse and
 * the first lock load what they need, and both still work.
 */
const child = `
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const loaded = () => ['fast-xml-parser', 'proper-lockfile'].filter((name) =>
  Object.keys(cache).some((path) => path.includes(\`/node_modules/\${name}/\`)));
const core = await import(${JSON.stringify(built)});
const steps = { imported: loaded() };
const root = core.parseXmlDocument('<a x="1"><b>t&amp;u</b></a>', 'test.xml');
steps.parsed = loaded();
const lock = await core.lockDirectory(process.argv[1]);
steps.locked = loaded();
await lock.release();
console.log(JSON.stringify({ steps, root }));
`;

describe('core loads its heavy dependencies on first use', () => {
  it('importing loads neither; a parse loads fast-xml-parser, a lock proper-lockfile, and both work', async () => {
    const dir = await tempDir();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', child, dir], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    const { steps, root } = JSON.parse(stdout) as {
      steps: Record<string, string[]>;
      root: { name: string; attributes: Record<string, string>; children: Array<{ text: string }> };
    };
    expect(steps).toEqual({
      imported: [],
      parsed: ['fast-xml-parser'],
      locked: ['fast-xml-parser', 'proper-lockfile'],
    });
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1' });
    expect(root.children[0]?.text).toBe('t&u');
  });
});
