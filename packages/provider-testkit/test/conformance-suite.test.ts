import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineProvider, type BackupProvider } from '@coffer/core';
import { z } from 'zod';
import { assertProgressSane, runConformanceSuite } from '../src/index.js';
import notesProvider from './fixtures/notes-provider.js';

const NOTES = 6;

/** Runs the whole suite against a provider with a recording `test`, returning each check's outcome (undefined: passed). */
// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
async function outcomes(provider: BackupProvider<any, any>): Promise<Map<string, string | undefined>> {
  const registered: [string, () => Promise<void>][] = [];
  runConformanceSuite({
    test: (name, body) => registered.push([name, body]),
    provider,
    name: 'x',
    invalidOptions: [{ source: 42 }],
    async createFixture() {
      const root = await mkdtemp(join(tmpdir(), 'coffer-testkit-'));
      await mkdir(join(root, 'out'));
      await mkdir(join(root, 'notes'));
      for (let i = 0; i < NOTES; i++) await writeFile(join(root, 'notes', `n${i}.txt`), `note ${i}`);
      return {
        destination: join(root, 'out'),
        options: { source: join(root, 'notes') },
        cleanup: () => rm(root, { recursive: true, force: true }),
      };
    },
  });
  const results = new Map<string, string | undefined>();
  for (const [name, body] of registered) {
    results.set(
      name.replace('x: ', ''),
      await body().then(
        () => undefined,
        (error: Error) => error.message,
      ),
    );
  }
  return results;
}

type Flaw =
  | 'total-too-low'
  | 'total-too-high'
  | 'late-total'
  | 'ignores-signal'
  | 'writes-itself'
  | 'uncoded-message'
  | 'accepts-anything';

