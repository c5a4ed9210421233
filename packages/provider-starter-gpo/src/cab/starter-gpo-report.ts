/**
 * Report.html for the cabinet. GPMC puts its HTML settings report there; rendering every Administrative
 * Templates setting needs the ADMX definitions, so Coffer writes a plain summary instead: identity, versions
 * and the files the cabinet holds. It also carries, as a JSON block, the SYSVOL path of every file and every
 * folder (empty ones too): a flat cabinet name such as `User_Sub Folder_a_b.txt` cannot say where its folders
 * were, so load-cab uses this map for cabinets Coffer saved and rules (cabinet-paths.ts) for any other.
 */
import type { StarterGpoSummary } from '../model/starter-gpo.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The id of the script element holding the path map, and its format name. */
export const CAB_PATH_MAP_ID = 'coffer-starter-gpo-paths';
export const CAB_PATH_MAP_FORMAT = 'coffer-starter-gpo-cab-paths';

export interface CabPathMap {
  format: typeof CAB_PATH_MAP_FORMAT;
  version: 1;
  /** Cabinet name → path in the Starter GPO folder (`/`-separated, names as in SYSVOL). */
  files: Record<string, string>;
  /** Every folder of the Starter GPO folder, parents first. */
  directories: string[];
}

/** JSON inside a script element: `<` is escaped so no text in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function renderStarterGpoReport(
  gpo: StarterGpoSummary,
  files: ReadonlyArray<{ name: string; size: number }>,
  savedAt: Date,
  paths?: Omit<CabPathMap, 'format' | 'version'>,
): string {
  const row = (label: string, value: string | number | null) =>
    `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value === null ? '' : String(value))}</td></tr>`;
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(gpo.displayName)}</title></head><body>`,
    `<h1>${escapeHtml(gpo.displayName)}</h1>`,
    '<table>',
    row('Starter GPO ID', gpo.id),
    row('Type', gpo.type),
    row('Description', gpo.description),
    row('Author', gpo.author),
    row('Product', gpo.product),
    row('Created', gpo.creationTime),
    row('Modified', gpo.modifiedTime),
    row('Computer version', gpo.computerVersion),
    row('User version', gpo.userVersion),
    row('Starter GPO version', gpo.starterGpoVersion),
    row('Saved', savedAt.toISOString()),
    '</table>',
    '<h2>Files</h2><ul>',
    ...files.map((file) => `<li>${escapeHtml(file.name)} (${file.size} bytes)</li>`),
    '</ul>',
    ...(paths === undefined
      ? []
      : [
          `<script type="application/json" id="${CAB_PATH_MAP_ID}">${scriptJson({ format: CAB_PATH_MAP_FORMAT, version: 1, ...paths })}</script>`,
        ]),
    '</body></html>',
    '',
  ].join('\r\n');
}
