import { appendFile, mkdir, readFile, rmdir } from 'node:fs/promises';
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';

export const HOSTS_FILE = process.env.COFFER_HOSTS_FILE ?? '/etc/hosts';
const MARKER = '# coffer-samba-test-domain';

/** The comment that identifies our line, so removal never touches anybody else's entries. */
export function hostsMarker(workDir: string): string {
  return `${MARKER} ${workDir}`;
}

async function withHostsLock<T>(lockRoot: string, action: () => Promise<T>): Promise<T> {
  const lockDir = `${lockRoot}/hosts.lock`;
  await mkdir(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) {
        // A crashed writer left its lock: the edit itself is a few milliseconds, so 10 s means stale.
        await rmdir(lockDir).catch(() => undefined);
        continue;
      }
      await sleep(20);
    }
  }
  try {
    return await action();
  } finally {
    await rmdir(lockDir).catch(() => undefined);
  }
}

/** Lines other than ours that map one of `names`: a second DC with the same realm would be unreachable by name. */
export function conflictingHostsLines(content: string, names: readonly string[], workDir: string): string[] {
  const lowered = names.map((n) => n.toLowerCase());
  return content.split('\n').filter((line) => {
    if (line.includes(hostsMarker(workDir))) return false;
    const hostsPart = line.split('#')[0] ?? '';
    const fields = hostsPart
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((f) => f.toLowerCase());
    return fields.some((f) => lowered.includes(f));
  });
}

/** Adds `address names… # marker` once (idempotent). /etc/hosts is rewritten in place: in containers it is a bind mount. */
export async function addHostsEntry(
  lockRoot: string,
  address: string,
  names: readonly string[],
  workDir: string,
): Promise<void> {
  await withHostsLock(lockRoot, async () => {
    const content = await readFile(HOSTS_FILE, 'utf8');
    const marker = hostsMarker(workDir);
    if (content.split('\n').some((line) => line.includes(marker))) return;
    const conflicts = conflictingHostsLines(content, names, workDir);
    if (conflicts.length > 0) {
      throw new Error(
        `${HOSTS_FILE} already maps ${names.join('/')} (${conflicts.map((l) => l.trim()).join(' | ')}). ` +
          'Another test DC with the same realm is running: give each parallel test domain its own realm.',
      );
    }
    // Appending, never rewriting: a resolver reading the file meanwhile sees every other line intact.
    const separator = content.length === 0 || content.endsWith('\n') ? '' : '\n';
    await appendFile(HOSTS_FILE, `${separator}${address} ${names.join(' ')} ${marker}\n`);
  });
}

export async function removeHostsEntry(lockRoot: string, workDir: string): Promise<void> {
  await withHostsLock(lockRoot, async () => {
    removeHostsEntrySync(workDir);
  });
}

/** Synchronous variant for process 'exit' handlers, where nothing asynchronous runs any more. */
export function removeHostsEntrySync(workDir: string): void {
  let content: string;
  try {
    content = readFileSync(HOSTS_FILE, 'utf8');
  } catch {
    return;
  }
  const marker = hostsMarker(workDir);
  const lines = content.split('\n');
  const kept = lines.filter((line) => !line.includes(marker));
  if (kept.length !== lines.length) rewriteInPlace(kept.join('\n'));
}

/**
 * Replaces the file's content without an empty moment: the new (shorter) content is written over the
 * start of the file, then the rest is cut off. A truncate-then-write (writeFile) would let a concurrent
 * name lookup find an empty /etc/hosts and fail with ENOTFOUND. Rename is no option: in containers
 * /etc/hosts is a bind mount.
 */
function rewriteInPlace(content: string): void {
  const bytes = Buffer.from(content, 'utf8');
  const fd = openSync(HOSTS_FILE, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}
