/**
 * File names inside a Starter GPO cabinet, as IGPMStarterGPO::Save writes it: a flat list, no folders. The one
 * public listing of such a cabinet shows `Machine_Comment.cmtx`, `Machine_Registry.pol`, `Report.html` and
 * `StarterGPO.tmplx`, i.e. `<side>_<file>` with GPMC's own spelling of the two Administrative Templates files.
 * The rest are Coffer's decisions, in the same style (README "CAB naming"):
 * - `User_Registry.pol`, `User_Comment.cmtx` by symmetry;
 * - any other file under Machine/User: `<Side>_` + its path with `\` turned into `_`, case kept;
 * - `<lang>\StarterGPO.tmpll` → `<lang>_StarterGPO.tmpll`; other files at the root keep their name.
 */
import { CofferError, HRESULT } from '@coffer/core';

export const CAB_TEMPLATE_NAME = 'StarterGPO.tmplx';
export const CAB_REPORT_NAME = 'Report.html';

const KNOWN_SIDE_FILES: Record<string, string> = {
  'registry.pol': 'Registry.pol',
  'comment.cmtx': 'Comment.cmtx',
};

function canonicalSide(segment: string): 'Machine' | 'User' | null {
  const lower = segment.toLowerCase();
  if (lower === 'machine') return 'Machine';
  if (lower === 'user') return 'User';
  return null;
}

/** The cabinet name of one file of the Starter GPO folder (path relative to it, `/`-separated). */
export function cabinetNameOf(relativePath: string): string {
  const segments = relativePath
    .replaceAll('\\', '/')
    .split('/')
    .filter((s) => s !== '');
  if (segments.length === 0) throw new RangeError('Empty path.');
  const side = canonicalSide(segments[0]!);
  if (side !== null && segments.length > 1) {
    const rest = segments.slice(1);
    if (rest.length === 1) {
      const known = KNOWN_SIDE_FILES[rest[0]!.toLowerCase()];
      if (known !== undefined) return `${side}_${known}`;
    }
    return `${side}_${rest.join('_')}`;
  }
  return segments.join('_');
}

/**
 * Cabinet names for every file, in a stable order (the tmplx first, then case-insensitive path order).
 * Two files that flatten to the same name (names compare case-insensitively in a cabinet) are an error:
 * silently dropping one would make the cabinet lie.
 */
export function planCabinetNames(relativePaths: readonly string[]): Array<{ path: string; name: string }> {
  const planned = relativePaths.map((path) => ({ path, name: cabinetNameOf(path) }));
  planned.sort((a, b) => {
    const rank = (entry: { name: string }) => (entry.name === CAB_TEMPLATE_NAME ? 0 : 1);
    return rank(a) - rank(b) || a.path.toLowerCase().localeCompare(b.path.toLowerCase()) || (a.path < b.path ? -1 : 1);
  });
  const byName = new Map<string, string>();
  for (const entry of planned) {
    const key = entry.name.toLowerCase();
    const other = byName.get(key);
    if (other !== undefined || key === CAB_REPORT_NAME.toLowerCase()) {
      throw new CofferError(
        'CAB_NAME_COLLISION',
        `${other ?? CAB_REPORT_NAME} and ${entry.path} would both be named ${entry.name} in the cabinet.`,
        {
          hresult: HRESULT.ERROR_ALREADY_EXISTS,
          object: entry.path,
          hint: 'Rename one of the files in the Starter GPO folder; a cabinet of a Starter GPO is flat.',
        },
      );
    }
    byName.set(key, entry.path);
  }
  return planned;
}
