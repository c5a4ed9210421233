import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tempDir } from '@coffer/test-support';
import { describe, expect, it } from 'vitest';
import { makeShareTemp, removeOrphanedShareTemps } from '../../src/share/share-temp.js';

/** This process's start time as the folder names carry it (/proc/<pid>/stat, field 22). */
function ownStart(): string {
  const stat = readFileSync(`/proc/${process.pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** The id of a process that has ended (a child run to its end). */
function endedPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

describe('private folders of share reads and writes', () => {
  it('are named for their process, and a new one removes only those whose process is provably gone', async () => {
    const root = await tempDir();
    const made = await makeShareTemp(root);
    expect(basename(made)).toMatch(new RegExp(`^coffer-share-${process.pid}\\.${ownStart()}-[A-Za-z0-9]{6}$`));

    const folder = (name: string) => {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'manifest.xml'), '<Backups/>');
      return join(root, name);
    };
    const dead = folder(`coffer-share-${endedPid()}.12345-AbC123`);
    // A live process (this one) under another start time: its id was reused, the folder's process is gone.
    const reused = folder(`coffer-share-${process.pid}.1-ZzZ999`);
    // The live owner of pid 1 (init) with its real start time is running: kept.
    const init = readFileSync('/proc/1/stat', 'latin1');
    const initStart = init.slice(init.lastIndexOf(')') + 2).split(' ')[19]!;
    const live = folder(`coffer-share-1.${initStart}-Live01`);
    // Names that do not say whose they are (older Coffer versions', or another program's) are never touched.
    const unnamed = folder('coffer-share-Ab12Cd');
    const other = folder(`other-${endedPid()}.12345-AbC123`);
    // A link named like a dead process's folder is not followed into (nor is its target removed).
    const target = folder('link-target');
    symlinkSync(target, join(root, `coffer-share-${endedPid()}.12345-Link01`));

    const second = await makeShareTemp(root);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    for (const kept of [made, second, live, unnamed, other, target]) expect(existsSync(kept), kept).toBe(true);
    expect(existsSync(join(target, 'manifest.xml'))).toBe(true);
  });

  it('a sweep of a folder that cannot be read does nothing', async () => {
    await expect(removeOrphanedShareTemps('/nonexistent/coffer-test')).resolves.toBeUndefined();
  });
});
