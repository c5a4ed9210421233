import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PACKAGE } from './paths.js';

/** vitest globalSetup: rebuilds dist/ when a source file is newer, so the spawned binary is the code under test. */
export default function buildBeforeTests(): void {
  const bin = join(CLI_PACKAGE, 'dist', 'bin.js');
  const built = statSync(bin, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newest = Math.max(...listFiles(join(CLI_PACKAGE, 'src')).map((file) => statSync(file).mtimeMs));
  if (newest > built) execFileSync('npx', ['tsup'], { cwd: CLI_PACKAGE, stdio: 'inherit' });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
