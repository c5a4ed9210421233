/**
 * Report.html for the cabinet. GPMC puts its HTML settings report there; rendering every Administrative
 * Templates setting needs the ADMX definitions, so Coffer writes a plain summary instead: identity, versions
 * and the files the cabinet holds. Loading a cabinet does not depend on it.
 */
import type { StarterGpoSummary } from '../model/starter-gpo.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderStarterGpoReport(gpo: StarterGpoSummary, files: ReadonlyArray<{ name: string; size: number }>, savedAt: Date): string {
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
    '</ul></body></html>',
    '',
  ].join('\r\n');
}
