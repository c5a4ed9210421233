/**
 * The frame of Coffer's HTML pages (settings report, diff): one self-contained file. Styles and the one small
 * script are inline; the Content-Security-Policy forbids every fetch (`default-src 'none'`), so a page opened from
 * a mail or a share cannot reach the network even if a GPO's name tried to. Sections are `<details open>`, which
 * collapse without script and print expanded; the script only re-opens collapsed sections before printing.
 */

/** Escapes text for HTML element content and attribute values (both quotes too). */
const HTML_SPECIAL = /[&<>"']/;
const HTML_SPECIALS = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  const text = String(value ?? '');
  // A report escapes every cell of hundreds of GPOs, and most hold none of these: one test, one pass when they do.
  return HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIALS, (c) => HTML_ENTITIES[c]!) : text;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 13px/1.4 "Segoe UI", Tahoma, Arial, sans-serif; margin: 0; color: #000; background: #fff; }
header.page { background: #fff; border-bottom: 2px solid #1c5180; padding: 12px 16px; }
header.page h1 { font-size: 18px; margin: 0; color: #1c5180; }
header.page p { margin: 4px 0 0; color: #555; }
main { padding: 8px 16px 24px; }
details { margin: 6px 0 6px 0; }
details > summary { cursor: pointer; font-weight: bold; padding: 4px 8px; list-style: revert; }
details.gpo > summary { background: #1c5180; color: #fff; font-size: 15px; }
details.section > summary { background: #c6d9eb; color: #000; }
details.extension > summary { background: #e6eef6; color: #000; }
details.category > summary { background: #f2f2f2; font-weight: 600; }
details > .body { padding: 4px 0 4px 16px; }
table { border-collapse: collapse; margin: 4px 0 8px; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid #ddd; word-break: break-word; }
th { background: #f7f7f7; font-weight: 600; width: 28%; }
table.grid th { width: auto; }
table.grid td:first-child, table.grid th:first-child { white-space: nowrap; }
td.value, td.old, td.new { font-family: Consolas, "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
.added { background: #e6ffec; }
.removed { background: #ffebe9; }
.changed { background: #fff8c5; }
.muted { color: #666; }
.toolbar { margin: 8px 0; }
.toolbar button { font: inherit; }
@media print {
  .toolbar { display: none; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: block; }
  details.gpo { break-before: page; }
  details.gpo:first-of-type { break-before: auto; }
  th, td { border-bottom: 1px solid #999; }
}
`;

const SCRIPT = `
document.addEventListener('click', function (event) {
  var button = event.target.closest ? event.target.closest('button[data-open]') : null;
  if (!button) return;
  var open = button.getAttribute('data-open') === 'true';
  document.querySelectorAll('details').forEach(function (d) { d.open = open; });
});
window.addEventListener('beforeprint', function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); });
`;

/** A page around `body`, split in two so a long report can be written GPO by GPO between them (memory stays flat). */
export function htmlPageParts(title: string, subtitle: string): { start: string; end: string } {
  const start = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="Coffer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header class="page"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    '<main>',
    '<div class="toolbar"><button type="button" data-open="true">show all</button> <button type="button" data-open="false">hide all</button></div>',
    '',
  ].join('\n');
  const end = ['', '</main>', `<script>${SCRIPT}</script>`, '</body>', '</html>', ''].join('\n');
  return { start, end };
}

/** A whole page: `title` and `subtitle` in the header, `body` (already escaped HTML) below. */
export function htmlPage(title: string, subtitle: string, body: string): string {
  const parts = htmlPageParts(title, subtitle);
  return `${parts.start}${body}${parts.end}`;
}

/** A `<details open>` section with a summary line. */
export function section(className: string, summary: string, body: string, id?: string): string {
  return `<details open class="${className}"${id ? ` id="${escapeHtml(id)}"` : ''}><summary>${escapeHtml(summary)}</summary><div class="body">${body}</div></details>`;
}

/** A two-column table of name/value rows. */
export function factTable(rows: ReadonlyArray<readonly [string, unknown]>): string {
  return `<table>${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`;
}

/** A table with column headings. */
export function gridTable(
  headings: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  rowClass?: (index: number) => string,
): string {
  if (rows.length === 0) return '<p class="muted">None</p>';
  const head = `<tr>${headings.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  // Each column's opening tag, made once per table rather than once per cell.
  const cellOpen = headings.map((h) =>
    h === 'Value' || h === 'Old' || h === 'New' ? `<td class="${h.toLowerCase()}">` : '<td>',
  );
  const body = rows
    .map(
      (row, index) =>
        `<tr${rowClass ? ` class="${rowClass(index)}"` : ''}>${row.map((cell, c) => `${cellOpen[c] ?? '<td>'}${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table class="grid">${head}${body}</table>`;
}
