import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { leftovers, snapshotDirectory } from '@coffer/provider-testkit';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { fixtureProvider } from './helpers/paths.js';
import { runCoffer, startCoffer } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

describe('Ctrl-C', () => {
  let cli: IsolatedCli;
  let p: TempProject;

  beforeAll(async () => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.writeConfig({ providers: [fixtureProvider('slow-provider.mjs'), fixtureProvider('stubborn-provider.mjs')] });
    mkdirSync(p.path('backups'));
    // Something already in the destination, which a cancelled backup must leave exactly as it was.
    const earlier = await runCoffer(
      ['backup', 'slow', '--files', '2', '--delay-ms', '0', '--name', 'earlier', '--out', 'backups'],
      { cwd: p.dir, bin: cli.bin },
    );
    expect(earlier.exitCode).toBe(0);
    writeFileSync(p.path('backups', 'notes.txt'), 'kept\n');
  });
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  it.each([
    ['plain output', false],
    ['--json', true],
  ])('cancels a backup mid-way (%s): exit 130, nothing staged left, destination unchanged', async (_name, json) => {
    const before = await snapshotDirectory(p.path('backups'));
    const running = startCoffer(
      [
        'backup',
        'slow',
        '--files',
        '50',
        '--delay-ms',
        '150',
        '--name',
        'interrupted',
        '--out',
        'backups',
        ...(json ? ['--json'] : []),
      ],
      {
        cwd: p.dir,
        bin: cli.bin,
      },
    );
    // Wait until files are being written into the staging folder, then press Ctrl-C.
    await running.waitForOutput(json ? /"completed":2/ : /Writing…/);
    if (!json) await new Promise((resolve) => setTimeout(resolve, 400));
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('Cancelling…');
    expect(run.stderr).toMatch(/cancelled\n$/);
    if (json) {
      expect(run.result).toMatchObject({
        status: 'cancelled',
        exitCode: 130,
        error: { code: 'CANCELLED', hresultName: 'ERROR_CANCELLED' },
      });
    }
    const after = await snapshotDirectory(p.path('backups'));
    expect(leftovers(after)).toEqual([]);
    expect(after).toEqual(before);
  });

  it('leaves at once on a second Ctrl-C when the provider does not stop', async () => {
    const running = startCoffer(['backup', 'stubborn', '--out', 'backups'], { cwd: p.dir, bin: cli.bin });
    await running.waitForOutput(/Waiting…/);
    running.child.kill('SIGINT');
    await running.waitForOutput(/Cancelling…/);
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toMatch(/cancelled\n$/);
  });
});
