/**
 * Where each file of a Starter GPO cabinet goes in the Starter GPO's SYSVOL folder: the reverse of
 * cabinet-names.ts. A cabinet Coffer saved carries the exact paths in its Report.html (starter-gpo-report.ts),
 * so it loads back name for name, empty folders included. Any other cabinet is un-flattened by rule:
 *
 * - `StarterGPO.tmplx` stays at the top; `Report.html` is GPMC's report, not part of the folder, and is skipped;
 * - `<lang>_StarterGPO.tmpll` → `<lang>/StarterGPO.tmpll`;
 * - `Machine_<rest>` / `User_<rest>` → `Machine/<rest>` / `User/<rest>`, with GPMC's `Registry.pol` and
 *   `Comment.cmtx` written as Windows names them in SYSVOL (`registry.pol`, `comment.cmtx`, as every GPMC
 *   backup in the corpus shows); further `_` stay in the name, since nothing tells a separator from a character;
 * - a name holding `\` (a cabinet made from folders, e.g. `gcab -c x.cab Machine/registry.pol`) is a path already.
 */
import { CofferError, HRESULT } from '@coffer/core';
import type { CabinetEntry } from '@coffer/gpmc';
import { CAB_REPORT_NAME, CAB_TEMPLATE_NAME } from './cabinet-names.js';
import { CAB_PATH_MAP_FORMAT, CAB_PATH_MAP_ID, type CabPathMap } from './starter-gpo-report.js';

export interface StarterGpoCabinetLayout {
  /** Files with their path in the Starter GPO folder, in cabinet order. */
  files: Array<{ path: string; name: string; data: Buffer }>;
  /** Every folder, parents first. */
  directories: string[];
  /** Whether the exact paths came from Coffer's map in Report.html. */
  fromPathMap: boolean;
}

const SIDE_FILES: Record<string, string> = { 'registry.pol': 'registry.pol', 'comment.cmtx': 'comment.cmtx' };
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

function badName(where: string, name: string, detail: string): CofferError {
  return new CofferError('CAB_INVALID', `${where}: the file ${JSON.stringify(name)} ${detail}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: name,
    hint: 'A Starter GPO cabinet holds StarterGPO.tmplx and the files of the Starter GPO, with relative names only.',
  });
}

/** A relative `/` path with no `.`/`..`, empty or drive-like segments: nothing may land outside the folder. */
function safePath(where: string, name: string, path: string): string {
  const segments = path.split('/');
  for (const segment of segments) {
    if (
      segment === '' ||
      segment === '.' ||
      segment === '..' ||
      segment.includes('\0') ||
      /^[A-Za-z]:$/.test(segment)
    ) {
      throw badName(
        where,
        name,
        `would be written to ${JSON.stringify(path)}, outside or not inside the Starter GPO folder.`,
      );
    }
  }
  return segments.join('/');
}

/** Reads Coffer's path map out of Report.html; null when the report is GPMC's or lacks one. */
export function readCabPathMap(report: Buffer | undefined): CabPathMap | null {
  if (report === undefined) return null;
  const match = new RegExp(`<script type="application/json" id="${CAB_PATH_MAP_ID}">([\\s\\S]*?)</script>`).exec(
    report.toString('utf8'),
  );
  if (!match) return null;
  try {
    const value = JSON.parse(match[1]!) as Partial<CabPathMap>;
    if (
      value.format !== CAB_PATH_MAP_FORMAT ||
      value.version !== 1 ||
      typeof value.files !== 'object' ||
      value.files === null ||
      !Array.isArray(value.directories)
    )
      return null;
    return value as CabPathMap;
  } catch {
    return null;
  }
}

/** The path a cabinet name stands for, by rule (no map). Null for Report.html, which is not part of the folder. */
export function starterGpoPathOf(name: string): string | null {
  if (/[\\/]/.test(name)) return name.replaceAll('\\', '/');
  if (name.toLowerCase() === CAB_REPORT_NAME.toLowerCase()) return null;
  if (name.toLowerCase() === CAB_TEMPLATE_NAME.toLowerCase()) return CAB_TEMPLATE_NAME;
  const localized = /^(.+)_(StarterGPO\.tmpll)$/i.exec(name);
  if (localized && LANGUAGE.test(localized[1]!)) return `${localized[1]}/${localized[2]}`;
  const side = /^(machine|user)_(.+)$/i.exec(name);
  if (side) {
    const folder = side[1]!.toLowerCase() === 'machine' ? 'Machine' : 'User';
    return `${folder}/${SIDE_FILES[side[2]!.toLowerCase()] ?? side[2]!}`;
  }
  return name;
}

function parentsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

/** Lays the cabinet's files out as the Starter GPO folder. Two files landing on one path (any case) is an error. */
export function layOutStarterGpoCabinet(entries: readonly CabinetEntry[], where: string): StarterGpoCabinetLayout {
  const report = entries.find((entry) => entry.name.toLowerCase() === CAB_REPORT_NAME.toLowerCase());
  const map = readCabPathMap(report?.data);
  const mapCovers =
    map !== null && entries.every((entry) => entry === report || typeof map.files[entry.name] === 'string');
  const files: StarterGpoCabinetLayout['files'] = [];
  const seen = new Map<string, string>();
  for (const entry of entries) {
    if (entry === report) continue;
    const mapped = mapCovers ? map!.files[entry.name]! : starterGpoPathOf(entry.name);
    if (mapped === null) continue;
    const path = safePath(where, entry.name, mapped);
    const other = seen.get(path.toLowerCase());
    if (other !== undefined)
      throw badName(where, entry.name, `and ${JSON.stringify(other)} would both be ${path} in the Starter GPO folder.`);
    seen.set(path.toLowerCase(), entry.name);
    files.push({ path, name: entry.name, data: entry.data });
  }
  const directories = new Set<string>();
  if (mapCovers)
    for (const dir of map!.directories) if (typeof dir === 'string') directories.add(safePath(where, dir, dir));
  for (const file of files) for (const parent of parentsOf(file.path)) directories.add(parent);
  const ordered = [...directories].sort(
    (a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0),
  );
  return { files, directories: ordered, fromPathMap: mapCovers };
}
