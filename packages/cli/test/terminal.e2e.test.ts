import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { DIRECTORY_PROVIDER_PACKAGE, fixtureProvider } from './helpers/paths.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

/** Runs coffer under `script`, which gives it a pseudo-terminal as a shell would, and returns the transcript. */
function onTerminal(cli: IsolatedCli, cwd: string, args: string[], env: Record<string, string> = {}): string {
  const command = [process.execPath, cli.bin, ...args].map((a) => `'${a}'`).join(' ');
  return execFileSync('script', ['-qec', `${command}; echo "exit=$?"`, '/dev/null'], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', COLUMNS: '120', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
}

describe('on a terminal', () => {
  let cli: IsolatedCli;
  let p: TempProject;

  beforeAll(() => {
    cli = createIsolatedCli();
    p = createTempProject();
    p.writeConfig({ providers: [fixtureProvider('slow-provider.mjs'), DIRECTORY_PROVIDER_PACKAGE] });
    mkdirSync(p.path('backups'));
  });
  afterAll(() => {
    cli.cleanup();
    p.cleanup();
  });

  it('draws a progress bar with the phase, completed/total and the current item, then clears it', () => {
    const transcript = onTerminal(cli, p.dir, [
      'backup',
      'slow',
      '--files',
      '4',
      '--delay-ms',
      '150',
      '--name',
      'on-a-tty',
      '--out',
      'backups',
    ]);
    expect(transcript).toContain('exit=0');
    expect(transcript).toMatch(/Writing \u001b\[36m[█░]+\u001b\[39m 2\/4 file-2\.txt/);
    expect(transcript).toMatch(/Writing .*4\/4 file-4\.txt/);
    expect(transcript).toContain('\u001b[0J'); // the bar is cleared before the result
    expect(transcript).toContain('Backed up 1 object into');
  });

  it('prints backups as a table, and honours NO_COLOR', () => {
    p.writeFile('data/a.txt', 'a\n');
    expect(onTerminal(cli, p.dir, ['backup', 'directory', '--source', 'data', '--out', 'backups'])).toContain('exit=0');
    const coloured = onTerminal(cli, p.dir, ['list', 'backups']);
    expect(coloured).toContain('exit=0');
    expect(coloured).toMatch(/\u001b\[1mCREATED\s+PROVIDER\s+KIND\s+NAME\s+ID\s+COMMENT\u001b\[22m/);
    expect(coloured).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z\s+directory\s+directory\s+data\s+data-/);

    const plain = onTerminal(cli, p.dir, ['list', 'backups'], { NO_COLOR: '1' });
    expect(plain).toMatch(/CREATED\s+PROVIDER/);
    expect(plain).not.toContain('\u001b[1m');
  });
});
