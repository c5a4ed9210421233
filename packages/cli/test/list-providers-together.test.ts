import { describe, expect, it } from 'vitest';
import { tempDir } from '@coffer/test-support';
import { main } from '../src/index.js';
import { fixtureProvider } from './helpers/paths.js';

/** `coffer list` with the two listing fixtures only, in-process. */
async function list(dir: string, extra: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(
    [
      '--provider',
      fixtureProvider('list-slow.mjs'),
      '--provider',
      fixtureProvider('list-quick.mjs'),
      'list',
      dir,
      '--type',
      'list-slow',
      '--type',
      'list-quick',
      ...extra,
    ],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: '1' },
      cwd: dir,
    },
  );
  return { exitCode, stdout, stderr };
}

describe('coffer list asks every provider at once and shows them in turn', () => {
  it('runs the next provider while one is still listing, but prints its reports after that one', async () => {
    const dir = await tempDir('coffer-list-together-');
    const run = await list(dir, ['--json']);
    expect(run.exitCode).toBe(3);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { type: string; code?: string; backups?: Array<{ id: string; comment: string }> },
      );
    // The quick provider reported while the slow one waited; its report is printed once the slow one is done.
    expect(lines.filter((line) => line.type === 'message').map((line) => line.code)).toEqual([
      'SLOW_FIRST',
      'SLOW_LAST',
      'QUICK',
    ]);
    const result = lines.at(-1)!;
    expect(result.type).toBe('result');
    const comment = (id: string) => result.backups!.find((b) => b.id === id)!.comment;
    expect(result.backups!.map((b) => b.id)).toEqual(['quick-1', 'slow-1']);
    // Asked at once: the quick listing ran before the slow one finished.
    expect(Number(comment('quick-1').split(' ')[1])).toBeLessThan(Number(comment('slow-1').split(' ')[1]));
  });

  it("prints the same order for a person: the slow provider's warnings first", async () => {
    const dir = await tempDir('coffer-list-together-');
    const run = await list(dir, []);
    expect(run.exitCode).toBe(3);
    const order = ['slow: before the wait', 'slow: after the wait', 'quick: at once'].map((text) =>
      run.stderr.indexOf(text),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(
      run.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[4]),
    ).toEqual(['quick-1', 'slow-1']);
  });
});
