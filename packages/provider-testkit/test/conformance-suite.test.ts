import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BackupDestination, defineProvider, z, type BackupProvider } from '@coffer/core';
import { runConformanceSuite } from '../src/index.js';

/** Runs the suite against a provider with a recording `test`, returning each check's outcome. */
async function outcomes(provider: BackupProvider<any, any>): Promise<Map<string, string | undefined>> {
  const registered: [string, () => Promise<void>][] = [];
  runConformanceSuite({
    test: (name, body) => registered.push([name, body]),
    provider,
    name: 'x',
    invalidOptions: [{ files: 'three' }],
    async createFixture() {
      const root = await mkdtemp(join(tmpdir(), 'coffer-testkit-'));
      await mkdir(join(root, 'out'));
      return { destination: join(root, 'out'), options: { files: 3 }, cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  });
  const results = new Map<string, string | undefined>();
  for (const [name, body] of registered) {
    results.set(name.replace('x: ', ''), await body().then(() => undefined, (error: Error) => error.message));
  }
  return results;
}

type Flaw = 'none' | 'leaks-staging' | 'accepts-anything';

function provider(flaw: Flaw): BackupProvider<any, any> {
  return defineProvider({
    specificationVersion: 1,
    id: 'sample',
    displayName: 'Sample',
    description: 'writes N small files',
    capabilities: { backup: true },
    options: flaw === 'accepts-anything' ? z.any() : z.object({ files: z.number().int().positive() }),
    async backup({ destination, options }, context) {
      const files = Number(options.files) || 3;
      context.progress.phase('writing', files);
      const target = await BackupDestination.open(destination, { providerId: 'sample', signal: context.signal });
      const run = async () => {
        const entry = await target.stage(`b-${Math.random().toString(36).slice(2)}`, { kind: 'sample' });
        for (let i = 0; i < files; i++) {
          context.throwIfCancelled();
          await entry.writeFile(`f${i}.txt`, `file ${i}`);
          context.progress.advance(`f${i}.txt`);
        }
        const [committed] = await target.commit([entry]);
        return { backups: [{ id: committed!.name, path: committed!.path, kind: 'sample' }], counts: { files } };
      };
      if (flaw === 'leaks-staging') return run(); // never closes: staging and lock survive a cancel
      try {
        return await run();
      } finally {
        await target.close();
      }
    },
  });
}

describe('the conformance suite', () => {
  test('passes a well-behaved provider', async () => {
    const results = await outcomes(provider('none'));
    expect([...results.entries()].filter(([, error]) => error !== undefined)).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(7);
  });

  test('fails a provider that leaves staging behind when cancelled', async () => {
    const results = await outcomes(provider('leaks-staging'));
    expect(results.get('cancelling at any progress report leaves nothing partial')).toMatch(/staging|as it was/);
  });

  test('fails a provider whose schema lets invalid options through', async () => {
    const results = await outcomes(provider('accepts-anything'));
    expect(results.get('rejects invalid options #1 with E_INVALIDARG before writing')).toBeDefined();
  });
});