/** The notes provider with one deliberate flaw each (the flawless one is test/fixtures/notes-provider.ts). */
// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
function broken(flaw: Flaw): BackupProvider<any, any> {
  return defineProvider({
    specificationVersion: 2,
    id: 'notes',
    displayName: 'Notes',
    description: `notes provider that ${flaw}`,
    options: flaw === 'accepts-anything' ? z.any() : z.object({ source: z.string().min(1) }),
    async backup({ target, destination, options }, context) {
      const names = Array.from({ length: NOTES }, (_, i) => `n${i}.txt`);
      const announced =
        flaw === 'total-too-low'
          ? NOTES - 1
          : flaw === 'total-too-high'
            ? NOTES + 1
            : flaw === 'late-total'
              ? 1
              : NOTES;
      context.progress.phase('copying notes', announced);
      const id = `notes-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      if (flaw === 'writes-itself') {
        // The 14-line provider of issue 16: its own files, beside core's target, so no manifest and no comment.
        await mkdir(join(destination, id));
        for (const name of names) {
          await writeFile(join(destination, id, name), name);
          context.progress.advance(name);
        }
        return { backups: [{ id, path: join(destination, id), kind: 'notes' }], counts: { notes: NOTES } };
      }
      const entry = await target.stage(id, { kind: 'notes' });
      for (const [index, name] of names.entries()) {
        if (flaw !== 'ignores-signal') context.throwIfCancelled();
        await entry.writeFile(name, `note ${index} of ${String(options.source)}`);
        context.progress.advance(name);
        if (flaw === 'late-total' && index === 0) context.progress.addTotal(NOTES - 1);
      }
      if (flaw === 'uncoded-message')
        context.report({ severity: 'warning', code: '', message: 'something odd, with no code' });
      return { backups: [{ id, path: entry.finalPath, kind: 'notes' }], counts: { notes: NOTES } };
    },
  });
}

const failures = (results: Map<string, string | undefined>) =>
  [...results.entries()].filter(([, error]) => error !== undefined);

describe('the conformance suite', () => {
  test('passes the 26-line notes provider (every check ran)', async () => {
    const results = await outcomes(notesProvider);
    expect(failures(results)).toEqual([]);
    expect([...results.keys()]).toEqual([
      'satisfies the specification version 2 contract',
      'backs up, reports bounded monotonic progress, and the backup verifies',
      'refuses a target directory that does not exist, creating nothing',
      'rejects invalid options #1 with E_INVALIDARG before writing',
      'a signal aborted before the start ends as cancelled and writes nothing',
      'cancelling at any progress report stops the provider promptly and leaves nothing partial',
      'stores the comment with every backup, and list shows it',
      'lists what it backed up',
      'restores what it backed up',
    ]);
  });

  test('fails a provider whose total is one too low (completed overshoots it)', async () => {
    const results = await outcomes(broken('total-too-low'));
    expect(results.get('backs up, reports bounded monotonic progress, and the backup verifies')).toMatch(
      /overshot the announced total: 5\/5 -> 6\/6/,
    );
  });

  test('fails a provider whose completed count never reaches its total', async () => {
    const results = await outcomes(broken('total-too-high'));
    expect(results.get('backs up, reports bounded monotonic progress, and the backup verifies')).toMatch(
      /never reached the total: 6\/7/,
    );
  });

  test('fails a provider that raises its total after work was done (the bar moves backwards), unless told totals may grow', async () => {
    const results = await outcomes(broken('late-total'));
    expect(results.get('backs up, reports bounded monotonic progress, and the backup verifies')).toMatch(
      /moved backwards: 1\/1 -> 1\/6/,
    );
    expect(() =>
      assertProgressSane(
        [
          { phase: 'a', completed: 1, total: 1 },
          { phase: 'a', completed: 1, total: 6 },
          { phase: 'a', completed: 6, total: 6 },
        ],
        { strict: false },
      ),
    ).not.toThrow();
  });

  test('progress that decreases or shrinks fails (core’s tracker never emits it, a host-made sequence may)', () => {
    const down = [
      { phase: 'a', completed: 2, total: 4 },
      { phase: 'a', completed: 1, total: 4 },
      { phase: 'a', completed: 4, total: 4 },
    ];
    expect(() => assertProgressSane(down)).toThrow(/completed went down: 2 -> 1/);
    const shrink = [
      { phase: 'a', completed: 0, total: 5 },
      { phase: 'a', completed: 0, total: 3 },
      { phase: 'a', completed: 3, total: 3 },
    ];
    expect(() => assertProgressSane(shrink)).toThrow(/the total went down: 5 -> 3/);
  });

  test('fails a provider that never checks its signal (it keeps working after the abort)', async () => {
    const results = await outcomes(broken('ignores-signal'));
    expect(
      results.get('cancelling at any progress report stops the provider promptly and leaves nothing partial'),
    ).toMatch(/kept working: 3 of the 3 unit\(s\) left/);
    // Core still commits nothing for it: the rest of the suite passes.
    expect(failures(results).map(([name]) => name)).toEqual([
      'cancelling at any progress report stops the provider promptly and leaves nothing partial',
    ]);
  });

  test('fails a provider that writes its own files and so drops the comment (and the integrity manifest)', async () => {
    const results = await outcomes(broken('writes-itself'));
    expect(results.get('stores the comment with every backup, and list shows it')).toMatch(
      /has no integrity manifest, so its comment was dropped/,
    );
    expect(results.get('backs up, reports bounded monotonic progress, and the backup verifies')).toMatch(
      /MANIFEST_MISSING/,
    );
  });

  test('fails a provider that reports a status message without a code', async () => {
    const results = await outcomes(broken('uncoded-message'));
    expect(results.get('backs up, reports bounded monotonic progress, and the backup verifies')).toMatch(
      /every status message has a code/,
    );
  });

  test('fails a provider whose schema lets invalid options through', async () => {
    const results = await outcomes(broken('accepts-anything'));
    expect(results.get('rejects invalid options #1 with E_INVALIDARG before writing')).toMatch(
      /failed|E_INVALIDARG|2147942487|status/,
    );
  });
});
