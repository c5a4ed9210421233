import { createRequire } from 'node:module';

/** string-width's measure, once loaded (see displayWidth). */
let fullMeasure: ((text: string) => number) | undefined;
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * Display columns of `text`. Plain printable ASCII, nearly every cell Coffer shows, is its length. Anything else
 * goes to string-width, loaded on first need and synchronously (Node >= 20.19 requires an ES module): loading it
 * takes ~40 ms (its Unicode-property regexes are checked as the module is parsed), which was a sixth of a short
 * command's whole run (`coffer prune` of an empty folder: 260 ms), for a table most runs never print.
 */
function displayWidth(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length;
  fullMeasure ??= (createRequire(import.meta.url)('string-width') as typeof import('string-width')).default;
  return fullMeasure(text);
}

/**
 * Columns padded to their widest cell, for a terminal; the last column is not padded. Widths are display columns
 * (string-width: a CJK character or an emoji takes two, a combining mark none, ANSI codes none), not UTF-16 units,
 * so a row with `検証ポリシー 🚀` lines up with one of ASCII.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = tableWidths(header, rows);
  return [formatRow(header, widths), ...rows.map((row) => formatRow(row, widths))];
}

/**
 * The width of each column over the header and every row: a first pass, so a caller with tens of thousands of rows
 * can format and print each row as it makes it (formatRow) instead of holding them all.
 */
export function tableWidths(header: readonly string[], rows: Iterable<readonly string[]>): number[] {
  const widths = header.map((title) => displayWidth(title));
  for (const row of rows)
    for (let column = 0; column < widths.length; column += 1) {
      const cell = row[column];
      if (cell !== undefined && cell !== '') widths[column] = Math.max(widths[column]!, displayWidth(cell));
    }
  return widths;
}

/** One row padded to `widths` (see {@link formatTable}). */
export function formatRow(row: readonly string[], widths: readonly number[]): string {
  return row
    .map((cell, column) =>
      column === row.length - 1
        ? cell
        : `${cell}${' '.repeat(Math.max(0, (widths[column] ?? 0) - displayWidth(cell)))}`,
    )
    .join('  ')
    .trimEnd();
}

/** Shortens text to `room` display columns, keeping its end (where paths differ), with a leading ellipsis. */
export function fitEnd(text: string, room: number): string {
  if (displayWidth(text) <= room) return text;
  // Whole graphemes (an emoji with its modifiers, a letter with its combining marks), never half of one.
  const characters = [...new Intl.Segmenter().segment(text)].map((part) => part.segment);
  let kept = '';
  for (let i = characters.length - 1; i >= 0; i--) {
    const next = characters[i] + kept;
    if (displayWidth(next) > room - 1) break;
    kept = next;
  }
  return `…${kept}`;
}
