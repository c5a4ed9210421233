/**
 * A cheap fingerprint of a SYSVOL folder (a GPT): names, sizes and last-write times, without reading any file.
 * Over SMB it is one `smbclient -c 'recurse ON; ls "<folder>/*"'` (one process, one session, a few hundred bytes
 * per file); locally a stat walk. Change detection (`@coffer/gpmc`'s change module) compares it with the listing a
 * backup recorded and reads file contents only where the two differ or cannot tell.
 *
 * What smbclient's `ls` loses, and how callers must treat it:
 * - Times are printed to the second (and in the client's time zone: the listing runs with `TZ=UTC`). Local times are
 *   cut to whole seconds as well, so both transports give the same numbers.
 * - Names are padded to a column and printed without quoting: trailing spaces of a name are lost. Compare names
 *   without trailing spaces per component; a name that differs only there counts as a change, never the reverse.
 */
import type { SysvolEntry } from './sysvol-source.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * One entry line: two spaces, the name padded to 30 columns, the attribute letters right-aligned in 7, the size in 8,
 * two spaces, then ctime()'s date. Matched from the right, so a name may hold spaces, digits and capitals.
 */
const ENTRY_LINE =
  /^ {2}(.+?) +([A-Z]*) +(\d+) {2}[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** `\domain\Policies\{GUID}\Machine`: the folder whose entries follow (relative to the share root). */
const FOLDER_LINE = /^\\(.*)$/;

/** Seconds since 1970 of a date smbclient printed under TZ=UTC. */
function utcSeconds(month: string, day: string, h: string, m: string, s: string, year: string): number {
  const index = MONTHS.indexOf(month);
  if (index < 0) throw new Error(`unknown month ${month}`);
  return Date.UTC(Number(year), index, Number(day), Number(h), Number(m), Number(s)) / 1000;
}

/**
 * Parses the output of `recurse ON; ls "<root>/*"` (run with TZ=UTC) into entries below `root`, parents first as
 * smbclient lists them. `.` and `..` are skipped; lines that are neither entries nor folder headers (the free-space
 * summary) are ignored. Throws when an entry line appears before any folder is known, which smbclient never prints.
 */
export function parseSmbclientListing(output: string, root: string): SysvolEntry[] {
  const rootKey = root.replace(/\\/g, '/').replace(/\/+$/, '').toLowerCase();
  const entries: SysvolEntry[] = [];
  // The first block (before any header) lists `root` itself.
  let folder: string | null = '';
  for (const line of output.split(/\r?\n/)) {
    const header = FOLDER_LINE.exec(line);
    if (header) {
      const path = header[1]!.replace(/\\/g, '/');
      // SMB names are case-insensitive: the server may spell the root as stored rather than as asked.
      if (path.toLowerCase() === rootKey) folder = '';
      else if (path.toLowerCase().startsWith(`${rootKey}/`)) folder = path.slice(rootKey.length + 1);
      else folder = null; // outside what was asked: not ours to report
      continue;
    }
    const match = ENTRY_LINE.exec(line);
    if (!match) continue;
    const [, name, attributes, size, month, day, h, m, s, year] = match;
    if (name === '.' || name === '..' || folder === null) continue;
    const isDirectory = attributes!.includes('D');
    entries.push({
      path: folder === '' ? name! : `${folder}/${name}`,
      kind: isDirectory ? 'directory' : 'file',
      size: isDirectory ? 0 : Number(size),
      mtime: utcSeconds(month!, day!, h!, m!, s!, year!),
    });
  }
  return entries;
}

/** A local file time cut to whole seconds, as smbclient reports it (see the module comment). */
export function wholeSeconds(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000);
}

/**
 * What ends one `ls` command's output: the free-space summary, or, for a pattern nothing matches, the status line
 * (`NT_STATUS_NO_SUCH_FILE listing \domain\Policies\{0*`). Entry lines end with a date and folder headers start
 * with `\`, so neither can be taken for one.
 */
const END_OF_LS = /^\s+\d+ blocks of size \d+\. \d+ blocks available$|^NT_STATUS_NO_SUCH_FILE listing /;

/**
 * Parses the output of several `ls` commands of one session (`recurse ON; ls "<root>/{0*"; ls "<root>/{1*"`) into
 * one list of entries per command, each as {@link parseSmbclientListing} gives it (each command's output starts with
 * the entries of `root` its pattern matches). Null when the output does not hold exactly `commands` ends.
 */
export function parseSmbclientListings(output: string, root: string, commands: number): SysvolEntry[][] | null {
  const parts: string[] = [];
  let current: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (END_OF_LS.test(line)) {
      parts.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  if (parts.length !== commands || current.some((line) => line.trim() !== '')) return null;
  return parts.map((part) => parseSmbclientListing(part, root));
}
