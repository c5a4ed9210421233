/** Where a secret must not be found: a running child's argv and environment, and any file's bytes (the secrecy tests of active-directory and the CLI). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The argv and environment (NUL-separated, as /proc shows them) of `parent`'s children whose argv matches, read while they run. */
export function childProcessesOf(
  parent: number,
  program: RegExp,
): Array<{ pid: number; cmdline: string; environ: string }> {
  const found: Array<{ pid: number; cmdline: string; environ: string }> = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!program.test(cmdline)) continue;
      found.push({ pid: Number(pid), cmdline, environ: readFileSync(`/proc/${pid}/environ`, 'utf8') });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found;
}

/** Every file below `dir` whose bytes contain `secret` (a scan of content, whatever the file is called). */
export function filesHolding(dir: string, secret: string): string[] {
  const needle = Buffer.from(secret, 'utf8');
  const hits: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return hits;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hits.push(...filesHolding(path, secret));
    else if (entry.isFile()) {
      try {
        if (readFileSync(path).includes(needle)) hits.push(path);
      } catch {
        // Removed while we looked: it held nothing we can see now.
      }
    }
  }
  return hits;
}
